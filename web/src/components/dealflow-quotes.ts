import { css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { repeat } from "lit/directives/repeat.js";

import { DealflowElement } from "./base.js";
import { dateAt, formatDate } from "./calendar.js";
import type {
  QuoteActionBody,
  QuoteRecord,
  QuoteWithTotals,
  ServerApi,
} from "./server-api.js";
import type { DealflowSession } from "./session.js";

/** How often the quotes are asked for again while shown: approvals happen elsewhere. */
const REFRESH_MS = 4_000;

/** A discount in basis points as a percentage, e.g. 1250 → "12.5%". */
function percent(basisPoints: number): string {
  return `${(basisPoints / 100).toLocaleString("en", { maximumFractionDigits: 2 })}%`;
}

/**
 * `<dealflow-quotes>`: the quotes (报价单) on one deal, as the server arbitrates them: lines,
 * discounts, totals (computed by core on the server), the approval status and who decided, with
 * the actions the user may take — the owner requests approval or withdraws the request, a
 * manager or admin approves or rejects. The server checks every action (approval levels, the
 * quote's version); a refusal is shown with its reason. `<dealflow-deal>` shows it as a section.
 *
 * @fires dealflow-quote-changed - `{ quoteId, status }` after an action the server accepted
 * @csspart quote - each quote
 * @csspart lines - a quote's line table
 * @csspart quote-actions - a quote's buttons
 */
@customElement("dealflow-quotes")
export class DealflowQuotes extends DealflowElement {
  static override styles = [
    DealflowElement.styles,
    css`
      :host {
        background: transparent;
      }
      .quote {
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        padding: 8px 10px;
        margin-bottom: 8px;
        background: var(--_surface);
      }
      .head {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 4px 10px;
      }
      .head .id {
        font-weight: 600;
      }
      .badge {
        display: inline-block;
        border-radius: 10px;
        padding: 0 8px;
        font-size: 12px;
        color: #fff;
        background: #8f959e;
        white-space: nowrap;
      }
      .badge[data-status="pending_approval"] {
        background: var(--_warning);
      }
      .badge[data-status="approved"],
      .badge[data-status="accepted"] {
        background: var(--_success);
      }
      .badge[data-status="rejected"],
      .badge[data-status="expired"] {
        background: var(--_danger);
      }
      .badge[data-status="sent"] {
        background: var(--_accent);
      }
      table {
        width: 100%;
        border-collapse: collapse;
        margin: 6px 0;
        font-size: 12px;
      }
      th,
      td {
        padding: 3px 4px;
        border-bottom: 1px solid var(--_border);
        text-align: start;
      }
      th {
        color: var(--_muted);
        font-weight: 600;
      }
      td.number,
      th.number {
        text-align: end;
        white-space: nowrap;
      }
      dl {
        display: grid;
        grid-template-columns: auto auto;
        justify-content: end;
        gap: 0 12px;
        margin: 4px 0;
        font-size: 12px;
      }
      dt {
        color: var(--_muted);
        text-align: end;
      }
      dd {
        margin: 0;
        text-align: end;
        font-variant-numeric: tabular-nums;
      }
      dd.total {
        font-weight: 600;
        font-size: 14px;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 6px;
        align-items: center;
        margin-top: 4px;
      }
      .empty {
        font-size: 12px;
      }
    `,
  ];

  /** The deal (its document id) whose quotes are shown. */
  @property({ attribute: "deal-id" }) dealId = "";

  @state() private quotes: QuoteWithTotals[] | undefined;
  @state() private problem: { quoteId: string; text: string } | undefined;
  @state() private busy = false;
  @state() private rejecting: string | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private loadedFor = "";

  protected override sessionReady(session: DealflowSession): void {
    super.sessionReady(session);
    void this.load(session);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.timer = setInterval(() => {
      const session = this.activeSession;
      if (
        session !== undefined &&
        this.ready &&
        !this.busy &&
        document.visibilityState === "visible"
      )
        void this.load(session);
    }, REFRESH_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.timer);
    this.timer = undefined;
  }

  protected override willUpdate(
    changed: Parameters<DealflowElement["willUpdate"]>[0],
  ): void {
    super.willUpdate(changed);
    const session = this.activeSession;
    if (
      changed.has("dealId") &&
      this.loadedFor !== this.dealId &&
      this.ready &&
      session !== undefined
    )
      void this.load(session);
  }

  protected override sessionChanged(): void {
    // Quotes are not in the deal document; a document change says nothing about them.
  }

  private async load(session: DealflowSession): Promise<void> {
    const api = session.api;
    const dealId = this.dealId;
    if (api === undefined || dealId === "") return;
    try {
      const quotes = await api.quotesWithTotals(dealId);
      if (this.dealId !== dealId) return;
      this.loadedFor = dealId;
      this.quotes = quotes.sort((left, right) =>
        left.quote.revision !== right.quote.revision
          ? left.quote.revision - right.quote.revision
          : left.quote.id < right.quote.id
            ? -1
            : 1,
      );
    } catch {
      // Offline or refused: keep what is shown; the next refresh tries again.
      this.quotes ??= [];
    }
  }

  /** One of a quote's action buttons, disabled while an action is under way. */
  private actionButton(
    testId: string,
    label: string,
    primary: boolean,
    onClick: () => unknown,
  ) {
    return html`<button
      class=${primary ? "primary" : ""}
      data-testid=${testId}
      ?disabled=${this.busy}
      @click=${() => void onClick()}
    >
      ${label}
    </button>`;
  }

  private async act(
    session: DealflowSession,
    api: ServerApi,
    quote: QuoteRecord,
    action: QuoteActionBody,
  ): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.problem = undefined;
    try {
      const after = await api.quoteCommand(quote.id, quote.version, action);
      this.rejecting = undefined;
      this.dispatchEvent(
        new CustomEvent("dealflow-quote-changed", {
          detail: { quoteId: after.id, status: after.status },
          bubbles: true,
          composed: true,
        }),
      );
    } catch (error) {
      const details = error as { messageZh?: string; messageEn?: string };
      this.problem = {
        quoteId: quote.id,
        text:
          (this.locale === "en" ? details.messageEn : details.messageZh) ??
          String(error),
      };
    } finally {
      this.busy = false;
      await this.load(session);
    }
  }

  override render() {
    const session = this.activeSession;
    const api = session?.api;
    if (session === undefined || api === undefined || !this.ready)
      return nothing;
    const text = this.text.quotes;
    const quotes = this.quotes;
    if (quotes === undefined)
      return html`<p class="empty">${this.text.loading}</p>`;
    if (quotes.length === 0)
      return html`<p class="empty" data-testid="no-quotes">${text.none}</p>`;
    return html`${repeat(
      quotes,
      (each) => each.quote.id,
      (each) => this.renderQuote(session, api, each),
    )}`;
  }

  private renderQuote(
    session: DealflowSession,
    api: ServerApi,
    { quote, totals, discountBp }: QuoteWithTotals,
  ) {
    const text = this.text.quotes;
    const me = session.user;
    const isOwner = me?.id === quote.owner;
    const approver =
      !isOwner && (me?.role === "manager" || me?.role === "admin");
    const lineTotals = new Map(
      (totals?.lines ?? []).map((line) => [line.line, line]),
    );
    const decision = quote.decision;
    const problem =
      this.problem?.quoteId === quote.id ? this.problem.text : undefined;
    return html`<article
      class="quote"
      part="quote"
      data-testid="quote"
      data-quote=${quote.id}
      data-status=${quote.status}
    >
      <div class="head">
        <span class="id" title=${quote.id}
          >${text.quote} ${quote.id.slice(0, 10)}</span
        >
        <span class="meta">${text.revision(quote.revision)}</span>
        <span
          class="badge"
          data-testid="quote-status"
          data-status=${quote.status}
          >${text.statuses[quote.status]}</span
        >
        <span class="meta"
          >${text.validUntil}
          ${formatDate(quote.valid_until, this.locale)}</span
        >
        <span class="meta"
          >${quote.tax_basis === "inclusive" ? text.taxInclusive : text.taxExclusive}</span
        >
      </div>
      <table part="lines">
        <thead>
          <tr>
            <th>${text.product}</th>
            <th class="number">${text.quantity}</th>
            <th class="number">${text.lineDiscount}</th>
            <th class="number">${text.total}</th>
          </tr>
        </thead>
        <tbody>
          ${quote.lines.map((line) => {
            const figures = lineTotals.get(line.id);
            return html`<tr>
              <td>
                ${this.locale === "en" ? line.name.en : line.name["zh-CN"]}
                ${line.sku ? html`<span class="meta">${line.sku}</span>` : nothing}
              </td>
              <td class="number">
                ${line.quantity}
                ${this.locale === "en" ? line.unit.en : line.unit["zh-CN"]}
              </td>
              <td class="number">
                ${line.discount > 0 ? percent(line.discount) : "—"}
              </td>
              <td class="number">${this.money(figures?.total)}</td>
            </tr>`;
          })}
        </tbody>
      </table>
      ${
        totals === undefined
          ? nothing
          : html`<dl>
              <dt>${text.reference}</dt>
              <dd>${this.money(totals.reference)}</dd>
              <dt>${text.discount}</dt>
              <dd data-testid="quote-discount">
                ${quote.discount > 0 ? percent(quote.discount) : "—"}
                ${
                  discountBp !== undefined &&
                  discountBp > 0 &&
                  discountBp !== quote.discount
                    ? html`<span class="meta"
                        >(${text.belowList(percent(discountBp))})</span
                      >`
                    : nothing
                }
              </dd>
              <dt>${text.net}</dt>
              <dd>${this.money(totals.net)}</dd>
              <dt>${text.tax}</dt>
              <dd>${this.money(totals.tax)}</dd>
              <dt>${text.total}</dt>
              <dd class="total" data-testid="quote-total">
                ${this.money(totals.total)}
              </dd>
            </dl>`
      }
      <div class="actions" part="quote-actions">
        ${
          quote.status === "pending_approval" &&
          quote.required_level !== undefined
            ? html`<span class="meta"
                >${text.approval}:
                ${text.requiredLevel(quote.required_level)}</span
              >`
            : nothing
        }
        ${
          decision === undefined
            ? nothing
            : html`<span class="meta" data-testid="quote-decision"
                >${text.decidedBy(this.userName(decision.by))}
                ${formatDate(
                  dateAt(decision.at, session.utcOffsetMinutes),
                  this.locale,
                )}${decision.comment ? ` · ${decision.comment}` : ""}</span
              >`
        }
        <span class="spacer"></span>
        ${
          isOwner &&
          (quote.status === "draft" || quote.status === "rejected") &&
          quote.lines.length > 0
            ? this.actionButton(
                "quote-submit",
                text.requestApproval,
                true,
                () => this.act(session, api, quote, { action: "submit" }),
              )
            : nothing
        }
        ${
          isOwner && quote.status === "pending_approval"
            ? this.actionButton("quote-withdraw", text.withdraw, false, () =>
                this.act(session, api, quote, { action: "withdraw" }),
              )
            : nothing
        }
        ${
          approver && quote.status === "pending_approval"
            ? html`${this.actionButton(
                "quote-approve",
                text.approve,
                true,
                () => this.act(session, api, quote, { action: "approve" }),
              )}${this.actionButton("quote-reject", text.reject, false, () => {
                this.rejecting = quote.id;
              })}`
            : nothing
        }
      </div>
      ${
        this.rejecting === quote.id
          ? html`<form
              class="actions"
              @submit=${(event: Event) => {
                event.preventDefault();
                const comment = String(
                  new FormData(event.target as HTMLFormElement).get(
                    "comment",
                  ) ?? "",
                ).trim();
                if (comment !== "")
                  void this.act(session, api, quote, {
                    action: "reject",
                    comment,
                  });
              }}
            >
              <input
                name="comment"
                required
                data-testid="quote-reject-reason"
                placeholder=${text.rejectReason}
                aria-label=${text.rejectReason}
              />
              <button class="primary">${text.reject}</button>
              <button
                type="button"
                @click=${() => (this.rejecting = undefined)}
              >
                ${this.text.cancel}
              </button>
            </form>`
          : nothing
      }
      ${
        problem === undefined
          ? nothing
          : html`<p class="problem" role="alert" data-testid="quote-problem">
              ${problem}
            </p>`
      }
    </article>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "dealflow-quotes": DealflowQuotes;
  }
}
