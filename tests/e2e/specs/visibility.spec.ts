import { expect, test } from "@playwright/test";

import { createDeal, registered, signIn } from "../support/demo.js";
import { baseUrl } from "../support/urls.js";

test("a rep of one team never sees another team's deals on the board, even by typing the deal's URL", async ({
  browser,
}) => {
  // 张伟 (华东区) opens a deal; 赵敏 (华南区) must not get it.
  const zhang = await signIn(browser, "zhang-wei");
  const id = await createDeal(zhang, "华东制造 · 仅限华东区");
  await registered(zhang, id);

  const zhao = await signIn(browser, "zhao-min");
  const board = zhao.page.locator("dealflow-board");
  await expect(board.getByTestId("board")).toBeVisible({ timeout: 15_000 });
  await expect(board.getByTestId("sync-status")).toHaveAttribute("data-status", "online", { timeout: 10_000 });
  await expect(board.locator(`[data-deal="${id}"]`)).toHaveCount(0);
  // Every card on 赵敏's board belongs to 华南区 (its reps 赵敏 and 黄磊).
  const owners = await board.getByTestId("card").evaluateAll((cards) =>
    cards.map((card) => card.querySelector(".row:nth-of-type(3) span:last-child")?.textContent?.trim() ?? ""),
  );
  for (const owner of owners) expect(["赵敏", "黄磊"]).toContain(owner);

  // Typing the URL: the relay answers doc-unavailable and the page says so, with no content.
  await zhao.page.goto(`${baseUrl()}/#/deal/${encodeURIComponent(id)}`);
  await expect(zhao.page.getByTestId("deal-unavailable")).toBeVisible({ timeout: 15_000 });
  await expect(zhao.page.locator("dealflow-deal")).not.toContainText("仅限华东区");
  await zhao.page.screenshot({ path: "artifacts/screenshots/visibility-zhao-min.png" });
  await zhang.context.close();
  await zhao.context.close();
});
