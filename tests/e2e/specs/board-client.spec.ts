import { expect, test, type Locator } from "@playwright/test";

import { createDeal, field, signIn } from "../support/demo.js";
import { failIndexedDbWrites, restoreIndexedDbWrites } from "../support/storage.js";
import { baseUrl } from "../support/urls.js";

// The board of the demo app, over the real sync client (IndexedDB and the relay), where a move
// is shown as soon as core accepts it, before its IndexedDB commit: the criteria still hold, and
// a commit that fails is said on the board instead of being lost without a word.

test("over the sync client a refused move shows the checklist, an accepted one moves, and a failed commit is said", async ({
  browser,
}) => {
  const rep = await signIn(browser, "zhang-wei");
  const { page, errors } = rep;
  const dealId = await createDeal(rep, `拖拽 ${Date.now()}`);

  await page.goto(`${baseUrl()}/#/board`);
  const board = page.locator("dealflow-board");
  const qualify = board.getByTestId("column-qualify");
  const needs = board.getByTestId("column-needs");
  const card = (column: typeof qualify) => column.locator(`[data-deal="${dealId}"]`);
  await expect(card(qualify)).toBeVisible({ timeout: 30_000 });

  // A new deal has neither industry nor needs, which leaving 线索验证 requires.
  await card(qualify).dragTo(needs);
  const checklist = board.getByTestId("move-checklist");
  await expect(checklist).toBeVisible();
  await expect(checklist.locator("li[data-criterion=qualify_industry]")).toBeVisible();
  await expect(checklist.locator("li[data-criterion=qualify_needs]")).toBeVisible();
  await board.getByTestId("close-checklist").click();
  await expect(checklist).toBeHidden();
  await expect(card(qualify)).toBeVisible();
  await expect(card(needs)).toHaveCount(0);

  // Meet them on the deal page.
  await page.goto(`${baseUrl()}/#/deal/${encodeURIComponent(dealId)}`);
  await field(page, "industry").fill("电力");
  await field(page, "industry").press("Enter");
  await field(page, "needs").fill("统一客服平台");
  await field(page, "needs").blur();
  await page.goto(`${baseUrl()}/#/board`);
  await expect(card(qualify)).toBeVisible({ timeout: 30_000 });

  // From now on every IndexedDB write fails (as with a full disk): the move is shown, and the
  // board says it was not saved.
  await failIndexedDbWrites(page);
  await card(qualify).dragTo(needs);
  await expect(card(needs)).toBeVisible();
  await expect(checklist).toHaveCount(0);
  const unsaved = board.getByTestId("move-not-saved");
  await expect(unsaved).toBeVisible();
  await expect(unsaved).toContainText("未能保存");
  await expect(unsaved).toContainText("浏览器本地存储写入失败");
  // The status badge says so too, instead of "all synced": the move is held in memory only.
  const status = board.getByTestId("sync-status");
  await expect(status).toHaveAttribute("data-unsaved", "1");
  await expect(status).toContainText("未保存");
  await expect(status).not.toContainText("已全部同步");
  await expect(status).toHaveAttribute("title", /未能写入本机存储/);
  await expectToolbarOnOneRow(board);
  await page.screenshot({ path: "artifacts/screenshots/board-move-not-saved-zh-CN.png" });

  // And in English.
  await page.getByTestId("lang").selectOption("en");
  await expect(status).toContainText("Not saved");
  await expect(status).not.toContainText("All synced");
  await expect(unsaved).toContainText("was not saved");
  await expectToolbarOnOneRow(board);
  await page.screenshot({ path: "artifacts/screenshots/board-move-not-saved-en.png" });

  // Every element over the session shows it: the deal page's badge as well.
  await page.goto(`${baseUrl()}/#/deal/${encodeURIComponent(dealId)}`);
  const dealStatus = page.locator("dealflow-deal").getByTestId("sync-status");
  await expect(dealStatus).toContainText("Not saved");
  await expect(dealStatus).not.toContainText("All synced");

  // Writes work again: nobody touches the deal, yet the client stores it by itself, whole (the
  // failed write held the move, which a later incremental write alone would not), and only then
  // sends the move it held back to the relay.
  await restoreIndexedDbWrites(page);
  await expect(dealStatus).toHaveAttribute("data-unsaved", "0", { timeout: 30_000 });
  await expect(dealStatus).toContainText("All synced", { timeout: 30_000 });
  await page.goto(`${baseUrl()}/#/board`);
  await expect(unsaved).toHaveCount(0);
  await expect(status).toContainText("All synced");

  // The move survives a reload (read back from IndexedDB)…
  await page.context().setOffline(true);
  await page.reload();
  await expect(card(needs)).toBeVisible({ timeout: 30_000 });
  await expect(card(qualify)).toHaveCount(0);
  await page.context().setOffline(false);
  // …and reached the relay: a second browser, with nothing stored, gets the deal in 需求确认.
  const other = await signIn(browser, "zhang-wei");
  const otherBoard = other.page.locator("dealflow-board");
  await expect(
    otherBoard.getByTestId("column-needs").locator(`[data-deal="${dealId}"]`),
  ).toBeVisible({ timeout: 30_000 });
  await expect(
    otherBoard.getByTestId("column-qualify").locator(`[data-deal="${dealId}"]`),
  ).toHaveCount(0);
  await other.context.close();
  expect(errors).toEqual([]);
  await rep.context.close();
});

/**
 * The long move-not-saved message has a row of its own under the toolbar: the new-deal button
 * and the status badge stay side by side on the toolbar's one row.
 */
async function expectToolbarOnOneRow(board: Locator): Promise<void> {
  const box = async (locator: Locator) => {
    const found = await locator.boundingBox();
    if (found === null) throw new Error("not rendered");
    return found;
  };
  const toolbar = await box(board.locator("[part=toolbar]"));
  const newDeal = await box(board.getByTestId("new-deal"));
  const status = await box(board.getByTestId("sync-status"));
  const notice = await box(board.getByTestId("move-not-saved"));
  const middle = (each: { y: number; height: number }) => each.y + each.height / 2;
  expect(Math.abs(middle(status) - middle(newDeal))).toBeLessThan(4);
  expect(toolbar.height).toBeLessThan(2 * newDeal.height);
  expect(notice.y).toBeGreaterThanOrEqual(toolbar.y + toolbar.height);
}
