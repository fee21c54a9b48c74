import { expect, test } from "@playwright/test";

const baseUrl = (): string => {
  const url = process.env.DEALFLOW_URL;
  if (url === undefined) throw new Error("DEALFLOW_URL is set by global setup");
  return url;
};

test("the demo loads the wasm core and shows the weighted value it computes", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${baseUrl()}/playground.html?component=summary&deals=0`);
  // 200,000 × 10 % + 100,000 × 40 % + 50,000 × 70 % = 95,000, computed by dealflow-core in wasm.
  await expect(page.getByTestId("weighted-value")).toHaveText("¥95,000.00");
  await page.screenshot({ path: "artifacts/screenshots/foundation-zh-CN.png", fullPage: true });
  expect(errors).toEqual([]);
});

test("the server answers its health check", async ({ request }) => {
  const response = await request.get(`${baseUrl()}/healthz`);
  expect(response.status()).toBe(200);
  expect(await response.text()).toBe("ok");
});
