import { expect, test, type Browser, type Page } from "@playwright/test";

import type { DealflowClient } from "../../../web/src/lib/index.js";
import { startServer, type RunningServer } from "../support/server.js";
import { failIndexedDbWrites, restoreIndexedDbWrites } from "../support/storage.js";

type Library = typeof import("../../../web/src/lib/index.js");

// Two browsers (separate contexts: separate IndexedDB and network, like two devices of one rep)
// run the real library (`web/dist/lib/dealflow.js`, the wasm core included) against the real
// relay. The page is any page of the relay's origin: IndexedDB and the WebSocket only need the
// origin, and the library is imported dynamically.

/** The part of the library the spec drives, as seen from the page. */
interface PageApi {
  create(databaseName: string, maxHeldFrames?: number): Promise<void>;
  connect(url: string, token: string): void;
  createDeal(title: string): Promise<string>;
  openDeal(dealId: string): Promise<boolean>;
  openDeals(dealIds: string[]): Promise<void>;
  setTitle(dealId: string, title: string): Promise<void>;
  setNeeds(dealId: string, needs: string): Promise<void>;
  read(dealId: string): { title: string; needs: string } | undefined;
  status(): { connection: string; unsyncedChanges: number | undefined; unsavedDocuments: number };
  heldFrames(): number;
  close(): void;
}

declare global {
  interface Window {
    dealflow: Library;
    spec: PageApi;
  }
}

let server: RunningServer;
const errors: string[] = [];

test.beforeAll(async () => {
  server = await startServer({ args: ["--dev-login"] });
});

test.afterAll(async () => {
  await server.stop();
});

