import { expect, test, type Locator } from "@playwright/test";

import { createDeal, signIn } from "../support/demo.js";
import { baseUrl } from "../support/urls.js";

// The demo board at a desktop and two narrow widths, in both languages: every card shows its whole
// amount (never cut off at the card's edge), and the exact figure is there to hover; the toolbar
// keeps its filters on one row and the new-deal button beside the status, overlapping nothing.

for (const width of [1280, 760, 600]) {
  test(`board cards show whole amounts and a tidy toolbar at ${width} px in zh-CN and en`, async ({
    browser,
  }) => {
    const rep = await signIn(browser, "zhang-wei");
    const { page, errors } = rep;
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
      await expectToolbarTidy(board, width);
      await page.screenshot({ path: `artifacts/screenshots/board-${width}-${lang}.png` });
    }

    // The status's text changes width as the connection comes and goes (the page is in English
    // now, where "Online" and "Offline" differ in width); the new-deal button
    // stays where it is (a click on it while the status changed used to land beside it).
    const newDeal = board.getByTestId("new-deal");
    const status = board.getByTestId("sync-status");
    await expect(status).toHaveAttribute("data-status", "online", { timeout: 10_000 });
    const online = { button: await newDeal.boundingBox(), status: await status.boundingBox() };
    await rep.context.setOffline(true);
    await expect(status).toHaveAttribute("data-status", "offline", { timeout: 10_000 });
    const offline = { button: await newDeal.boundingBox(), status: await status.boundingBox() };
    expect(offline.status?.width).not.toBe(online.status?.width);
    expect(offline.button).toEqual(online.button);
    await rep.context.setOffline(false);
    await expect(status).toHaveAttribute("data-status", "online", { timeout: 10_000 });
    expect(await newDeal.boundingBox()).toEqual(online.button);
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

/**
 * The filters share one row; the status and the new-deal button share one row, right-aligned,
 * either beside the filters or (when both do not fit) on a row of their own under them; no two
 * toolbar items overlap. At a desktop width everything is on one row.
 */
async function expectToolbarTidy(board: Locator, width: number): Promise<void> {
  type Box = { x: number; y: number; width: number; height: number };
  const box = async (locator: Locator): Promise<Box> => {
    const found = await locator.boundingBox();
    if (found === null) throw new Error("not rendered");
    return found;
  };
  const middle = (each: Box) => each.y + each.height / 2;
  const toolbar = await box(board.locator("[part=toolbar]"));
  const labels = board.getByTestId("filters").locator("label");
  await expect(labels).toHaveCount(3);
  const filters = await Promise.all([0, 1, 2].map((index) => box(labels.nth(index))));
  const newDeal = await box(board.getByTestId("new-deal"));
  const status = await box(board.getByTestId("sync-status"));
  for (const filter of filters)
    expect(Math.abs(middle(filter) - middle(filters[0]!))).toBeLessThan(4);
  expect(Math.abs(middle(status) - middle(newDeal))).toBeLessThan(4);
  const filtersBottom = Math.max(...filters.map((each) => each.y + each.height));
  const besideFilters = Math.abs(middle(newDeal) - middle(filters[0]!)) < 4;
  if (width >= 1280) expect(besideFilters).toBe(true);
  if (!besideFilters) expect(Math.min(newDeal.y, status.y)).toBeGreaterThanOrEqual(filtersBottom);
  // Right-aligned, the button last: it ends at the toolbar's right padding, the status before it.
  expect(toolbar.x + toolbar.width - (newDeal.x + newDeal.width)).toBeLessThan(16);
  expect(status.x + status.width).toBeLessThanOrEqual(newDeal.x);
  const items = [...filters, newDeal, status];
  for (const [index, one] of items.entries()) {
    expect(one.x).toBeGreaterThanOrEqual(toolbar.x);
    expect(one.x + one.width).toBeLessThanOrEqual(toolbar.x + toolbar.width);
    for (const other of items.slice(index + 1)) {
      const apart =
        one.x + one.width <= other.x ||
        other.x + other.width <= one.x ||
        one.y + one.height <= other.y ||
        other.y + other.height <= one.y;
      expect(apart).toBe(true);
    }
  }
}
