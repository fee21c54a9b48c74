import { expect, test, type Route } from "@playwright/test";

import { addToDealTeam, createDeal, field, registered, signIn } from "../support/demo.js";
import { baseUrl } from "../support/urls.js";

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

test("deal health shows once the compute worker and its module can be fetched, after both failed", async ({
  browser,
}) => {
  // The first fetch of the worker's script and the first of the compute module fail, as they do
  // when the connection drops while the board opens; the ones after go through.
  const fetches = { worker: 0, module: 0 };
  const failFirst = (kind: keyof typeof fetches) => async (route: Route) => {
    fetches[kind] += 1;
    if (fetches[kind] === 1) await route.abort("internetdisconnected");
    else await route.continue();
  };
  const rep = await signIn(browser, "zhang-wei", "#/board", baseUrl(), async (context) => {
    await context.route(/\/compute-worker-[^/]*\.js$/, failFirst("worker"));
    await context.route(/\/dealflow_compute_bg-[^/]*\.wasm$/, failFirst("module"));
  });
  const dealId = await createDeal(rep, "东方航空 · 健康度");
  // Back to the board in the same page (a reload would start over with a new worker).
  await rep.page.getByRole("link", { name: "销售看板" }).click();
  const card = rep.page.locator("dealflow-board").locator(`[data-deal="${dealId}"]`);
  await expect(card).toBeVisible({ timeout: 15_000 });
  // Each failure is tried again a few seconds later, without a reload.
  await expect(card.locator(".health")).toBeVisible({ timeout: 30_000 });
  expect(fetches.worker).toBeGreaterThanOrEqual(2);
  expect(fetches.module).toBeGreaterThanOrEqual(2);
  // Neither failure escaped as an uncaught error.
  expect(rep.errors).toEqual([]);
  await rep.context.close();
});

test("the forecast says in the user's language when it cannot be computed, and computes once the module loads", async ({
  browser,
}) => {
  // The compute module cannot be fetched until `reachable`.
  let reachable = false;
  const manager = await signIn(browser, "wang-fang", "#/forecast", baseUrl(), async (context) => {
    await context.route(/\/dealflow_compute_bg-[^/]*\.wasm$/, async (route) => {
      if (reachable) await route.continue();
      else await route.abort("internetdisconnected");
    });
  });
  const { page } = manager;
  const failed = page.getByTestId("forecast-failed");
  await expect(failed).toContainText("暂时无法计算预测", { timeout: 15_000 });
  await page.getByTestId("lang").selectOption("en");
  await expect(failed).toContainText("The forecast cannot be computed right now");
  await page.screenshot({ path: "artifacts/screenshots/forecast-failed-en.png" });

  // The connection drops and returns: the forecast is computed again, without a reload.
  reachable = true;
  const status = page.locator("dealflow-forecast").getByTestId("sync-status");
  await manager.context.setOffline(true);
  await expect(status).toHaveAttribute("data-status", "offline", { timeout: 10_000 });
  await manager.context.setOffline(false);
  await expect(status).toHaveAttribute("data-status", "online", { timeout: 15_000 });
  await expect(failed).toHaveCount(0, { timeout: 15_000 });
  await expect(page.getByTestId("forecast").or(page.getByTestId("forecast-unavailable"))).toBeVisible();
  expect(manager.errors).toEqual([]);
  await manager.context.close();
});