async function token(user: string): Promise<string> {
  const response = await fetch(`${server.url}/api/dev/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { token: string };
  return body.token;
}

/** Opens the origin and installs `window.spec` over a `DealflowClient` from the built library. */
async function openTab(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on("pageerror", (error) => errors.push(error.message));
  await install(page);
  return page;
}

async function install(page: Page): Promise<void> {
  await page.goto(`${server.url}/healthz`);
  await page.addScriptTag({
    type: "module",
    content: 'import * as library from "/lib/dealflow.js"; window.dealflow = library;',
  });
  await page.waitForFunction(() => window.dealflow !== undefined);
  await page.evaluate(() => {
    const library = window.dealflow;
    let client: DealflowClient | undefined;
    const the = (): DealflowClient => {
      if (client === undefined) throw new Error("call create first");
      return client;
    };
    window.spec = {
      async create(databaseName, maxHeldFrames) {
        client = await library.DealflowClient.create({
          user: { id: "wang-fang", name: "王芳" },
          databaseName,
          maxHeldFrames,
        });
      },
      connect(url, token) {
        the().connect(url, token);
      },
      createDeal(title) {
        return the().createDeal({
          title,
          account: { name: "华东电网" },
          amount: { minor: 10_000_000, currency: "CNY" },
          owner: "wang-fang",
        });
      },
      async openDeal(dealId) {
        return (await the().openDeal(dealId)) !== undefined;
      },
      openDeals(dealIds) {
        return the().openDeals(dealIds);
      },
      async setTitle(dealId, title) {
        await the().setTitle(dealId, title);
      },
      async setNeeds(dealId, needs) {
        await the().edit(dealId, (doc, ctx) => doc.updateText(ctx, { field: "needs" }, needs));
      },
      read(dealId) {
        const deal = the().deal(dealId)?.deal;
        return deal === undefined ? undefined : { title: deal.title, needs: deal.needs };
      },
      status() {
        return the().status;
      },
      heldFrames() {
        return the().heldFrameCount;
      },
      close() {
        the().close();
      },
    };
  });
}

/** Makes an edit on `page`: `"stored"`, or the error code it was refused with. */
async function editOutcome(
  page: Page,
  edit: "setTitle" | "setNeeds",
  dealId: string,
  value: string,
): Promise<string> {
  return page.evaluate(
    ([kind, id, text]) =>
      window.spec[kind](id, text).then(
        () => "stored",
        (error: unknown) => (error as { code?: string }).code ?? String(error),
      ),
    [edit, dealId, value] as const,
  );
}

/** One rep's laptop and phone, each a client over its own IndexedDB database. */
interface Devices {
  laptop: Page;
  phone: Page;
  /** Connects the page's client to the relay as the rep. */
  connect(page: Page): Promise<void>;
}

/** The rep's two devices, with databases `laptop<suffix>` and `phone<suffix>`; the laptop is
 * connected, the phone too unless `phoneOnline` is false. */
async function twoDevices(
  browser: Browser,
  suffix: string,
  phoneOnline = true,
  laptopMaxHeldFrames?: number,
): Promise<Devices> {
  const syncUrl = `${server.url.replace(/^http/, "ws")}/sync`;
  const rep = await token("wang-fang");
  const laptop = await openTab(browser);
  const phone = await openTab(browser);
  await laptop.evaluate(
    ([name, max]) => window.spec.create(name, max),
    [`laptop${suffix}`, laptopMaxHeldFrames] as const,
  );
  await phone.evaluate((name) => window.spec.create(name), `phone${suffix}`);
  const connect = async (page: Page) => {
    await page.evaluate(([url, jwt]) => window.spec.connect(url, jwt), [syncUrl, rep] as const);
  };
  await connect(laptop);
  if (phoneOnline) await connect(phone);
  return { laptop, phone, connect };
}

test("two browsers edit one deal and converge; an offline edit survives a reload and syncs", async ({
  browser,
}) => {
  const { laptop, phone, connect } = await twoDevices(browser, "");

  const dealId = await laptop.evaluate(() => window.spec.createDeal("华东电网 CRM 二期"));
  await expect.poll(() => laptop.evaluate(() => window.spec.status().connection)).toBe("synced");
  expect(await phone.evaluate((id) => window.spec.openDeal(id), dealId)).toBe(true);

  // Concurrent edits of different fields on both sides merge.
  await Promise.all([
    laptop.evaluate((id) => window.spec.setTitle(id, "华东电网 CRM 二期（扩容）"), dealId),
    phone.evaluate((id) => window.spec.setNeeds(id, "统一客服平台"), dealId),
  ]);
  const merged = { title: "华东电网 CRM 二期（扩容）", needs: "统一客服平台" };
  await expect.poll(() => laptop.evaluate((id) => window.spec.read(id), dealId)).toEqual(merged);
  await expect.poll(() => phone.evaluate((id) => window.spec.read(id), dealId)).toEqual(merged);

  // The laptop goes offline and edits: stored, counted as unsynced, not seen by the phone.
  await laptop.context().setOffline(true);
  await expect.poll(() => laptop.evaluate(() => window.spec.status().connection)).toBe("offline");
  await laptop.evaluate((id) => window.spec.setTitle(id, "离线修改的标题"), dealId);
  const offline = await laptop.evaluate(() => window.spec.status());
  expect(offline.connection).toBe("offline");
  expect(offline.unsyncedChanges).toBeGreaterThan(0);

  // Reload: the client is closed first so it cannot sync when the network returns for the
  // page load; the edit must come back from IndexedDB alone.
  await laptop.evaluate(() => window.spec.close());
  await laptop.context().setOffline(false);
  await install(laptop);
  await laptop.evaluate(() => window.spec.create("laptop"));
  expect(await laptop.evaluate((id) => window.spec.read(id), dealId)).toEqual({
    title: "离线修改的标题",
    needs: "统一客服平台",
  });
  expect(await phone.evaluate((id) => window.spec.read(id)?.title, dealId)).toBe(merged.title);

  // Reconnect: the edit reaches the phone, and the laptop reports everything synced.
  await connect(laptop);
  await expect
    .poll(() => phone.evaluate((id) => window.spec.read(id)?.title, dealId))
    .toBe("离线修改的标题");
  await expect
    .poll(() => laptop.evaluate(() => window.spec.status()))
    .toEqual({ connection: "synced", unsyncedChanges: 0, unsavedDocuments: 0 });
  expect(errors).toEqual([]);
});

test("a second device asks for every deal it lacks in one call and gets them all", async ({ browser }) => {
  const { laptop, phone, connect } = await twoDevices(browser, "-many", false);
  const titles = ["华东电网 CRM 三期", "南方航空 客服中台", "招商银行 数据平台"];
  const dealIds: string[] = [];
  for (const title of titles) dealIds.push(await laptop.evaluate((name) => window.spec.createDeal(name), title));
  await expect.poll(() => laptop.evaluate(() => window.spec.status().connection)).toBe("synced");

  // The phone opens one deal alone first; then one call asks for the rest, the one held is
  // neither read nor asked for again.
  await connect(phone);
  expect(await phone.evaluate((id) => window.spec.openDeal(id), dealIds[0] ?? "")).toBe(true);
  await phone.evaluate((ids) => window.spec.openDeals(ids), dealIds);
  for (const [index, id] of dealIds.entries())
    await expect.poll(() => phone.evaluate((deal) => window.spec.read(deal)?.title, id)).toBe(titles[index]);
  // A deal held is answered at once, from the phone itself.
  await phone.context().setOffline(true);
  expect(await phone.evaluate((id) => window.spec.openDeal(id), dealIds[2] ?? "")).toBe(true);
  await phone.context().setOffline(false);
  expect(errors).toEqual([]);
});

test("an edit whose IndexedDB write failed is stored by the next write and still reaches the relay", async ({
  browser,
}) => {
  const { laptop, phone } = await twoDevices(browser, "-full-disk");
  const dealId = await laptop.evaluate(() => window.spec.createDeal("国家电网 营销系统"));
  await expect.poll(() => laptop.evaluate(() => window.spec.status().connection)).toBe("synced");
  expect(await phone.evaluate((id) => window.spec.openDeal(id), dealId)).toBe(true);

  // The disk is full: the edit is made in memory, its write fails, and it is not sent.
  await failIndexedDbWrites(laptop);
  const failure = await editOutcome(laptop, "setTitle", dealId, "磁盘满时的标题");
  expect(failure).toBe("storage_failed");
  expect(await laptop.evaluate(() => window.spec.status().unsavedDocuments)).toBe(1);
  expect(await phone.evaluate((id) => window.spec.read(id)?.title, dealId)).toBe("国家电网 营销系统");

  // Space again; the next edit's write (incremental after the failed one, as core sees it)
  // must store the failed edit too.
  await restoreIndexedDbWrites(laptop);
  await laptop.evaluate((id) => window.spec.setNeeds(id, "磁盘恢复后的需求"), dealId);
  expect(await laptop.evaluate(() => window.spec.status().unsavedDocuments)).toBe(0);
  const both = { title: "磁盘满时的标题", needs: "磁盘恢复后的需求" };
  await expect.poll(() => phone.evaluate((id) => window.spec.read(id), dealId)).toEqual(both);

  // A new client over the same database, never connected, reads both edits from IndexedDB.
  await laptop.evaluate(() => window.spec.close());
  await laptop.evaluate(() => window.spec.create("laptop-full-disk"));
  expect(await laptop.evaluate((id) => window.spec.read(id), dealId)).toEqual(both);
  expect(errors).toEqual([]);
});

test("frames held behind a full disk stay bounded, and every edit still syncs once it has space", async ({
  browser,
}) => {
  const max = 3;
  const { laptop, phone } = await twoDevices(browser, "-long-full-disk", true, max);
  const dealId = await laptop.evaluate(() => window.spec.createDeal("南方电网 调度系统"));
  await expect.poll(() => laptop.evaluate(() => window.spec.status().connection)).toBe("synced");
  expect(await phone.evaluate((id) => window.spec.openDeal(id), dealId)).toBe(true);

  // A long stretch of full disk: every edit fails to store, and its frame is held, not sent.
  await failIndexedDbWrites(laptop);
  const held: number[] = [];
  for (let edit = 1; edit <= 3 * max; edit += 1) {
    const outcome = await editOutcome(laptop, "setNeeds", dealId, `磁盘满时的第 ${edit} 次修改`);
    expect(outcome).toBe("storage_failed");
    held.push(await laptop.evaluate(() => window.spec.heldFrames()));
  }
  // Each edit held one more frame until the limit; the one past it dropped the connection
  // and every held frame with it.
  expect(held.slice(0, max)).toEqual([1, 2, 3]);
  expect(Math.max(...held)).toBeLessThanOrEqual(max);
  expect(held[max]).toBeLessThan(max);
  // Nothing unstored reached the relay.
  expect(await phone.evaluate((id) => window.spec.read(id)?.needs, dealId)).toBe("");

  // Space again: the next write stores the document whole, and the connection the client made
  // again after the drop syncs the last edit, which holds all the others.
  await restoreIndexedDbWrites(laptop);
  await laptop.evaluate((id) => window.spec.setTitle(id, "南方电网 调度系统 二期"), dealId);
  expect(await laptop.evaluate(() => window.spec.status().unsavedDocuments)).toBe(0);
  const last = { title: "南方电网 调度系统 二期", needs: `磁盘满时的第 ${3 * max} 次修改` };
  await expect.poll(() => phone.evaluate((id) => window.spec.read(id), dealId)).toEqual(last);
  await expect.poll(() => laptop.evaluate(() => window.spec.status().connection)).toBe("synced");
  expect(await laptop.evaluate(() => window.spec.heldFrames())).toBe(0);
  expect(errors).toEqual([]);
});
