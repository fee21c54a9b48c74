import { css, html, nothing } from "lit";
import { customElement, state } from "lit/decorators.js";
import { ref } from "lit/directives/ref.js";
import * as echarts from "echarts/core";
import { BarChart, FunnelChart, LineChart } from "echarts/charts";
import {
  GridComponent,
  LegendComponent,
  TooltipComponent,
} from "echarts/components";
import { SVGRenderer } from "echarts/renderers";

import type { Money } from "../wasm/dealflow_wasm.js";
import { DealflowElement } from "./base.js";
import { moneyToInput } from "./money-input.js";
import { dateAt } from "./calendar.js";
import { quarterOf } from "./forecast-view.js";
import type {
  DealflowSession,
  ForecastPeriodKind,
  ForecastSelection,
  ForecastView,
} from "./session.js";

echarts.use([
  BarChart,
  FunnelChart,
  LineChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  SVGRenderer,
]);

type ChartName = "models" | "range" | "target" | "funnel";

/** Chart values in major units, for axes only; labels are formatted from exact minor units. */
function major(money: Money): number {
  return Number(moneyToInput(money));
}

/** The month of a quarter `"2026-Q1"` to show when switching to months: `today`'s, else its first. */
function monthOf(quarter: string, today: string): string {
  if (quarterOf(today) === quarter) return today;
  const [year, number] = quarter.split("-Q");
  return `${year}-${String((Number(number) - 1) * 3 + 1).padStart(2, "0")}`;
}

/**
 * `<dealflow-forecast>`: the forecast dashboard — the four models side by side, the P10 / P50 /
 * P90 revenue range, forecast against target per period, the funnel with its bottleneck, and
 * the stalled deals. Every figure is computed by core; this element only draws it (ECharts).
 * It opens on the current quarter; the toolbar switches between months, quarters and years and steps
 * to the previous or next period that has deals.
 *
 * @fires dealflow-open-deal - `{ dealId }` when a stalled deal is opened
 * @csspart toolbar - the title and status bar
 * @csspart status - the connection badge
 * @csspart chart - each chart panel
 * @csspart stalled - the stalled-deals list
 */
@customElement("dealflow-forecast")
export class DealflowForecast extends DealflowElement {
  static override styles = [
    DealflowElement.styles,
    css`
      .panels {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(360px, 1fr));
        gap: 12px;
        padding: 12px;
      }
      section {
        background: var(--_surface);
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        padding: 10px 12px;
      }
      .chart {
        width: 100%;
        height: 260px;
      }
      .figures {
        display: flex;
        gap: 16px;
        flex-wrap: wrap;
        font-size: 13px;
      }
      .figures strong {
        display: block;
        font-size: 18px;
        color: var(--_accent);
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      section[part="stalled"] ul {
        max-height: 420px;
        overflow-y: auto;
      }
      li {
        padding: 6px 0;
        border-bottom: 1px solid var(--_border);
        cursor: pointer;
      }
      .meta {
        display: block;
      }
      .figures em {
        font-style: normal;
      }
      .categories {
        display: flex;
        flex-wrap: wrap;
        gap: 4px 12px;
        margin-top: 8px;
        font-size: 12px;
      }
      .categories .meta {
        flex-basis: 100%;
      }
      .danger {
        color: var(--dealflow-danger, #f54a45);
      }
      .error {
        color: var(--dealflow-danger, #f54a45);
      }
    `,
  ];

  private charts = new Map<ChartName, echarts.ECharts>();
  private hosts = new Map<ChartName, HTMLElement>();
  /** The last dashboard the compute worker returned (`undefined`: nothing to forecast). */
  @state() private view: ForecastView | undefined;
  /** The period asked for; `undefined` until the user picks one (the current quarter). */
  @state() private selection: ForecastSelection | undefined;
  /** Whether a dashboard has arrived since the session was ready. */
  @state() private computed = false;
  /** Why the last computation failed (shown as a tooltip), until one succeeds. */
  @state() private computeFailure: string | undefined;
  /** A computation is running in the worker; another is owed when data changed meanwhile. */
  private computing = false;
  private owed = false;
  private lastStarted = 0;

  /** Recomputes at most once a second: a sync burst changes many deals at once. */
  private static readonly MIN_INTERVAL_MS = 1_000;

  protected override sessionReady(session: DealflowSession): void {
    super.sessionReady(session);
    this.refresh();
  }

  protected override sessionChanged(): void {
    super.sessionChanged();
    this.refresh();
  }

