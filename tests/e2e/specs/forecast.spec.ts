import { expect, test, type Browser, type Locator } from "@playwright/test";

import { signIn } from "../support/demo.js";
import { startServer, type RunningServer } from "../support/server.js";

// The forecast dashboard on the seeded demo: every figure comes from the compute module in its
// Web Worker, and what the element shows is what that module returned.

let server: RunningServer;

test.beforeAll(async () => {
  test.setTimeout(300_000);
  // Fewer deals than the demo's 300 keep seeding quick in a debug build; the figures are as real.
  server = await startServer({ args: ["--dev-login", "--demo-seed", "--demo-deals", "80"] });
  // The relay seeds before it answers: wait until a login goes through.
  await expect
    .poll(
      async () => {
        try {
          const response = await fetch(`${server.url}/api/dev/users`, { signal: AbortSignal.timeout(5_000) });
          return response.ok;
        } catch {
          return false;
        }
      },
      { timeout: 280_000, intervals: [2_000] },
    )
    .toBe(true);
});

test.afterAll(async () => {
  await server.stop();
});

type Money = { minor: number; currency: string };
type View = {
  models: { id: string; total: Money }[];
  range?: { p10: Money; p50: Money; p90: Money };
  funnel?: { stage: string; bottleneck: boolean }[];
};

/** Asks the element's session for the dashboard again (the worker computes it afresh). */
function computeAgain(element: Locator): Promise<View | undefined> {
  return element.evaluate(async (node) => {
    const session = (node as unknown as { activeSession?: { forecast?(now: number): Promise<unknown> } })
      .activeSession;
    return (await session?.forecast?.(Date.now())) as View | undefined;
  });
}

/**
 * Signs in as manager 王芳 on `#/forecast` in `lang` and waits until the dashboard shows and every
 * deal has arrived (it is then recomputed over all of them). Page errors collect in `errors`.
 */
async function openForecast(browser: Browser, lang: "zh-CN" | "en") {
  const manager = await signIn(browser, "wang-fang", "#/forecast", server.url);
  const { page } = manager;
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.setViewportSize({ width: 1360, height: 1000 });
  if (lang === "en") await page.locator("dealflow-demo-app").getByTestId("lang").selectOption("en");
  const element = page.locator("dealflow-forecast");
  await expect(element.getByTestId("forecast")).toBeVisible({ timeout: 60_000 });
  await expect(element.getByTestId("sync-status")).toHaveAttribute("data-unsynced", "0", { timeout: 60_000 });
  return { manager, page, errors, element };
}

for (const lang of ["zh-CN", "en"] as const) {
  test(`the forecast dashboard shows core's figures for the seeded demo (${lang})`, async ({ browser }) => {
    test.setTimeout(120_000);
    const { manager, page, errors, element } = await openForecast(browser, lang);
    // Deals go on arriving after the first match: wait for the same figures, shown and
    // computed, on two polls two seconds apart.
    let lastMatch = "";
    await expect
      .poll(async () => {
        const view = await computeAgain(element);
        const shown = await element.locator("[data-model], [data-percentile]").evaluateAll((nodes) =>
          nodes.map((node) => Number(node.getAttribute("data-minor"))),
        );
        const computed = [
          ...(view?.models.map((model) => model.total.minor) ?? []),
          ...(view?.range === undefined ? [] : [view.range.p10.minor, view.range.p50.minor, view.range.p90.minor]),
        ];
        const key = JSON.stringify(computed);
        if (key !== JSON.stringify(shown)) {
          lastMatch = "";
          return false;
        }
        const stable = key === lastMatch;
        lastMatch = key;
        return stable;
      }, { timeout: 60_000, intervals: [2_000] })
      .toBe(true);
    const view = await computeAgain(element);
    expect(view).toBeDefined();

    // The four models side by side, each the figure the compute module returned.
    const models = element.locator("[data-model]");
    await expect(models).toHaveCount(4);
    for (const model of view!.models) {
      const shown = element.locator(`[data-model=${model.id}]`);
      await expect(shown).toHaveAttribute("data-minor", String(model.total.minor));
    }
    const totals = view!.models.map((model) => model.total.minor);
    expect(totals.some((total) => total > 0)).toBe(true);

    // The Monte Carlo range: P10 ≤ P50 ≤ P90, as shown.
    const percentile = async (key: string) =>
      Number(await element.locator(`[data-percentile=${key}]`).getAttribute("data-minor"));
    const [p10, p50, p90] = [await percentile("p10"), await percentile("p50"), await percentile("p90")];
    expect(p10).toBeLessThanOrEqual(p50);
    expect(p50).toBeLessThanOrEqual(p90);
    expect(p90).toBeGreaterThan(0);
    expect([p10, p50, p90]).toEqual([view!.range!.p10.minor, view!.range!.p50.minor, view!.range!.p90.minor]);

    // The funnel's bottleneck: one stage, named and highlighted.
    const bottleneck = view!.funnel!.filter((stage) => stage.bottleneck);
    expect(bottleneck).toHaveLength(1);
    await expect(element.getByTestId("bottleneck")).toHaveAttribute("data-stage", bottleneck[0]!.stage);
    await expect(element.getByTestId("bottleneck").locator(".danger")).toBeVisible();

    // Rep commit's categories and forecast vs target are there in the element's language.
    await expect(element.getByTestId("categories").locator("[data-category]")).toHaveCount(4);
    await expect(element).toContainText(lang === "en" ? "Forecast vs target" : "预测与目标");
    await expect(element).toContainText(lang === "en" ? "Stalled deals" : "停滞商机");
    await page.waitForTimeout(500); // let ECharts finish its layout
    await page.screenshot({ path: `artifacts/screenshots/forecast-demo-${lang}.png`, fullPage: true });
    expect(errors).toEqual([]);
    await manager.context.close();
  });
}

