import { test } from "@playwright/test";

import type { DealflowClient } from "../../../web/src/lib/index.js";
import { startServer } from "../support/server.js";

// Opening 1,000 deal documents from IndexedDB in Chromium, the memory they take, and a local
// edit (typed edit + store in IndexedDB) as a page sees it. Set DEALFLOW_BENCH_DEALS to change
// the count.

type Library = typeof import("../../../web/src/lib/index.js");

declare global {
  interface Window {
    dealflow: Library;
    bench: DealflowClient | undefined;
  }
}

const N_DEALS = Number(process.env.DEALFLOW_BENCH_DEALS ?? 1000);

test("open 1,000 deals from IndexedDB", async ({ page }) => {
  const server = await startServer();
  try {
    const load = async (): Promise<void> => {
      await page.goto(`${server.url}/healthz`);
      await page.addScriptTag({
        type: "module",
        content: 'import * as library from "/lib/dealflow.js"; window.dealflow = library;',
      });
      await page.waitForFunction(() => window.dealflow !== undefined);
    };
    await load();
    const created = await page.evaluate(async (count) => {
      const client = await window.dealflow.DealflowClient.create({
        user: { id: "wang-fang", name: "王芳" },
        databaseName: "bench",
      });
      const started = performance.now();
      for (let index = 0; index < count; index += 1) {
        const dealId = await client.createDeal({
          title: `华东电网 CRM 二期 #${index}`,
          account: { name: `客户 ${index}`, industry: "能源" },
          amount: { minor: 10_000_000 + index, currency: "CNY" },
          owner: "wang-fang",
          expectedClose: "2026-06-30",
        });
        await client.edit(dealId, (doc, ctx) =>
          doc.updateText(ctx, { field: "needs" }, "统一客服平台，替换旧系统"),
        );
      }
      const ms = performance.now() - started;
      client.close();
      return ms;
    }, N_DEALS);

    await load();
    const opened = await page.evaluate(async () => {
      // IndexedDB alone: every chunk of every deal in one read transaction.
      const idbStarted = performance.now();
      const store = await window.dealflow.ChunkStore.open("bench");
      const chunks = (await store.loadChunks()).length;
      const idbMs = performance.now() - idbStarted;
      store.close();
      const started = performance.now();
      const client = await window.dealflow.DealflowClient.create({
        user: { id: "wang-fang", name: "王芳" },
        databaseName: "bench",
      });
      const openMs = performance.now() - started;
      const listStarted = performance.now();
      const summaries = client.listDeals();
      const listMs = performance.now() - listStarted;
      const attentionStarted = performance.now();
      client.attention();
      const attentionMs = performance.now() - attentionStarted;
      // The forecast runs in the compute module (in the page here, in a worker in the app):
      // the snapshot handed to it, then the four models.
      await window.dealflow.loadDealflowCompute();
      const forecastStarted = performance.now();
      const analysis = new window.dealflow.Analysis(client.core.snapshot(), 480);
      analysis.forecast("CNY", "quarter");
      analysis.free();
      const forecastMs = performance.now() - forecastStarted;
      // One typed edit of one deal, stored in IndexedDB before the promise resolves.
      const dealId = summaries[0]?.id ?? "";
      const edits = 200;
      const editStarted = performance.now();
      for (let index = 0; index < edits; index += 1) {
        await client.setTitle(dealId, `华东电网 CRM 二期 v${index}`);
      }
      const editMs = (performance.now() - editStarted) / edits;
      const wasmOnlyStarted = performance.now();
      for (let index = 0; index < edits; index += 1) {
        client.core.deal(dealId)?.setTitle({ by: "wang-fang", now: Date.now() }, `t${index}`);
      }
      const wasmEditMs = (performance.now() - wasmOnlyStarted) / edits;
      window.bench = client;
      const heap = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
      return {
        deals: summaries.length,
        chunks,
        idbMs,
        openMs,
        listMs,
        attentionMs,
        forecastMs,
        editMs,
        wasmEditMs,
        wasmMemoryMb: window.dealflow.wasmMemoryBytes() / 1_048_576,
        jsHeapMb: (heap?.usedJSHeapSize ?? 0) / 1_048_576,
      };
    });
    console.log(
      JSON.stringify({ createdAndEditedMs: Math.round(created), ...opened }, null, 2),
    );
  } finally {
    await server.stop();
  }
});
