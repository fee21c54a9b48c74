import { expect, test, type Page } from "@playwright/test";

import { playground } from "../support/urls.js";

async function openBoard(page: Page, lang: "zh-CN" | "en" = "zh-CN") {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(playground({ component: "board", lang, deals: 24 }));
  await expect(page.getByTestId("card").first()).toBeVisible({ timeout: 30_000 });
  return errors;
}

test("dragging a card into a stage with unmet criteria shows the checklist and leaves the deal where it was", async ({
  page,
}) => {
  const errors = await openBoard(page);
  const qualify = page.getByTestId("column-qualify");
  const needs = page.getByTestId("column-needs");
  // A deal just opened: no industry and no needs yet, which leaving 线索验证 requires.
  const card = qualify.getByTestId("card").first();
  const dealId = await card.getAttribute("data-deal");
  expect(dealId).not.toBeNull();
  const countBefore = await qualify.getByTestId("card").count();

  await card.dragTo(needs);

  const checklist = page.getByTestId("move-checklist");
  await expect(checklist).toBeVisible();
  await expect(checklist).toContainText("无法移入该阶段");
  // Core's checklist names each unmet criterion.
  await expect(checklist.locator("li[data-criterion=qualify_industry]")).toBeVisible();
  await expect(checklist.locator("li[data-criterion=qualify_needs]")).toBeVisible();
  await page.screenshot({ path: "artifacts/screenshots/board-checklist-zh-CN.png" });

  await page.getByTestId("close-checklist").click();
  await expect(checklist).toBeHidden();
  await expect(qualify.locator(`[data-deal="${dealId}"]`)).toBeVisible();
  await expect(needs.locator(`[data-deal="${dealId}"]`)).toHaveCount(0);
  await expect(qualify.getByTestId("card")).toHaveCount(countBefore);
  expect(errors).toEqual([]);
});

test("a card whose criteria are met moves, and the column figures follow", async ({ page }) => {
  await openBoard(page);
  const needs = page.getByTestId("column-needs");
  const demo = page.getByTestId("column-demo");
  const card = needs.getByTestId("card").first();
  const dealId = (await card.getAttribute("data-deal")) ?? "";
  const needsCount = await needs.getByTestId("card").count();
  const demoCount = await demo.getByTestId("card").count();
  // Sample deals in 需求分析 have their decision maker; core also wants the business value to
  // leave the stage and a budget range to enter 方案演示. Give them, as a rep would.
  await page.evaluate((id) => {
    type Doc = {
      updateText(ctx: unknown, field: unknown, text: string): boolean;
      setBudget(ctx: unknown, budget: unknown): boolean;
    };
    type Playground = { session: { editNow(id: string, apply: (doc: Doc, ctx: unknown) => void): void } };
    const { session } = (window as unknown as { dealflowPlayground: Playground }).dealflowPlayground;
    session.editNow(id, (doc, ctx) => {
      doc.updateText(ctx, { field: "business_value" }, "缩短客服响应时间");
      doc.setBudget(ctx, {
        min: { minor: 10_000_000, currency: "CNY" },
        max: { minor: 20_000_000, currency: "CNY" },
        confirmed: false,
      });
    });
  }, dealId);

  await card.dragTo(demo);

  await expect(demo.locator(`[data-deal="${dealId}"]`)).toBeVisible();
  await expect(needs.locator(`[data-deal="${dealId}"]`)).toHaveCount(0);
  await expect(page.getByTestId("move-checklist")).toHaveCount(0);
  await expect(demo.getByTestId("count")).toHaveText(`${demoCount + 1} 个商机`);
  await expect(needs.getByTestId("count")).toHaveText(`${needsCount - 1} 个商机`);
});

test("filters by owner keep only that owner's cards", async ({ page }) => {
  await openBoard(page, "en");
  await page.getByTestId("filter-owner").selectOption("zhao-min");
  const cards = page.getByTestId("card");
  const count = await cards.count();
  expect(count).toBeGreaterThan(0);
  for (let index = 0; index < count; index += 1)
    await expect(cards.nth(index)).toContainText("Zhao Min");
});

test("a new deal from the board's dialog opens in the first stage, through core", async ({ page }) => {
  await openBoard(page, "en");
  const qualify = page.getByTestId("column-qualify");
  const before = await qualify.getByTestId("card").count();
  await page.getByTestId("new-deal").click();
  const dialog = page.getByTestId("new-deal-dialog");
  await dialog.locator("input[name=title]").fill("Pearl River Power · CRM");
  await dialog.locator("input[name=amount]").fill("1234.5");
  await dialog.locator("button.primary").click();
  await expect(dialog).toHaveCount(0);
  await expect(qualify.getByTestId("card")).toHaveCount(before + 1);
  await expect(qualify.getByTestId("card").filter({ hasText: "Pearl River Power · CRM" })).toContainText(
    "CN¥1,234.50",
  );
});
