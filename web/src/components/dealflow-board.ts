import { css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { guard } from "lit/directives/guard.js";
import { repeat } from "lit/directives/repeat.js";

import type {
  DealSummary,
  Money,
  MoveProblem,
  Pipeline,
  Stage,
} from "../wasm/dealflow_wasm.js";
import { DealflowElement } from "./base.js";
import { dateAt, formatDate, periodRange, type Period } from "./calendar.js";
import { inputToMoney } from "./money-input.js";
import type { DealflowSession, HealthView } from "./session.js";

/** The next-step state of a card, in the colours reps know. */
type NextStepState = "overdue" | "today" | "scheduled" | "none";

interface Column {
  stage: Stage;
  deals: DealSummary[];
  /** Per deal: its next-step state and health, which the card shows besides its summary. */
  marks: Map<string, CardMark>;
  totals: Money[];
  weighted: Money[];
}

/** What a card shows besides its summary; a card re-renders only when this or the summary did. */
interface CardMark {
  nextStep: NextStepState;
  health: HealthView | undefined;
  /** `nextStep`, health score and reasons in one string, to compare marks cheaply. */
  key: string;
}

interface Refusal {
  deal: DealSummary;
  stage: Stage;
  problems: MoveProblem[];
}

/**
 * `<dealflow-board>`: the pipeline as a kanban. A column per open stage with its count, total
 * and weighted total; cards with amount, close date, owner, health and next-step state. Dragging
 * a card to another column asks core to move the deal; when criteria are unmet the checklist of
 * what is missing is shown and the deal stays where it was.
 *
 * @fires dealflow-open-deal - `{ dealId }` when a card is opened (click or Enter)
 * @fires dealflow-moved - `{ dealId, stage, milliseconds }` once a moved card is shown in its
 *   new column (milliseconds: drop → re-rendered board)
 * @csspart toolbar - the filter and status bar
 * @csspart status - the connection badge
 * @csspart notice - the row saying a move shown on the board was not saved
 * @csspart column - a stage column
 * @csspart column-header - a column's title and figures
 * @csspart card - a deal card
 * @csspart checklist - the dialog listing unmet criteria
 */
@customElement("dealflow-board")
export class DealflowBoard extends DealflowElement {
  static override styles = [
    DealflowElement.styles,
    css`
      /* The toolbar holds two groups: the filters, and the sync status with the new-deal
         button, right-aligned. The button comes last, at the right edge, so that it never moves
         when the status's text changes width (a click on it would land beside it). When both
         groups do not fit on one row, the second takes a row of its own under the filters
         (still right-aligned); each group wraps only when it alone is wider than the board,
         and a filter's label never leaves its select. */
      .toolbar .filters,
      .toolbar .actions {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 8px 16px;
        min-width: 0;
      }
      .toolbar .filters label {
        white-space: nowrap;
      }
      .toolbar .actions {
        margin-left: auto;
        justify-content: flex-end;
      }
      .columns {
        display: grid;
        grid-auto-flow: column;
        grid-auto-columns: minmax(220px, 1fr);
        gap: 12px;
        padding: 12px;
        overflow-x: auto;
        align-items: start;
      }
      .column {
        background: var(--dealflow-column-background, #eff0f1);
        border-radius: var(--_radius);
        min-height: 160px;
        display: flex;
        flex-direction: column;
      }
      .column.over {
        outline: 2px dashed var(--_accent);
      }
      .column header {
        padding: 8px 10px;
        border-bottom: 1px solid var(--_border);
      }
      .column header .figures {
        display: flex;
        flex-wrap: wrap;
        gap: 0 10px;
        font-size: 12px;
        color: var(--_muted);
      }
      .cards {
        display: flex;
        flex-direction: column;
        gap: 8px;
        padding: 8px;
        max-height: var(--dealflow-board-height, 70vh);
        overflow-y: auto;
      }
      .card {
        background: var(--_surface);
        border: 1px solid var(--_border);
        border-left: 4px solid var(--_border);
        border-radius: var(--_radius);
        padding: 6px 8px;
        cursor: grab;
        font-size: 13px;
      }
      .card:focus-visible {
        outline: 2px solid var(--_accent);
      }
      .card[data-next-step="overdue"] {
        border-left-color: var(--_danger);
      }
      .card[data-next-step="today"] {
        border-left-color: var(--_warning);
      }
      .card[data-next-step="scheduled"] {
        border-left-color: var(--_success);
      }
      .card .title {
        font-weight: 600;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .card .row {
        display: flex;
        justify-content: space-between;
        gap: 6px;
        color: var(--_muted);
        font-size: 12px;
      }
      /* The amount is the card's key figure: it keeps its whole width (the exact figure is
         also its title). The account beside it gives way down to six characters, with an
         ellipsis (the full name is its title); below that the amount takes a line of its own,
         right-aligned. Only an amount wider than the card would break, across lines, never
         cut off. */
      .card .money-row {
        flex-wrap: wrap;
        row-gap: 0;
      }
      .card .account {
        flex: 1 1 6em;
        min-width: 0;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .card .amount {
        flex: none;
        max-width: 100%;
        margin-left: auto;
        color: var(--_text);
        font-weight: 600;
        font-variant-numeric: tabular-nums;
        text-align: right;
        overflow-wrap: anywhere;
      }
      .chip {
        display: inline-block;
        border-radius: 10px;
        padding: 0 6px;
        font-size: 11px;
        color: #fff;
        background: var(--_muted);
        white-space: nowrap;
      }
      .chip[data-state="overdue"] {
        background: var(--_danger);
      }
      .chip[data-state="today"] {
        background: var(--_warning);
      }
      .chip[data-state="scheduled"] {
        background: var(--_success);
      }
      .chip[data-state="none"] {
        background: #8f959e;
      }
      .health {
        color: var(--_muted);
      }
      .notice {
        display: flex;
        align-items: flex-start;
        gap: 8px;
        margin: 12px 12px 0;
        padding: 6px 6px 6px 10px;
        border: 1px solid
          color-mix(in srgb, var(--_danger) 35%, var(--_surface));
        border-radius: var(--_radius);
        background: color-mix(in srgb, var(--_danger) 8%, var(--_surface));
        font-size: 13px;
      }
      .notice p {
        flex: 1;
        min-width: 0;
        margin: 0;
        overflow-wrap: anywhere;
      }
      .notice strong {
        color: var(--_danger);
        font-weight: 600;
      }
      .notice .dismiss {
        border: none;
        background: transparent;
        color: var(--_muted);
        padding: 0 6px;
        line-height: 1.4;
      }
      .empty {
        font-size: 12px;
        text-align: center;
        padding: 12px 0;
      }
      dialog {
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        max-width: 420px;
        color: var(--_text);
        background: var(--_surface);
      }
      dialog::backdrop {
        background: rgb(0 0 0 / 25%);
      }
      dialog ul {
        padding-inline-start: 20px;
      }
      dialog li {
        margin: 4px 0;
      }
    `,
  ];

  /** The pipeline shown; defaults to the pipeline of the first deal held. */
  @property() pipeline = "";

  @state() private ownerFilter = "";
  @state() private teamFilter = "";
  @state() private periodFilter: Period = "all";
  @state() private refusal: Refusal | undefined;
  @state() private dropTarget: string | undefined;
  @state() private creating = false;
  @state() private createProblem: string | undefined;
  /** A move shown before it was stored whose storage then failed: the deal, and why. */
  @state() private unsavedMove:
    { title: string; zh: string; en: string } | undefined;

  private cache: Column[] | undefined;
  private cacheKey = "";

  protected override sessionChanged(): void {
    this.cacheKey = "";
    // The client stores an unsaved move by itself once writes work again: the notice goes then.
    if (
      this.unsavedMove !== undefined &&
      this.activeSession?.unsavedCount() === 0
    )
      this.unsavedMove = undefined;
    super.sessionChanged();
  }

  protected override sessionReady(session: DealflowSession): void {
    this.cacheKey = "";
    super.sessionReady(session);
  }

  private currentPipeline(session: DealflowSession): Pipeline | undefined {
    if (this.pipeline !== "") return session.pipeline(this.pipeline);
    const first = session.summaries()[0];
    return session.pipeline(first?.pipeline ?? "new_business");
  }

  private columns(session: DealflowSession, pipeline: Pipeline): Column[] {
    const key = `${pipeline.id}|${this.ownerFilter}|${this.teamFilter}|${this.periodFilter}`;
    if (this.cache !== undefined && key === this.cacheKey) return this.cache;
    const now = Date.now();
    const today = dateAt(now, session.utcOffsetMinutes);
    const range = periodRange(this.periodFilter, today);
    const marks = new Map<string, CardMark>();
    const byStage = new Map<string, DealSummary[]>();
    for (const deal of session.summaries()) {
      if (deal.pipeline !== pipeline.id || deal.status !== "open") continue;
      if (this.ownerFilter !== "" && deal.owner !== this.ownerFilter) continue;
      if (this.teamFilter !== "" && deal.team !== this.teamFilter) continue;
      if (range !== undefined) {
        const close = deal.expectedClose;
        if (close === undefined || close < range[0] || close > range[1])
          continue;
      }
      const nextStep: NextStepState = !deal.nextStep
        ? "none"
        : deal.nextStep.due <= today
          ? deal.nextStep.due === today
            ? "today"
            : "overdue"
          : "scheduled";
      const health = session.health?.(deal.id);
      marks.set(deal.id, {
        nextStep,
        health,
        key:
          health === undefined
            ? nextStep
            : `${nextStep}|${health.score}|${health.reasons.length}`,
      });
      const list = byStage.get(deal.stage ?? "") ?? [];
      list.push(deal);
      byStage.set(deal.stage ?? "", list);
    }
    const previous = new Map(
      (this.cache ?? []).map((column) => [column.stage.id, column]),
    );
    const order = (left: DealSummary, right: DealSummary) => {
      const leftClose = left.expectedClose ?? "9999";
      const rightClose = right.expectedClose ?? "9999";
      if (leftClose !== rightClose) return leftClose < rightClose ? -1 : 1;
      return left.id < right.id ? -1 : left.id > right.id ? 1 : 0;
    };
    this.cache = pipeline.stages().map((stage) => {
      const deals = byStage.get(stage.id) ?? [];
      deals.sort(order);
      // Summaries are replaced only for deals that changed, so a column holding the very same
      // summaries (and marks) is kept as it was: its figures are not asked of core again and
      // `render` skips its template altogether. A move touches two columns, not all of them.
      const before = previous.get(stage.id);
      const columnMarks = new Map<string, CardMark>();
      for (const deal of deals) {
        const mark = marks.get(deal.id);
        if (mark !== undefined) columnMarks.set(deal.id, mark);
      }
      if (
        before !== undefined &&
        before.deals.length === deals.length &&
        before.deals.every(
          (deal, index) =>
            deal === deals[index] &&
            before.marks.get(deal.id)?.key === columnMarks.get(deal.id)?.key,
        )
      )
        return before;
      const sameDeals =
        before !== undefined &&
        before.deals.length === deals.length &&
        before.deals.every((deal, index) => deal === deals[index]);
      return {
        stage,
        deals,
        marks: columnMarks,
        ...(sameDeals && before !== undefined
          ? { totals: before.totals, weighted: before.weighted }
          : this.figures(pipeline, stage.id, deals)),
      };
    });
    this.cacheKey = key;
    return this.cache;
  }

  /** Totals per currency, and the weighted totals computed by core. */
  private figures(
    pipeline: Pipeline,
    stageId: string,
    deals: DealSummary[],
  ): { totals: Money[]; weighted: Money[] } {
    const byCurrency = new Map<string, DealSummary[]>();
    for (const deal of deals) {
      const list = byCurrency.get(deal.amount.currency) ?? [];
      list.push(deal);
      byCurrency.set(deal.amount.currency, list);
    }
    const totals: Money[] = [];
    const weighted: Money[] = [];
    for (const [currency, list] of byCurrency) {
      totals.push({
        currency,
        minor: list.reduce((sum, deal) => sum + deal.amount.minor, 0),
      });
      try {
        weighted.push(
          pipeline.weightedValue(
            list.map((deal) => ({ stageId, amount: deal.amount })),
            currency,
          ),
        );
      } catch {
        // An amount core refuses (e.g. out of range) leaves the weighted figure out.
      }
    }
    return { totals, weighted };
  }

  override render() {
    const gated = this.renderGatedToolbar();
    const session = this.activeSession;
    if (gated !== undefined || session === undefined) return gated;
    const pipeline = this.currentPipeline(session);
    const columns =
      pipeline === undefined ? [] : this.columns(session, pipeline);
    return html`
      <div class="toolbar" part="toolbar">
        <div class="filters" data-testid="filters">
          ${this.renderFilters(session)}
        </div>
        <div class="actions">
          ${this.renderStatus()}
          <button
            class="primary"
            data-testid="new-deal"
            @click=${() => (this.creating = true)}
          >
            + ${this.text.newDeal}
          </button>
        </div>
      </div>
      ${this.renderUnsavedMove()}
      <div class="columns" data-testid="board">
        ${repeat(
          columns,
          (column) => column.stage.id,
          // A column is rendered again only when it changed (a new object from `columns`),
          // the drop target moved onto or off it, or the language changed.
          (column) =>
            guard(
              [column, this.dropTarget === column.stage.id, this.lang],
              () => this.renderColumn(session, column),
            ),
        )}
      </div>
      ${this.renderRefusal()} ${this.renderCreate(session)}
    `;
  }

  /**
   * Says that a move the board showed could not be stored (the deal moved here, unsaved): a
   * row of its own under the toolbar, the whole message legible at any width, never pushing
   * the toolbar onto a second line. Closing it leaves the status badge saying "not saved".
   */
  private renderUnsavedMove() {
    const unsaved = this.unsavedMove;
    if (unsaved === undefined) return nothing;
    const english = this.locale === "en";
    const detail = english ? unsaved.en : unsaved.zh;
    // zh-CN's heading ends in a full-width colon, which needs no space after it.
    return html`<div
      role="alert"
      class="notice"
      part="notice"
      data-testid="move-not-saved"
    >
      <p>
        <strong>${this.text.moveNotSaved(unsaved.title)}</strong>${
          english ? " " : ""
        }${detail}
      </p>
      <button
        class="dismiss"
        aria-label=${this.text.close}
        title=${this.text.close}
        @click=${() => (this.unsavedMove = undefined)}
      >
        ×
      </button>
    </div>`;
  }

  private renderCreate(session: DealflowSession) {
    if (!this.creating) return nothing;
    const text = this.text;
    const submit = async (event: Event) => {
      event.preventDefault();
      const form = event.target as HTMLFormElement;
      const data = new FormData(form);
      const value = (name: string) => String(data.get(name) ?? "").trim();
      const amount = inputToMoney(value("amount") || "0", "CNY");
      const me = session.user;
      if (amount === undefined || me === undefined || value("title") === "") {
        this.createProblem = text.amount;
        return;
      }
      try {
        const id = await session.newDeal({
          title: value("title"),
          account: { name: value("account") || value("title") },
          amount,
          expectedClose: value("close") || undefined,
          owner: me.id,
          team: me.team?.id,
        });
        this.creating = false;
        this.createProblem = undefined;
        this.cache = undefined;
        this.open(id);
      } catch (error) {
        const details = error as { messageZh?: string; messageEn?: string };
        this.createProblem =
          (this.locale === "en" ? details.messageEn : details.messageZh) ??
          String(error);
      }
    };
    return html`<dialog
      part="new-deal"
      data-testid="new-deal-dialog"
      @close=${() => (this.creating = false)}
    >
      <form @submit=${submit}>
        <h3>${text.newDeal}</h3>
        <p>
          <label>${text.title} <input name="title" required /></label>
        </p>
        <p>
          <label>${text.accountName} <input name="account" /></label>
        </p>
        <p>
          <label
            >${text.amount} (CNY) <input name="amount" inputmode="decimal"
          /></label>
        </p>
        <p>
          <label
            >${text.expectedClose} <input name="close" type="date"
          /></label>
        </p>
        ${
          this.createProblem === undefined
            ? nothing
            : html`<p role="alert" class="problem">${this.createProblem}</p>`
        }
        <button class="primary">${text.create}</button>
        <button type="button" @click=${() => (this.creating = false)}>
          ${text.cancel}
        </button>
      </form>
    </dialog>`;
  }

  private renderFilters(session: DealflowSession) {
    const text = this.text;
    const users = session.users();
    const teams = new Map<string, string>();
    for (const user of users)
      if (user.team) teams.set(user.team.id, this.pick(user.team.name));
    const set =
      (apply: (value: string) => void) =>
      (event: Event): void => {
        apply((event.target as HTMLSelectElement).value);
        this.cacheKey = "";
      };
    return html`
      <label
        >${text.owner}
        <select
          data-testid="filter-owner"
          @change=${set((value) => (this.ownerFilter = value))}
        >
          <option value="">${text.all}</option>
          ${users
            .filter((user) => user.role !== "admin")
            .map(
              (user) =>
                html`<option
                  value=${user.id}
                  ?selected=${user.id === this.ownerFilter}
                >
                  ${this.pick(user.name)}
                </option>`,
            )}
        </select></label
      >
      <label
        >${text.team}
        <select
          data-testid="filter-team"
          @change=${set((value) => (this.teamFilter = value))}
        >
          <option value="">${text.all}</option>
          ${[...teams].map(
            ([id, name]) =>
              html`<option value=${id} ?selected=${id === this.teamFilter}>
                ${name}
              </option>`,
          )}
        </select></label
      >
      <label
        >${text.period}
        <select
          data-testid="filter-period"
          @change=${set((value) => (this.periodFilter = value as Period))}
        >
          ${(
            [
              ["all", text.all],
              ["month", text.thisMonth],
              ["quarter", text.thisQuarter],
              ["year", text.thisYear],
            ] as const
          ).map(
            ([value, label]) =>
              html`<option
                value=${value}
                ?selected=${value === this.periodFilter}
              >
                ${label}
              </option>`,
          )}
        </select></label
      >
    `;
  }

  private renderColumn(session: DealflowSession, column: Column) {
    const text = this.text;
    const stageId = column.stage.id;
    const list = (amounts: Money[]) =>
      amounts.length === 0
        ? this.money({ minor: 0, currency: "CNY" })
        : amounts.map((amount) => this.money(amount)).join(" + ");
    return html`
      <section
        class="column ${this.dropTarget === stageId ? "over" : ""}"
        part="column"
        data-stage=${stageId}
        data-testid="column-${stageId}"
        @dragover=${(event: DragEvent) => {
          event.preventDefault();
          if (event.dataTransfer) event.dataTransfer.dropEffect = "move";
          this.dropTarget = stageId;
        }}
        @dragleave=${() => {
          if (this.dropTarget === stageId) this.dropTarget = undefined;
        }}
        @drop=${(event: DragEvent) => {
          event.preventDefault();
          this.dropTarget = undefined;
          const dealId = event.dataTransfer?.getData(
            "application/x-dealflow-deal",
          );
          if (dealId) void this.move(session, dealId, column.stage);
        }}
      >
        <header part="column-header">
          <h3>${this.pick(column.stage.label)}</h3>
          <div class="figures">
            <span data-testid="count">${text.deals(column.deals.length)}</span>
            <span data-testid="total"
              >${text.total} ${list(column.totals)}</span
            >
            <span data-testid="weighted"
              >${text.weighted} ${list(column.weighted)}</span
            >
          </div>
        </header>
        <div class="cards">
          ${
            column.deals.length === 0
              ? html`<div class="empty">${text.emptyColumn}</div>`
              : repeat(
                  column.deals,
                  (deal) => deal.id,
                  // A card re-renders only when its summary (a new object after a change),
                  // its mark (next-step colour, health) or the language changed.
                  (deal) => {
                    const mark = column.marks.get(deal.id);
                    return guard([deal, mark?.key, this.lang], () =>
                      this.renderCard(deal, mark),
                    );
                  },
                )
          }
        </div>
      </section>
    `;
  }

  private renderCard(deal: DealSummary, mark: CardMark | undefined) {
    const text = this.text;
    const nextStep = mark?.nextStep ?? "none";
    const stateLabel = {
      overdue: text.overdue,
      today: text.dueToday,
      scheduled: text.scheduled,
      none: text.noNextStep,
    }[nextStep];
    const health = mark?.health;
    const amount = this.money(deal.amount);
    return html`
      <article
        class="card"
        part="card"
        draggable="true"
        tabindex="0"
        data-deal=${deal.id}
        data-testid="card"
        data-next-step=${nextStep}
        @dragstart=${(event: DragEvent) => {
          event.dataTransfer?.setData("application/x-dealflow-deal", deal.id);
          if (event.dataTransfer) event.dataTransfer.effectAllowed = "move";
        }}
        @click=${() => this.open(deal.id)}
        @keydown=${(event: KeyboardEvent) => {
          if (event.key === "Enter") this.open(deal.id);
        }}
      >
        <div class="title" title=${deal.title}>${deal.title}</div>
        <div class="row money-row">
          <span class="account" title=${deal.accountName}
            >${deal.accountName}</span
          >
          <span class="amount" title=${amount}>${amount}</span>
        </div>
        <div class="row">
          <span title=${text.closeDate}
            >${formatDate(deal.expectedClose, this.locale)}</span
          >
          <span title=${text.owner}>${this.userName(deal.owner)}</span>
        </div>
        <div class="row">
          <span
            class="chip"
            data-state=${nextStep}
            title=${deal.nextStep?.action ?? ""}
            >${stateLabel}</span
          >
          ${
            health === undefined
              ? nothing
              : html`<span
                  class="health"
                  title=${health.reasons
                    .map((reason) => this.pick(reason))
                    .join("\n")}
                  >${text.health} ${health.score}</span
                >`
          }
        </div>
      </article>
    `;
  }

  protected override updated(): void {
    // A refusal's checklist is a modal dialog; it can only be shown once it is in the document.
    for (const dialog of this.shadowRoot?.querySelectorAll("dialog") ?? [])
      if (!dialog.open) dialog.showModal();
  }

  private renderRefusal() {
    const refusal = this.refusal;
    if (refusal === undefined) return nothing;
    const text = this.text;
    return html`
      <dialog
        part="checklist"
        data-testid="move-checklist"
        aria-labelledby="refusal-title"
        @close=${() => (this.refusal = undefined)}
      >
        <h3 id="refusal-title">
          ${refusal.deal.title} → ${this.pick(refusal.stage.label)}
        </h3>
        <p>${text.moveRefused}</p>
        <ul>
          ${refusal.problems.map(
            (problem) =>
              html`<li data-criterion=${problem.criterion ?? problem.code}>
                ${this.pick(problem.message)}
              </li>`,
          )}
        </ul>
        <form method="dialog">
          <button class="primary" data-testid="close-checklist">
            ${text.close}
          </button>
        </form>
      </dialog>
    `;
  }

  private async move(
    session: DealflowSession,
    dealId: string,
    stage: Stage,
  ): Promise<void> {
    const deal = session.summaries().find((each) => each.id === dealId);
    if (deal === undefined || deal.stage === stage.id) return;
    const started = performance.now();
    const result = await session.moveStage(dealId, {
      kind: "stage",
      stage: stage.id,
    });
    if (result.moved) {
      // Shown before it is stored (over the sync client): a failed commit must not go unseen.
      result.stored?.then(
        () => {
          if (this.unsavedMove?.title === deal.title)
            this.unsavedMove = undefined;
        },
        (error: unknown) => {
          const details = error as
            { messageZh?: string; messageEn?: string } | undefined;
          this.unsavedMove = {
            title: deal.title,
            zh: details?.messageZh ?? String(error),
            en: details?.messageEn ?? String(error),
          };
        },
      );
      this.cacheKey = "";
      this.requestUpdate();
      void this.updateComplete.then(() => {
        this.dispatchEvent(
          new CustomEvent("dealflow-moved", {
            detail: {
              dealId,
              stage: stage.id,
              milliseconds: performance.now() - started,
            },
            bubbles: true,
            composed: true,
          }),
        );
      });
    } else {
      this.refusal = { deal, stage, problems: result.checklist };
    }
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
    "dealflow-board": DealflowBoard;
  }
}
