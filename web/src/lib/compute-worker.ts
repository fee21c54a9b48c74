/**
 * The compute worker: loads the compute module (`dealflow_compute`, no Automerge in it) in a Web
 * Worker and serves its computations to the page through Comlink, so forecasts, Monte Carlo
 * ranges and funnels never block the UI. Every figure is core's; this file only calls
 * `Analysis` and gathers the results the dashboard shows in one round trip.
 */
import * as Comlink from "comlink";

import init, {
  Analysis,
  type CurrencyCode,
  type DealHealth,
  type ForecastTable,
  type ForecastTarget,
  type FunnelReport,
  type PeriodKind,
  type RevenueRange,
  type SimulatedModel,
  type TargetAttainment,
} from "../wasm/dealflow_compute.js";
import { loadOnce } from "./load-once.js";

/** What the forecast dashboard asks for. */
export interface DashboardRequest {
  /** `Workspace.snapshot()` of the deals held (transferred, not copied). */
  snapshot: Uint8Array;
  utcOffsetMinutes: number;
  currency: CurrencyCode;
  periodKind: PeriodKind;
  /**
   * The period to show, `"2026-03"` or `"2026-Q1"`; when no deal falls in it, the next period
   * that has deals (else the last one) is shown instead.
   */
  period: string;
  /** The model whose probabilities the simulation draws with. */
  rangeModel: SimulatedModel;
  trials?: number;
  seed: number;
  /** Now (ms): the funnel's as-of time and the end of the win-rate history. */
  now: number;
  /** How far back stage win rates are learned from, in ms before `now`. */
  historyMillis: number;
  targets: ForecastTarget[];
}

/** Everything the forecast dashboard shows, computed by core in the worker. */
export interface Dashboard {
  /** The period shown (see {@link DashboardRequest.period}) and the range's period. */
  period: string;
  forecast: ForecastTable;
  range: RevenueRange;
  attainment: TargetAttainment[];
  /** One funnel per pipeline in the snapshot that has deals. */
  funnels: FunnelReport[];
  dealCount: number;
}

/** The compute module's API as the worker serves it. */
export interface ComputeApi {
  /**
   * Loads the compute module (from `wasmUrl`, default next to the glue), where every later
   * computation loads it from too; idempotent, and a load that failed is tried again by the next
   * call or computation.
   */
  load(wasmUrl?: string): Promise<void>;
  /** Every figure of the forecast dashboard over one snapshot. */
  dashboard(request: DashboardRequest): Promise<Dashboard>;
  /** The health of every open deal at `now` (ms), lowest score first. */
  health(
    snapshot: Uint8Array,
    utcOffsetMinutes: number,
    now: number,
  ): Promise<DealHealth[]>;
  /** The four forecast models by period, rep, team and pipeline. */
  forecast(
    snapshot: Uint8Array,
    utcOffsetMinutes: number,
    currency: CurrencyCode,
    periodKind: PeriodKind,
  ): Promise<ForecastTable>;
}

/** Where `load` was told the compute module is (default: next to its glue). */
let moduleUrl: string | undefined;

/** Loads the compute module once; a load that failed (e.g. offline) is tried again. */
const loaded = loadOnce(() =>
  init(moduleUrl === undefined ? undefined : { module_or_path: moduleUrl }),
);

/** Runs `compute` over a fresh `Analysis` and frees it (wasm memory is not collected). */
async function withAnalysis<T>(
  snapshot: Uint8Array,
  utcOffsetMinutes: number,
  compute: (analysis: Analysis) => T,
): Promise<T> {
  await loaded();
  const analysis = new Analysis(snapshot, utcOffsetMinutes);
  try {
    return compute(analysis);
  } finally {
    analysis.free();
  }
}

const api: ComputeApi = {
  async load(wasmUrl) {
    moduleUrl = wasmUrl;
    await loaded();
  },
  dashboard(request) {
    return withAnalysis(
      request.snapshot,
      request.utcOffsetMinutes,
      (analysis) => {
        analysis.learnWinRates(
          request.now - request.historyMillis,
          request.now,
        );
        const forecast = analysis.forecast(
          request.currency,
          request.periodKind,
        );
        const pipelines = [
          ...new Set(
            forecast.rows.flatMap((row) =>
              row.group.kind === "pipeline" ? [row.group.id] : [],
            ),
          ),
        ];
        const periods = forecast.rows
          .filter((row) => row.group.kind === "total")
          .map((row) => row.period)
          .sort();
        const period =
          periods.find((each) => each >= request.period) ??
          periods.at(-1) ??
          request.period;
        return {
          period,
          forecast,
          range: analysis.range(
            request.currency,
            request.periodKind,
            period,
            request.rangeModel,
            request.trials,
            request.seed,
          ),
          attainment: analysis.attainment(
            request.currency,
            request.periodKind,
            request.targets,
          ),
          funnels: pipelines.map((pipeline) =>
            analysis.funnel(request.currency, pipeline, request.now),
          ),
          dealCount: analysis.dealCount,
        };
      },
    );
  },
  health(snapshot, utcOffsetMinutes, now) {
    return withAnalysis(snapshot, utcOffsetMinutes, (analysis) =>
      analysis.health(now),
    );
  },
  forecast(snapshot, utcOffsetMinutes, currency, periodKind) {
    return withAnalysis(snapshot, utcOffsetMinutes, (analysis) =>
      analysis.forecast(currency, periodKind),
    );
  },
};

Comlink.expose(api);
