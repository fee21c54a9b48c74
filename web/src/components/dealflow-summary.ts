import { LitElement, css, html } from "lit";
import { customElement, property, state } from "lit/decorators.js";

import {
  Pipeline,
  formatMoney,
  loadDealflow,
  type Locale,
  type Money,
} from "../lib/index.js";

const TEXT = {
  "zh-CN": {
    title: "销售漏斗加权金额",
    loading: "正在加载…",
    failed: "加载失败",
  },
  en: {
    title: "Weighted pipeline value",
    loading: "Loading…",
    failed: "Failed to load",
  },
} as const;

/**
 * `<dealflow-summary>`: the weighted value of a small sample pipeline, computed by the Rust core
 * in wasm. It proves the whole chain — wasm loading, core logic, typed facade — in the page.
 *
 * @csspart value - the computed figure
 */
@customElement("dealflow-summary")
export class DealflowSummary extends LitElement {
  static override styles = css`
    :host {
      display: block;
      font-family: var(--dealflow-font, system-ui, sans-serif);
      color: var(--dealflow-text, #1f2329);
      padding: 16px;
    }
    .value {
      font-size: 32px;
      font-weight: 600;
      color: var(--dealflow-accent, #1664ff);
    }
  `;

  /** UI language. */
  @property({ reflect: true }) override lang: Locale = "zh-CN";

  @state() private weighted: Money | undefined;
  @state() private error: string | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    loadDealflow()
      .then(() => {
        const pipeline = Pipeline.newBusiness();
        const cny = (yuan: number): Money => ({
          minor: yuan * 100,
          currency: "CNY",
        });
        this.weighted = pipeline.weightedValue(
          [
            { stageId: "qualify", amount: cny(200_000) },
            { stageId: "demo", amount: cny(100_000) },
            { stageId: "negotiate", amount: cny(50_000) },
          ],
          "CNY",
        );
        pipeline.free();
      })
      .catch((error: unknown) => {
        this.error = error instanceof Error ? error.message : String(error);
      });
  }

  override render() {
    const text = TEXT[this.lang] ?? TEXT["zh-CN"];
    if (this.error !== undefined)
      return html`<p role="alert">${text.failed}: ${this.error}</p>`;
    return html`
      <h2>${text.title}</h2>
      <p class="value" part="value" data-testid="weighted-value">
        ${this.weighted === undefined ? text.loading : formatMoney(this.weighted, this.lang)}
      </p>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "dealflow-summary": DealflowSummary;
  }
}
