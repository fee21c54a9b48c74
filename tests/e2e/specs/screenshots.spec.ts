import { expect, test } from "@playwright/test";

import { playground } from "../support/urls.js";

// Every component in both languages, saved for people to look at (tests/e2e/artifacts/screenshots).
for (const lang of ["zh-CN", "en"] as const) {
  for (const component of ["board", "deal", "forecast", "tasks"] as const) {
    test(`${component} in ${lang}`, async ({ browser }) => {
      // The browser's own locale too: date inputs render in it, whatever the page's language.
      const context = await browser.newContext({ locale: lang, timezoneId: "Asia/Shanghai" });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      await page.setViewportSize({ width: 1360, height: 900 });
      await page.goto(
        playground({ component, lang, deals: 24, deal: "deal-0004", user: "zhao-min" }),
      );
      const element = page.locator(`dealflow-${component}`);
      await expect(element).toBeVisible({ timeout: 30_000 });
      await expect(element.getByTestId("sync-status")).toBeVisible({ timeout: 30_000 });
      // The element's own language, never the other one's labels.
      const expected = {
        board: { "zh-CN": "负责人", en: "Owner" },
        deal: { "zh-CN": "决策链", en: "Power map" },
        forecast: { "zh-CN": "销售预测", en: "Forecast" },
        tasks: { "zh-CN": "我的任务", en: "My tasks" },
      }[component][lang];
      await expect(element).toContainText(expected);
      // The forecast is computed in the compute worker; wait for its figures.
      if (component === "forecast")
        await expect(element.getByTestId("forecast")).toBeVisible({ timeout: 30_000 });
      await page.waitForTimeout(500); // let ECharts finish its layout
      await page.screenshot({ path: `artifacts/screenshots/${component}-${lang}.png`, fullPage: true });
      expect(errors).toEqual([]);
      await context.close();
    });
  }
}
