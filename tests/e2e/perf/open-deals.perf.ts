/**
 * Opening 1,000 deal documents from IndexedDB with the browser library (`DealflowClient.create`:
 * one read transaction, one `Repo.loadMany` call, one replica per deal), the first board
 * summaries over them, and the memory they take; `parseMs` is `Repo.loadMany` alone over the
 * chunks already read (the wasm part of opening). Each run reloads the page, so the wasm module
 * and the database start cold in the page. Figures (medians of DEALFLOW_PERF_RUNS runs, default 5)
 * are printed and written to `artifacts/perf/open-deals.json`; run with
 * `npx playwright test -c perf.config.ts open-deals`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { test, type Page } from "@playwright/test";

import type { DealflowClient } from "../../../web/src/lib/index.js";
import { startServer } from "../support/server.js";

type Library = typeof import("../../../web/src/lib/index.js");

declare global {
  interface Window {
    dealflow: Library;
    opened: DealflowClient | undefined;
  }
}

const DEALS = Number(process.env.DEALFLOW_BENCH_DEALS ?? 1000);
const RUNS = Number(process.env.DEALFLOW_PERF_RUNS ?? 5);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function load(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/healthz`);
  await page.addScriptTag({
    type: "module",
    content: 'import * as library from "/lib/dealflow.js"; window.dealflow = library;',
  });
  await page.waitForFunction(() => window.dealflow !== undefined);
}

test(`open ${DEALS} deals from IndexedDB`, async ({ page }) => {
  test.setTimeout(1_800_000);
  const server = await startServer();
  try {
    await load(page, server.url);
    // Each deal as the bench makes it: opened, then given a needs text (2 changes, 2 chunks).
    await page.evaluate(async (count) => {
      const client = await window.dealflow.DealflowClient.create({
        user: { id: "wang-fang", name: "王芳" },
        databaseName: "perf-open",
      });
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
      client.close();
    }, DEALS);

    const runs: Record<string, number>[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      await load(page, server.url);
      runs.push(
        await page.evaluate(async () => {
          const idbStarted = performance.now();
          const store = await window.dealflow.ChunkStore.open("perf-open");
          const stored = await store.loadChunks();
          const chunks = stored.length;
          const idbMs = performance.now() - idbStarted;
          store.close();
          const started = performance.now();
          const client = await window.dealflow.DealflowClient.create({
            user: { id: "wang-fang", name: "王芳" },
            databaseName: "perf-open",
          });
          const openMs = performance.now() - started;
          const listStarted = performance.now();
          const deals = client.listDeals().length;
          const listMs = performance.now() - listStarted;
          window.opened = client;
          const heap = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
          const wasmMemoryMb = window.dealflow.wasmMemoryBytes() / 1_048_576;
          const jsHeapMb = (heap?.usedJSHeapSize ?? 0) / 1_048_576;
          // The wasm side of opening alone, measured after the figures above (so it does not
          // warm them up): every document parsed again by the sync client (`Repo.loadMany`)
          // from the chunks read before, in a repo of its own that is dropped afterwards.
          const parseStarted = performance.now();
          const repo = new window.dealflow.Repo("perf-peer", "perf-session", new Uint8Array(16).fill(7));
          repo.loadMany(stored);
          const parseMs = performance.now() - parseStarted;
          repo.free();
          return {
            deals,
            chunks,
            idbMs,
            parseMs,
            openMs,
            listMs,
            wasmMemoryMb,
            jsHeapMb,
          };
        }),
      );
    }
    const keys = Object.keys(runs[0] ?? {});
    const report = Object.fromEntries(
      keys.map((key) => [key, { median: median(runs.map((run) => run[key] ?? Number.NaN)), all: runs.map((run) => run[key]) }]),
    );
    console.log(JSON.stringify({ runs: RUNS, ...report }, null, 2));
    mkdirSync("artifacts/perf", { recursive: true });
    writeFileSync("artifacts/perf/open-deals.json", JSON.stringify({ runs: RUNS, ...report }, null, 2));
  } finally {
    await server.stop();
  }
});