  /** Asks the compute worker for a new dashboard; the page stays responsive meanwhile. */
  private refresh(): void {
    const session = this.activeSession;
    if (session?.forecast === undefined) return;
    if (this.computing) {
      this.owed = true;
      return;
    }
    this.computing = true;
    this.owed = false;
    const wait = Math.max(
      0,
      this.lastStarted + DealflowForecast.MIN_INTERVAL_MS - Date.now(),
    );
    setTimeout(() => {
      this.lastStarted = Date.now();
      void (
        session.forecast?.(Date.now(), this.selection) ??
        Promise.resolve(undefined)
      )
        .then(
          (view) => {
            this.view = view;
            this.computed = true;
            this.computeFailure = undefined;
          },
          (error: unknown) => {
            this.computeFailure =
              error instanceof Error ? error.message : String(error);
          },
        )
        .finally(() => {
          this.computing = false;
          if (this.owed) this.refresh();
        });
    }, wait);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const chart of this.charts.values()) chart.dispose();
    this.charts.clear();
  }

  protected override updated(): void {
    this.draw();
  }

  override render() {
    const gate = this.renderGate();
    const session = this.activeSession;
    const text = this.text;
    const view = this.view;
    const toolbar = html`<div class="toolbar" part="toolbar">
      <h2>${text.forecast}</h2>
      ${view === undefined ? nothing : this.renderPicker(view)}
      <span class="spacer"></span>
      ${this.renderStatus()}
    </div>`;
    if (gate !== undefined || session === undefined)
      return html`${toolbar}${gate}`;
    if (this.computeFailure !== undefined)
      return html`${toolbar}
        <p
          class="message error"
          data-testid="forecast-failed"
          title=${this.computeFailure}
        >
          ${text.computeFailed}
        </p>`;
    if (!this.computed)
      return html`${toolbar}
        <p class="message" data-testid="forecast-computing">
          ${text.computing}
        </p>`;
    if (view === undefined)
      return html`${toolbar}
        <p class="message" data-testid="forecast-unavailable">
          ${text.forecastUnavailable}
        </p>`;
    const range = view.range;
    const bottleneck = view.funnel?.find((step) => step.bottleneck);
    const percent = (basisPoints: number | undefined) =>
      basisPoints === undefined ? "" : `${(basisPoints / 100).toFixed(1)}%`;
    return html`${toolbar}
      <div class="panels" data-testid="forecast">
        ${this.panel(
          "models",
          text.models,
          html`<div class="figures" data-testid="models">
              ${view.models.map(
                (model) =>
                  html`<span
                    data-model=${model.id}
                    data-minor=${model.total.minor}
                    >${this.pick(model.label)}<strong>${this.money(model.total)}</strong>${
                      model.completionBp === undefined
                        ? nothing
                        : html`<em class="meta"
                            >${text.ofTarget(percent(model.completionBp))}</em
                          >`
                    }</span
                  >`,
              )}
            </div>
            <div class="categories" data-testid="categories">
              <span class="meta">${text.repCommitCategories}</span>
              ${view.categories.map(
                (category) =>
                  html`<span data-category=${category.id}
                    >${this.pick(category.label)}
                    <b>${this.money(category.amount)}</b></span
                  >`,
              )}
            </div>`,
        )}
        ${this.panel(
          "range",
          text.range,
          range === undefined
            ? html`<p class="meta">${text.notComputed}</p>`
            : html`<div class="figures" data-testid="range">
                  ${(["p10", "p50", "p90"] as const).map(
                    (key) =>
                      html`<span
                        data-percentile=${key}
                        data-minor=${range[key].minor}
                        >${key.toUpperCase()}<strong
                          >${this.money(range[key])}</strong
                        ></span
                      >`,
                  )}
                </div>
                <p class="meta">
                  ${text.rangeBasis(range.trials, range.simulatedDeals)}
                  ${text.expected} ${this.money(range.expected)}
                </p>`,
          range !== undefined,
        )}
        ${this.panel(
          "target",
          text.forecastVsTarget,
          html`<div class="figures" data-testid="target">
            <span
              data-testid="target-amount"
              data-minor=${view.target?.minor ?? ""}
              >${text.target}<strong
                >${
                  view.target === undefined
                    ? text.noTarget
                    : this.money(view.target)
                }</strong
              ></span
            >
            <span
              >${text.closedWon}<strong
                >${this.money(view.closedWon)}</strong
              ></span
            >
            <span>${text.openDeals}<strong>${view.openDeals}</strong></span>
          </div>`,
        )}
        ${this.panel(
          "funnel",
          view.funnelPipeline === undefined
            ? text.funnel
            : `${text.funnel} · ${this.pick(view.funnelPipeline)}`,
          view.funnel === undefined
            ? html`<p class="meta">${text.notComputed}</p>`
            : html`<p
                class="meta"
                data-testid="bottleneck"
                data-stage=${bottleneck?.stage ?? ""}
              >
                ${
                  bottleneck === undefined
                    ? view.funnel.some(
                        (step) => step.conversionBp !== undefined,
                      )
                      ? text.allConverted
                      : text.noBottleneck
                    : html`${text.bottleneck} ·
                        <b class="danger">${this.pick(bottleneck.label)}</b>
                        ${text.conversion} ${percent(bottleneck.conversionBp)}`
                }
              </p>`,
          view.funnel !== undefined,
        )}
        <section part="stalled" data-testid="stalled">
          <h3>${text.stalledDeals}</h3>
          <ul>
            ${
              view.stalled.length === 0
                ? html`<li class="meta">${text.noStalled}</li>`
                : view.stalled.map(
                    (item) =>
                      html`<li @click=${() => this.open(item.deal)}>
                        ${this.dealTitle(session, item.deal)}
                        ${item.reasons.map(
                          (reason) =>
                            html`<span class="meta"
                              >${this.pick(reason.message)}</span
                            >`,
                        )}
                      </li>`,
                  )
            }
          </ul>
        </section>
      </div>`;
  }

  /** Months, quarters or years, and the previous / next period that has deals. */
  private renderPicker(view: ForecastView) {
    const text = this.text;
    const shown = view.selection;
    const index = view.periodKeys.indexOf(shown.period);
    const step = (delta: number) => {
      const period = view.periodKeys[index + delta];
      if (period !== undefined) this.pickPeriod({ kind: shown.kind, period });
    };
    return html`<select
        data-testid="period-kind"
        aria-label=${text.periodKind}
        .value=${shown.kind}
        @change=${(event: Event) =>
          this.pickKind(
            (event.target as HTMLSelectElement).value as ForecastPeriodKind,
            shown,
          )}
      >
        <option value="month" ?selected=${shown.kind === "month"}>
          ${text.byMonth}
        </option>
        <option value="quarter" ?selected=${shown.kind === "quarter"}>
          ${text.byQuarter}
        </option>
        <option value="year" ?selected=${shown.kind === "year"}>
          ${text.byYear}
        </option>
      </select>
      <button
        data-testid="period-previous"
        aria-label=${text.previousPeriod}
        title=${text.previousPeriod}
        ?disabled=${index <= 0}
        @click=${() => step(-1)}
      >
        ‹
      </button>
      <span data-testid="period" data-period=${shown.period}
        >${this.pick(view.period)}</span
      >
      <button
        data-testid="period-next"
        aria-label=${text.nextPeriod}
        title=${text.nextPeriod}
        ?disabled=${index < 0 || index >= view.periodKeys.length - 1}
        @click=${() => step(1)}
      >
        ›
      </button>`;
  }

  private pickKind(kind: ForecastPeriodKind, shown: ForecastSelection): void {
    if (kind === shown.kind) return;
    const today = dateAt(
      Date.now(),
      this.activeSession?.utcOffsetMinutes ?? 480,
    ).slice(0, 7);
    // Keep to the year shown; from a year, to its first quarter or month (or today's, when it
    // is the current year).
    const year = shown.period.slice(0, 4);
    const inShown = today.startsWith(year) ? today : `${year}-01`;
    const period =
      kind === "year"
        ? year
        : kind === "quarter"
          ? quarterOf(shown.kind === "year" ? inShown : shown.period)
          : shown.kind === "year"
            ? inShown
            : monthOf(shown.period, today);
    this.pickPeriod({ kind, period });
  }

  private pickPeriod(selection: ForecastSelection): void {
    this.selection = selection;
    this.refresh();
  }

  private panel(
    name: ChartName,
    title: string,
    figures: unknown,
    chart = true,
  ) {
    return html`<section part="chart" data-testid="chart-${name}">
      <h3>${title}</h3>
      ${figures}
      <div
        class="chart"
        ?hidden=${!chart}
        ${ref((element) => {
          if (element instanceof HTMLElement) this.hosts.set(name, element);
          else this.hosts.delete(name);
        })}
      ></div>
    </section>`;
  }

  private dealTitle(session: DealflowSession, dealId: string): string {
    return (
      session.summaries().find((summary) => summary.id === dealId)?.title ??
      dealId
    );
  }

  private chart(name: ChartName): echarts.ECharts | undefined {
    const host = this.hosts.get(name);
    if (host === undefined) return undefined;
    let chart = this.charts.get(name);
    if (chart === undefined || chart.getDom() !== host) {
      chart?.dispose();
      chart = echarts.init(host, undefined, { renderer: "svg" });
      this.charts.set(name, chart);
    }
    return chart;
  }

  private draw(): void {
    const view = this.view;
    if (view === undefined) return;
    const text = this.text;
    const style = getComputedStyle(this);
    const accent =
      style.getPropertyValue("--dealflow-accent").trim() || "#1664ff";
    const danger =
      style.getPropertyValue("--dealflow-danger").trim() || "#f54a45";
    const money = (value: Money) => this.money(value);
    this.chart("models")?.setOption(
      {
        animation: false,
        tooltip: {},
        grid: { left: 80, right: 16, top: 16, bottom: 32 },
        xAxis: {
          type: "category",
          // Every model's name, wrapped; the exact figures are above the chart.
          axisLabel: { interval: 0, width: 80, overflow: "break" },
          data: view.models.map((model) => this.pick(model.label)),
        },
        yAxis: { type: "value" },
        series: [
          {
            type: "bar",
            itemStyle: { color: accent },
            data: view.models.map((model) => ({
              value: major(model.total),
              tooltip: { valueFormatter: () => money(model.total) },
            })),
          },
        ],
      },
      true,
    );
    const range = view.range;
    if (range !== undefined)
      this.chart("range")?.setOption(
        {
          animation: false,
          tooltip: {},
          grid: { left: 80, right: 16, top: 16, bottom: 32 },
          xAxis: { type: "category", data: ["P10", "P50", "P90"] },
          yAxis: { type: "value" },
          series: [
            {
              type: "bar",
              data: [range.p10, range.p50, range.p90].map((value, index) => ({
                value: major(value),
                itemStyle: { color: index === 1 ? accent : "#9ebcff" },
                label: { show: true, position: "top", formatter: money(value) },
              })),
            },
          ],
        },
        true,
      );
    this.chart("target")?.setOption(
      {
        animation: false,
        tooltip: { trigger: "axis" },
        legend: {
          data: [text.forecast, text.won, text.target],
          bottom: 0,
        },
        grid: { left: 80, right: 16, top: 16, bottom: 64 },
        xAxis: {
          type: "category",
          // Every period's name, wrapped (2026年第4季度 is wider than a bar).
          axisLabel: {
            interval: 0,
            width: 56,
            overflow: "break",
            fontSize: 11,
          },
          data: view.periods.map((period) => this.pick(period.label)),
        },
        yAxis: { type: "value" },
        series: [
          {
            name: text.forecast,
            type: "bar",
            itemStyle: { color: accent },
            data: view.periods.map((period) => major(period.forecast)),
          },
          {
            name: text.won,
            type: "bar",
            itemStyle: { color: "#14c9c9" },
            data: view.periods.map((period) => major(period.closedWon)),
          },
          {
            name: text.target,
            type: "line",
            itemStyle: { color: danger },
            data: view.periods.map((period) =>
              period.target === undefined ? null : major(period.target),
            ),
          },
        ],
      },
      true,
    );
    const funnel = view.funnel;
    if (funnel === undefined) return;
    const widest = Math.max(1, ...funnel.map((step) => step.deals));
    this.chart("funnel")?.setOption(
      {
        animation: false,
        tooltip: {},
        series: [
          {
            type: "funnel",
            sort: "none",
            left: 8,
            right: 200,
            min: 0,
            max: widest,
            label: {
              show: true,
              position: "right",
              fontSize: 11,
              formatter: (params: { dataIndex: number }) => {
                const step = funnel[params.dataIndex];
                if (step === undefined) return "";
                const details = [
                  ...(step.conversionBp === undefined
                    ? []
                    : [
                        `${text.conversion} ${(step.conversionBp / 100).toFixed(0)}%`,
                      ]),
                  ...(step.bottleneck ? [text.bottleneck] : []),
                ];
                // Two lines, so that English names fit beside the funnel.
                return `${this.pick(step.label)} ${step.deals}${details.length === 0 ? "" : `\n${details.join(" · ")}`}`;
              },
            },
            data: funnel.map((step) => ({
              name: this.pick(step.label),
              value: step.deals,
              itemStyle: { color: step.bottleneck ? danger : accent },
            })),
          },
        ],
      },
      true,
    );
  }

  private open(dealId: string): void {
    this.dispatchEvent(
      new CustomEvent("dealflow-open-deal", {
        detail: { dealId },
        bubbles: true,
        composed: true,
      }),
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "dealflow-forecast": DealflowForecast;
  }
}
