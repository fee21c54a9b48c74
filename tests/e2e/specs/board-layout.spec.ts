import { expect, test, type Locator } from "@playwright/test";

import { createDeal, signIn } from "../support/demo.js";
import { baseUrl } from "../support/urls.js";

// The demo board at a desktop and a narrow width, in both languages: every card shows its whole
// amount (never cut off at the card's edge), and the exact figure is there to hover.

for (const width of [1280, 760]) {
  test(`board cards show whole amounts at ${width} px in zh-CN and en`, async ({ browser }) => {
    const rep = await signIn(browser, "zhang-wei");
    const { page } = rep;
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.setViewportSize({ width, height: 900 });
    // A long account name next to an amount: the row that used to cut the amount off.
    // The amount of the report ("CN¥300,000.0" cut off), and a large one.
    await createDeal(rep, `版面 ${Date.now()}`, "300000");
    await page.goto(`${baseUrl()}/#/board`);
    const dealId = await createDeal(rep, `版面 ${Date.now()}`, "12345678.9");
    await page.goto(`${baseUrl()}/#/board`);
    const board = page.locator("dealflow-board");
    const card = board.locator(`[data-deal="${dealId}"]`);
    await expect(card).toBeVisible({ timeout: 30_000 });

    for (const lang of ["zh-CN", "en"] as const) {
      await page.getByTestId("lang").selectOption(lang);
      await expect(card.locator(".amount")).toHaveAttribute(
        "title",
        lang === "en" ? "CN¥12,345,678.90" : "¥12,345,678.90",
      );
      await expectAmountsWhole(board);
      await page.screenshot({ path: `artifacts/screenshots/board-${width}-${lang}.png` });
    }
    expect(errors).toEqual([]);
    await rep.context.close();
  });
}

/** Every visible card's amount fits its text and lies inside its card. */
async function expectAmountsWhole(board: Locator): Promise<void> {
  const problems = await board.locator("[data-testid=card]").evaluateAll((cards) =>
    cards.flatMap((card) => {
      const amount = card.querySelector(".amount");
      if (!(amount instanceof HTMLElement)) return [`${card.textContent ?? ""}: no amount`];
      const outer = card.getBoundingClientRect();
      const inner = amount.getBoundingClientRect();
      const cut =
        amount.scrollWidth > amount.clientWidth + 1 ||
        inner.right > outer.right - 1 ||
        inner.left < outer.left + 1;
      return cut ? [`${amount.textContent ?? ""} cut in a ${Math.round(outer.width)} px card`] : [];
    }),
  );
  expect(problems).toEqual([]);
}
