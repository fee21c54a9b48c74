import { expect, test } from "@playwright/test";

import { addToDealTeam, createDeal, field, registered, signIn } from "../support/demo.js";

test("offline edits persist across a reload, reach the other rep on reconnect, and concurrent edits to other fields survive", async ({
  browser,
}) => {
  const zhang = await signIn(browser, "zhang-wei");
  const id = await createDeal(zhang, "江南银行 · 数据中台", "500000");
  await registered(zhang, id);
  await addToDealTeam(zhang, id, "liu-yang");
  const liu = await signIn(browser, "liu-yang", `#/deal/${encodeURIComponent(id)}`);
  await expect(liu.page.getByTestId("deal")).toBeVisible({ timeout: 15_000 });
  // Give the service worker its first visit, so the app shell reloads without a network.
  await zhang.page.reload();
  await expect(zhang.page.getByTestId("deal")).toBeVisible();

  const status = zhang.page.locator("dealflow-deal").getByTestId("sync-status");
  await zhang.context.setOffline(true);
  await expect(status).toHaveAttribute("data-status", "offline", { timeout: 10_000 });

  // Three fields offline on 张伟's side …
  await field(zhang.page, "needs").fill("离线时记录的需求");
  await field(zhang.page, "industry").fill("金融");
  await field(zhang.page, "industry").press("Enter");
  await field(zhang.page, "amount").fill("654321");
  await field(zhang.page, "amount").press("Enter");
  await expect(status).not.toHaveAttribute("data-unsynced", "0");
  // … and two others on 刘洋's side, online, at the same time.
  await field(liu.page, "businessValue").fill("每年节省 80 万元");
  await field(liu.page, "region").fill("华东");
  await field(liu.page, "region").press("Enter");

  // Reload while offline: the edits are in IndexedDB.
  await zhang.page.reload();
  await expect(field(zhang.page, "needs")).toHaveValue("离线时记录的需求", { timeout: 15_000 });
  await expect(field(zhang.page, "industry")).toHaveValue("金融");
  await expect(field(zhang.page, "amount")).toHaveValue("654321.00");
  await zhang.page.screenshot({ path: "artifacts/screenshots/offline-zhang-wei.png", fullPage: true });

  // Back online: both sides converge on all five edits.
  await zhang.context.setOffline(false);
  for (const page of [zhang.page, liu.page]) {
    await expect(field(page, "needs")).toHaveValue("离线时记录的需求", { timeout: 15_000 });
    await expect(field(page, "industry")).toHaveValue("金融", { timeout: 15_000 });
    await expect(field(page, "amount")).toHaveValue("654321.00", { timeout: 15_000 });
    await expect(field(page, "businessValue")).toHaveValue("每年节省 80 万元", { timeout: 15_000 });
    await expect(field(page, "region")).toHaveValue("华东", { timeout: 15_000 });
  }
  await expect(status).toHaveAttribute("data-unsynced", "0", { timeout: 15_000 });
  await zhang.context.close();
  await liu.context.close();
});
