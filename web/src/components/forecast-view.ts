/**
 * Turns the compute worker's results (core's forecast, range, targets, funnels and deal health)
 * into the components' views: it picks the rows to show and labels them, and computes nothing.
 */
import type { Dashboard, DashboardRequest } from "../lib/compute.js";
import type {
  ForecastTarget,
  LocalizedText,
  StalledDeal,
} from "../wasm/dealflow_wasm.js";
import { computeClient } from "../lib/compute.js";
import { dateAt } from "./calendar.js";
import type { ForecastSelection, ForecastView, HealthView } from "./session.js";
import { CATEGORY_LABELS, MODEL_LABELS } from "./text.js";

/** How far back stage win rates are learned from: a year of history. */
const HISTORY_MILLIS = 365 * 86_400_000;

/** 100 % in basis points. */
const FULL_CONVERSION_BP = 10_000;

/** The seed of the dashboard's simulation: the same deals always show the same range. */
const RANGE_SEED = 20_260_101;

/** The quarter `"2026-Q1"` of a month `"2026-03"`. */
export function quarterOf(month: string): string {
  const [year, number] = month.split("-");
  return `${year}-Q${Math.floor((Number(number) - 1) / 3) + 1}`;
}

/** The period of `kind` that holds `now`: the dashboard's default is the current quarter. */
export function currentPeriod(
  now: number,
  utcOffsetMinutes: number,
  kind: ForecastSelection["kind"] = "quarter",
): ForecastSelection {
  const month = dateAt(now, utcOffsetMinutes).slice(0, 7);
  return {
    kind,
    period:
      kind === "month"
        ? month
        : kind === "quarter"
          ? quarterOf(month)
          : month.slice(0, 4),
  };
}

/** The kind of a period as core writes it: `"2026-03"`, `"2026-Q1"` or `"2026"`. */
export function kindOf(period: string): ForecastSelection["kind"] {
  if (!period.includes("-")) return "year";
  return period.includes("Q") ? "quarter" : "month";
}

/** Whether a target's period is of `kind`. */
function ofKind(period: string, kind: ForecastSelection["kind"]): boolean {
  return kindOf(period) === kind;
}

/**
 * The dashboard request for a snapshot of the deals held at `now`, in CNY, for `selection`
 * (default: the current quarter); of `targets`, those of the selection's period kind.
 */
export function dashboardRequest(
  snapshot: Uint8Array,
  now: number,
  utcOffsetMinutes: number,
  targets: ForecastTarget[],
  selection: ForecastSelection = currentPeriod(now, utcOffsetMinutes),
): DashboardRequest {
  return {
    snapshot,
    utcOffsetMinutes,
    currency: "CNY",
    periodKind: selection.kind,
    period: selection.period,
    rangeModel: "best_practice",
    seed: RANGE_SEED,
    now,
    historyMillis: HISTORY_MILLIS,
    targets: targets.filter((target) => ofKind(target.period, selection.kind)),
  };
}

/**
 * `"2026-03"` as 2026年3月 / Mar 2026, `"2026-Q1"` as 2026年第1季度 / Q1 2026, `"2026"` as
 * 2026年 / 2026.
 */
export function periodLabel(period: string): LocalizedText {
  if (kindOf(period) === "year") return { zh: `${period}年`, en: period };
  const [year, month] = period.split("-");
  if (month?.startsWith("Q"))
    return { zh: `${year}年第${month.slice(1)}季度`, en: `${month} ${year}` };
  const number = Number(month);
  if (year === undefined || !Number.isInteger(number))
    return { zh: period, en: period };
  const english = new Date(Date.UTC(Number(year), number - 1, 1));
  return {
    zh: `${year}年${number}月`,
    en: english.toLocaleDateString("en", {
      month: "short",
      year: "numeric",
      timeZone: "UTC",
    }),
  };
}

const MODELS = [
  "bestPractice",
  "repCommit",
  "stageWeighted",
  "manualWeighted",
] as const;

/**
 * The view of a dashboard: the four models, the categories behind rep commit and the range for
 * the current period, forecast and target per month, and the funnel of the pipeline with the
 * most deals. `pipelineName` names a pipeline id.
 */
export function forecastView(
  dashboard: Dashboard,
  stalled: StalledDeal[],
  pipelineName: (id: string) => LocalizedText,
): ForecastView | undefined {
  const totals = dashboard.forecast.rows
    .filter((row) => row.group.kind === "total")
    .sort((left, right) => (left.period < right.period ? -1 : 1));
  const current = totals.find((row) => row.period === dashboard.period);
  if (current === undefined) return undefined;
  const targets = new Map(
    dashboard.attainment
      .filter((attainment) => attainment.group.kind === "total")
      .map((attainment) => [attainment.period, attainment]),
  );
  const currentTarget = targets.get(current.period);
  const funnel = [...dashboard.funnels].sort(
    (left, right) => right.deals - left.deals,
  )[0];
  const range = dashboard.range;
  return {
    period: periodLabel(current.period),
    selection: {
      kind: kindOf(current.period),
      period: current.period,
    },
    periodKeys: totals.map((row) => row.period),
    models: MODELS.map((model) => ({
      id: model,
      label: MODEL_LABELS[model],
      total: current.forecast[model],
      ...(currentTarget === undefined
        ? {}
        : { completionBp: currentTarget.forecastCompletionBp[model] }),
    })),
    categories: (["closed", "commit", "bestCase", "pipeline"] as const).map(
      (category) => ({
        id: category,
        label: CATEGORY_LABELS[category],
        amount: current.adjustedCategories[category],
      }),
    ),
    closedWon: current.closedWon,
    openDeals: current.openDeals,
    range: {
      p10: range.p10,
      p50: range.p50,
      p90: range.p90,
      expected: range.expected,
      trials: range.trials,
      simulatedDeals: range.simulatedDeals,
    },
    ...(currentTarget === undefined ? {} : { target: currentTarget.target }),
    periods: totals.map((row) => {
      const target = targets.get(row.period);
      return {
        label: periodLabel(row.period),
        forecast: row.forecast.bestPractice,
        closedWon: row.closedWon,
        ...(target === undefined ? {} : { target: target.target }),
      };
    }),
    ...(funnel === undefined
      ? {}
      : {
          funnelPipeline: pipelineName(funnel.pipeline),
          funnel: funnel.stages.map((stage) => ({
            stage: stage.stage,
            label: stage.label,
            deals: stage.entered,
            ...(stage.decidedConversionBp === undefined
              ? {}
              : { conversionBp: stage.decidedConversionBp }),
            // Core names the stage of lowest conversion; when even that one converted every
            // decided deal there is nothing to unblock, so none is highlighted.
            bottleneck:
              stage.bottleneck &&
              (stage.decidedConversionBp ?? 0) < FULL_CONVERSION_BP,
          })),
        }),
    stalled,
  };
}

/** Deal health by deal id, computed by core in the compute worker over a snapshot. */
export async function healthByDeal(
  snapshot: Uint8Array,
  utcOffsetMinutes: number,
  now: number,
): Promise<Map<string, HealthView>> {
  const reports = await computeClient().health(snapshot, utcOffsetMinutes, now);
  return new Map(
    reports.map((health) => [
      health.deal,
      {
        score: health.score,
        reasons: health.findings.map((finding) => finding.reason),
        actions: health.findings.map((finding) => finding.action),
      },
    ]),
  );
}
