import { expect, test } from "@playwright/test";

import { addToDealTeam, createDeal, field, registered, signIn } from "../support/demo.js";

test("two reps co-edit one deal: needs typed on one side, amount changed on the other, both see both within a second", async ({
  browser,
}) => {
  const zhang = await signIn(browser, "zhang-wei");
  const id = await createDeal(zhang, "华东电网 · 客服平台");
  await registered(zhang, id);
  await addToDealTeam(zhang, id, "liu-yang");
  const liu = await signIn(browser, "liu-yang", `#/deal/${encodeURIComponent(id)}`);
  await expect(liu.page.getByTestId("deal")).toBeVisible({ timeout: 15_000 });
  await expect(liu.page.locator("dealflow-deal").getByTestId("sync-status")).toHaveAttribute(
    "data-status",
    "online",
    { timeout: 10_000 },
  );

  const needs = "统一客服渠道，缩短响应时间";
  await Promise.all([
    field(zhang.page, "needs").pressSequentially(needs, { delay: 20 }),
    (async () => {
      await field(liu.page, "amount").fill("888888");
      await field(liu.page, "amount").press("Enter");
    })(),
  ]);

  // Each side sees the other's edit within a second of making its own.
  await expect(field(liu.page, "needs")).toHaveValue(needs, { timeout: 1_000 });
  await expect(field(zhang.page, "amount")).toHaveValue("888888.00", { timeout: 1_000 });
  await expect(field(zhang.page, "needs")).toHaveValue(needs);
  await expect(field(liu.page, "amount")).toHaveValue("888888.00");

  await zhang.page.screenshot({ path: "artifacts/screenshots/coedit-zhang-wei.png", fullPage: true });
  await liu.page.screenshot({ path: "artifacts/screenshots/coedit-liu-yang.png", fullPage: true });
  await zhang.context.close();
  await liu.context.close();
});

test("a rep sees which field the other rep is in", async ({ browser }) => {
  const zhang = await signIn(browser, "zhang-wei");
  const id = await createDeal(zhang, "华东电网 · 在线状态");
  await registered(zhang, id);
  await addToDealTeam(zhang, id, "liu-yang");
  const liu = await signIn(browser, "liu-yang", `#/deal/${encodeURIComponent(id)}`);
  await expect(liu.page.getByTestId("deal")).toBeVisible({ timeout: 15_000 });
  await field(zhang.page, "needs").focus();
  await expect(liu.page.locator("dealflow-deal [data-field=needs]")).toHaveAttribute("data-peer", /张伟/, {
    timeout: 5_000,
  });
  await zhang.context.close();
  await liu.context.close();
});
