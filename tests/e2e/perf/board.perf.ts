/**
 * The board with 1,000 deals: time to interactive on a cold load (wasm compiled and every
 * document loaded from bytes in a fresh browser context) and on a warm load (same context: HTTP
 * cache and compiled wasm reused), and the time from dropping a card in another stage to the
 * re-rendered board. Figures are printed; run with `npx playwright test -c perf.config.ts`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { expect, test, type Page } from "@playwright/test";

import { playground } from "../support/urls.js";
import { installDrag, type DragInPage } from "./drag.js";

const DEALS = 1000;
const RUNS = Number(process.env.DEALFLOW_PERF_RUNS ?? 3);
/** Drags per run dispatched in the page (see `dispatchedDrags`). */
const DISPATCHED = 10;
const file = `artifacts/perf/deals-${DEALS}.json`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

type SavingSession = { saveAll(): [string, Uint8Array][] };

/** Makes the 1,000 sample deals once (through core, so it takes a while) and keeps their bytes. */
async function savedDeals(page: Page): Promise<string> {
  if (existsSync(file)) return readFileSync(file, "utf8");
  await page.goto(playground({ component: "summary", deals: DEALS }), { timeout: 900_000 });
  await page.waitForFunction(() => "dealflowPlayground" in window, undefined, { timeout: 900_000 });
  const json = await page.evaluate(() => {
    const { session } = (window as unknown as { dealflowPlayground: { session: SavingSession } })
      .dealflowPlayground;
    const base64 = (bytes: Uint8Array) => {
      let text = "";
      for (const byte of bytes) text += String.fromCharCode(byte);
      return btoa(text);
    };
    return JSON.stringify(session.saveAll().map(([id, bytes]) => [id, base64(bytes)]));
  });
  mkdirSync("artifacts/perf", { recursive: true });
  writeFileSync(file, json);
  return json;
}

/** Navigates and returns ms from navigation start until the board shows every card. */
async function timeToInteractive(page: Page): Promise<number> {
  await page.goto(`${playground({ component: "board" })}&load=/perf-deals.json`);
  await page.waitForFunction(
    (count) =>
      document.querySelector("dealflow-board")?.shadowRoot?.querySelectorAll("[data-testid=card]").length ===
      count,
    DEALS,
    { polling: "raf", timeout: 300_000 },
  );
  return page.evaluate(() => performance.now());
}

/**
 * Drags dispatched in the page (`window.dealflowDrag`, see `drag.ts`), each awaited until the
 * board says it re-rendered, a second apart as a user's would be. Playwright's `dragTo` drives
 * the same handlers but its locators walk the shadow DOM of 1,000 cards from inside the page
 * before and after every drop, and the garbage they leave is collected during the next measured
 * drop; these figures leave the harness out. Returns drop → re-rendered board (ms) for each
 * drag, and the session's move alone (core's criteria check, the document change, the summary
 * refresh) measured on the same deals right after.
 */
async function dispatchedDrags(page: Page, count: number): Promise<{ drops: number[]; moves: number[] }> {
  return page.evaluate(async (count) => {
    const board = document.querySelector("dealflow-board");
    const root = board?.shadowRoot;
    if (!board || !root) throw new Error("no board");
    const drops: number[] = [];
    const { dealflowDrag } = window as unknown as { dealflowDrag: DragInPage };
    const drag = (dealId: string, stage: string) => dealflowDrag(board, dealId, stage);
    const pause = () => new Promise((resolve) => setTimeout(resolve, 1_000));
    const ids = [...root.querySelectorAll<HTMLElement>('[data-stage="needs"] [data-testid=card]')]
      .slice(0, count)
      .map((card) => card.dataset.deal ?? "");
    for (const id of ids) {
      drops.push(await drag(id, "qualify"));
      await pause();
      drops.push(await drag(id, "needs"));
      await pause();
    }
    type Session = { moveNow(id: string, target: unknown): unknown };
    const session = (window as unknown as { dealflowPlayground: { session: Session } }).dealflowPlayground
      .session;
    const moves: number[] = [];
    for (const id of ids) {
      for (const stage of ["qualify", "needs"]) {
        const started = performance.now();
        session.moveNow(id, { kind: "stage", stage });
        moves.push(performance.now() - started);
        await pause();
      }
    }
    return { drops, moves };
  }, count);
}

test(`board with ${DEALS} deals`, async ({ browser }) => {
  const maker = await browser.newPage();
  const json = await savedDeals(maker);
  await maker.close();

  const cold: number[] = [];
  const warm: number[] = [];
  const drags: number[] = [];
  const dispatched: number[] = [];
  const moves: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const context = await browser.newContext();
    await context.addInitScript(installDrag);
    await context.route((url) => url.pathname === "/perf-deals.json", (route) =>
      route.fulfill({ body: json, contentType: "application/json" }),
    );
    const page = await context.newPage();
    cold.push(await timeToInteractive(page));
    warm.push(await timeToInteractive(page));

    // Drag a card the criteria let through? Any drop re-renders; time drop → board updated,
    // whether core moves the deal or answers with the checklist.
    await page.evaluate(() => {
      const board = document.querySelector("dealflow-board");
      board?.addEventListener("dealflow-moved", (event) => {
        (window as unknown as { moved: number[] }).moved ??= [];
        (window as unknown as { moved: number[] }).moved.push(
          (event as CustomEvent<{ milliseconds: number }>).detail.milliseconds,
        );
      });
    });
    // A qualify card with industry and needs (sample deals past 线索验证 have them) moves back
    // and forth between 需求分析 and 线索验证 (the pipeline allows moving back).
    const needs = page.getByTestId("column-needs");
    const qualify = page.getByTestId("column-qualify");
    const card = needs.getByTestId("card").first();
    const dealId = await card.getAttribute("data-deal");
    await card.dragTo(qualify);
    await expect(qualify.locator(`[data-deal="${dealId}"]`)).toBeVisible();
    await qualify.locator(`[data-deal="${dealId}"]`).dragTo(needs);
    await expect(needs.locator(`[data-deal="${dealId}"]`)).toBeVisible();
    drags.push(...(await page.evaluate(() => (window as unknown as { moved: number[] }).moved)));
    const inPage = await dispatchedDrags(page, DISPATCHED / 2);
    dispatched.push(...inPage.drops);
    moves.push(...inPage.moves);
    await context.close();
  }
  const report = {
    deals: DEALS,
    runs: RUNS,
    coldMs: { median: median(cold), all: cold },
    warmMs: { median: median(warm), all: warm },
    dragToRenderMs: { median: median(drags), all: drags },
    dispatchedDragToRenderMs: { median: median(dispatched), all: dispatched },
    sessionMoveMs: { median: median(moves), all: moves },
  };
  console.log(JSON.stringify(report, null, 2));
  writeFileSync("artifacts/perf/board.json", JSON.stringify(report, null, 2));
});