/** `GET /api/targets` as the signed-in user: minor units by period. */
async function serverTargets(token: string, kind: "month" | "quarter" | "year"): Promise<Map<string, number>> {
  const response = await fetch(`${server.url}/api/targets?periodKind=${kind}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.ok).toBe(true);
  const body = (await response.json()) as { targets: { period: string; amount: Money }[] };
  return new Map(body.targets.map((target) => [target.period, target.amount.minor]));
}

/** Today's month `"2026-11"` in Beijing, where the demo's organisation is. */
function beijingMonth(): string {
  return new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7);
}

for (const lang of ["zh-CN", "en"] as const) {
  test(`the forecast opens on the current quarter against the seeded target and steps by period (${lang})`, async ({
    browser,
  }) => {
    test.setTimeout(120_000);
    const { manager, page, errors, element } = await openForecast(browser, lang);
    const quarters = await serverTargets(manager.token, "quarter");
    const months = await serverTargets(manager.token, "month");
    const month = beijingMonth();
    const [year, monthNumber] = month.split("-").map(Number) as [number, number];
    const quarterNumber = Math.floor((monthNumber - 1) / 3) + 1;
    const quarter = `${year}-Q${quarterNumber}`;
    // The seeded team quota of a quarter is its months' together.
    const quarterMonths = [0, 1, 2].map(
      (offset) => `${year}-${String((quarterNumber - 1) * 3 + 1 + offset).padStart(2, "0")}`,
    );
    expect(quarters.get(quarter)).toBe(quarterMonths.reduce((sum, each) => sum + (months.get(each) ?? NaN), 0));

    // Opens on the current quarter, labelled in the element's language, against its target.
    const period = element.getByTestId("period");
    const target = element.getByTestId("target-amount");
    await expect(period).toHaveAttribute("data-period", quarter);
    await expect(period).toHaveText(lang === "en" ? `Q${quarterNumber} ${year}` : `${year}年第${quarterNumber}季度`);
    await expect(target).toHaveAttribute("data-minor", String(quarters.get(quarter)));
    await expect(target).not.toContainText(lang === "en" ? "Not set" : "未设定");
    // The range has open deals to simulate: P10 below P90.
    const percentile = async (key: string) =>
      Number(await element.locator(`[data-percentile=${key}]`).getAttribute("data-minor"));
    await expect.poll(async () => (await percentile("p90")) > (await percentile("p10"))).toBe(true);

    // Months: the current month (or, when none of the manager's deals falls in it, the next
    // month that has some), against that month's target.
    await element.getByTestId("period-kind").selectOption("month");
    await expect(period).toHaveAttribute("data-period", /^\d{4}-\d{2}$/);
    const shownMonth = (await period.getAttribute("data-period"))!;
    expect(shownMonth >= month).toBe(true);
    await expect(target).toHaveAttribute("data-minor", String(months.get(shownMonth)));
    // Previous month: an earlier period with its own target.
    await element.getByTestId("period-previous").click();
    await expect(period).not.toHaveAttribute("data-period", shownMonth);
    const previous = (await period.getAttribute("data-period"))!;
    expect(previous < shownMonth).toBe(true);
    await expect(target).toHaveAttribute("data-minor", String(months.get(previous)));
    // And back, via next.
    await element.getByTestId("period-next").click();
    await expect(period).toHaveAttribute("data-period", shownMonth);
    await element.getByTestId("period-kind").selectOption("quarter");
    await expect(period).toHaveAttribute("data-period", quarter);
    await element.getByTestId("period-next").click();
    await expect(period).not.toHaveAttribute("data-period", quarter);
    const next = (await period.getAttribute("data-period"))!;
    expect(next > quarter).toBe(true);
    await expect(target).toHaveAttribute("data-minor", String(quarters.get(next)));
    await page.waitForTimeout(500);
    await page.screenshot({ path: `artifacts/screenshots/forecast-quarter-${lang}.png`, fullPage: true });

    // Years: the current year, against the seeded yearly quota (its twelve months together).
    const years = await serverTargets(manager.token, "year");
    const yearKey = String(year);
    const yearMonths = [...months].filter(([key]) => key.startsWith(`${yearKey}-`));
    expect(yearMonths.length).toBe(12);
    expect(years.get(yearKey)).toBe(yearMonths.reduce((sum, [, minor]) => sum + minor, 0));
    await element.getByTestId("period-previous").click();
    await expect(period).toHaveAttribute("data-period", quarter);
    await element.getByTestId("period-kind").selectOption("year");
    await expect(period).toHaveAttribute("data-period", yearKey);
    await expect(period).toHaveText(lang === "en" ? yearKey : `${yearKey}年`);
    await expect(target).toHaveAttribute("data-minor", String(years.get(yearKey)));
    await page.waitForTimeout(500);
    await page.screenshot({ path: `artifacts/screenshots/forecast-year-${lang}.png`, fullPage: true });
    expect(errors).toEqual([]);
    await manager.context.close();
  });
}
