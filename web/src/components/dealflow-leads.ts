import { css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { repeat } from "lit/directives/repeat.js";

import { DealflowElement } from "./base.js";
import { dateAt, formatDate } from "./calendar.js";
import type {
  LeadRecord,
  PoolRecord,
  ServerApi,
  ServerText,
} from "./server-api.js";
import type { DealflowSession } from "./session.js";
import { pick, textFor } from "./text.js";

/** A server refusal in the language asked for (both come with it). */
function refusal(error: unknown): (locale: "zh-CN" | "en") => string {
  const details = error as { messageZh?: string; messageEn?: string };
  return (locale) =>
    (locale === "en" ? details.messageEn : details.messageZh) ?? String(error);
}

/**
 * `<dealflow-leads>`: the lead pool (线索公海). Lists the leads waiting in a pool the user may
 * claim from or manages; a rep claims one, a manager or admin assigns one to a rep. Every claim
 * and assignment is a command the server arbitrates (claim limits, who may assign, and a
 * compare-and-set on the lead's version), so two reps racing for one lead never both get it.
 *
 * Needs a session with a server (`server-url` and `token`); without one it says so.
 *
 * @fires dealflow-lead-claimed - `{ leadId, owner }` after a claim or assignment the server accepted
 * @csspart toolbar - the pool picker and status bar
 * @csspart status - the connection badge
 * @csspart table - the list of leads
 * @csspart lead - each lead's row
 * @csspart notice - the result of the last command
 */
@customElement("dealflow-leads")
export class DealflowLeads extends DealflowElement {
  static override styles = [
    DealflowElement.styles,
    css`
      .body {
        padding: 12px;
      }
      .summary {
        color: var(--_muted);
        font-size: 12px;
        margin: 0 0 8px;
      }
      table {
        width: 100%;
        border-collapse: collapse;
        background: var(--_surface);
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
      }
      th,
      td {
        text-align: start;
        padding: 6px 8px;
        border-bottom: 1px solid var(--_border);
        font-size: 13px;
        vertical-align: middle;
      }
      th {
        color: var(--_muted);
        font-weight: 600;
        font-size: 12px;
        white-space: nowrap;
      }
      tr:last-child td {
        border-bottom: none;
      }
      td.actions {
        white-space: nowrap;
      }
      td.actions select {
        max-width: 140px;
      }
      .company {
        font-weight: 600;
      }
      .notice {
        margin: 0 0 8px;
        padding: 6px 10px;
        border-radius: var(--_radius);
        background: color-mix(in srgb, var(--_success) 15%, var(--_surface));
      }
      .notice[data-kind="error"] {
        background: color-mix(in srgb, var(--_danger) 15%, var(--_surface));
      }
      .empty {
        padding: 16px 0;
      }
    `,
  ];

  /** The pool shown; defaults to the first pool the user may see. */
  @property() pool = "";

  @state() private pools: PoolRecord[] | undefined;
  @state() private leads: LeadRecord[] | undefined;
  /** The last command's result, worded when shown (the language may change meanwhile). */
  @state() private notice:
    | { kind: "ok" | "error"; text: (locale: "zh-CN" | "en") => string }
    | undefined;
  @state() private busy = false;
  private loadedFor: ServerApi | undefined;

  protected override sessionReady(session: DealflowSession): void {
    super.sessionReady(session);
    void this.load(session);
  }

  private text2(value: ServerText | undefined): string {
    if (value === undefined) return "";
    return this.locale === "en" ? value.en : value["zh-CN"];
  }

  private currentPool(): PoolRecord | undefined {
    const pools = this.pools ?? [];
    return pools.find((each) => each.id === this.pool) ?? pools[0];
  }

  private async load(session: DealflowSession): Promise<void> {
    const api = session.api;
    if (api === undefined) return;
    try {
      if (this.pools === undefined || this.loadedFor !== api) {
        this.loadedFor = api;
        this.pools = await api.pools();
      }
      const pool = this.currentPool();
      this.leads =
        pool === undefined
          ? []
          : (await api.poolLeads(pool.id)).filter(
              (lead) => lead.custody.state === "in_pool",
            );
    } catch (error) {
      this.notice = { kind: "error", text: refusal(error) };
    }
  }

  private async act(
    session: DealflowSession,
    lead: LeadRecord,
    assignTo: string | undefined,
  ): Promise<void> {
    const api = session.api;
    if (api === undefined || this.busy) return;
    this.busy = true;
    try {
      const after = await api.leadCommand(
        lead.id,
        assignTo === undefined
          ? { command: "claim", expectedVersion: lead.version }
          : {
              command: "assign",
              to: assignTo,
              expectedVersion: lead.version,
            },
      );
      this.notice = {
        kind: "ok",
        text: (locale) => {
          const words = textFor(locale).leads;
          return assignTo === undefined
            ? words.claimed(lead.company)
            : words.assigned(
                lead.company,
                pick(
                  session.users().find((user) => user.id === assignTo)?.name,
                  locale,
                ) || assignTo,
              );
        },
      };
      this.dispatchEvent(
        new CustomEvent("dealflow-lead-claimed", {
          detail: {
            leadId: lead.id,
            owner:
              after.custody.state === "owned" ? after.custody.owner : undefined,
          },
          bubbles: true,
          composed: true,
        }),
      );
    } catch (error) {
      this.notice = { kind: "error", text: refusal(error) };
    } finally {
      this.busy = false;
      await this.load(session);
    }
  }

  override render() {
    const gated = this.renderGatedToolbar();
    const session = this.activeSession;
    if (gated !== undefined || session === undefined) return gated;
    const text = this.text.leads;
    if (session.api === undefined)
      return html`<div class="toolbar" part="toolbar">
          <h2>${text.title}</h2>
          <span class="spacer"></span>${this.renderStatus()}
        </div>
        <p class="message">${this.text.notConnected}</p>`;
    const pool = this.currentPool();
    return html`
      <div class="toolbar" part="toolbar">
        <h2>${text.title}</h2>
        ${
          (this.pools?.length ?? 0) > 1
            ? html`<label
                >${text.pool}
                <select
                  data-testid="pool"
                  @change=${(event: Event) => {
                    this.pool = (event.target as HTMLSelectElement).value;
                    this.leads = undefined;
                    void this.load(session);
                  }}
                >
                  ${(this.pools ?? []).map(
                    (each) =>
                      html`<option
                        value=${each.id}
                        ?selected=${each.id === pool?.id}
                      >
                        ${this.text2(each.name)}
                      </option>`,
                  )}
                </select></label
              >`
            : pool === undefined
              ? nothing
              : html`<span data-testid="pool-name"
                  >${this.text2(pool.name)}</span
                >`
        }
        <button
          data-testid="refresh-leads"
          @click=${() => void this.load(session)}
        >
          ${text.refresh}
        </button>
        <span class="spacer"></span>
        ${this.renderStatus()}
      </div>
      <div class="body" data-testid="leads">
        ${
          this.notice === undefined
            ? nothing
            : html`<p
                class="notice"
                part="notice"
                role="status"
                data-testid="lead-notice"
                data-kind=${this.notice.kind}
              >
                ${this.notice.text(this.locale)}
              </p>`
        }
        ${this.renderPool(session, pool)}
      </div>
    `;
  }

  private renderPool(session: DealflowSession, pool: PoolRecord | undefined) {
    const text = this.text.leads;
    if (this.pools === undefined || this.leads === undefined)
      return html`<p class="empty">${this.text.loading}</p>`;
    if (pool === undefined) return html`<p class="empty">${text.noPools}</p>`;
    const me = session.user;
    const manages = me?.role === "manager" || me?.role === "admin";
    const reps = session
      .users()
      .filter(
        (user) =>
          user.role === "rep" &&
          (pool.team === undefined ||
            pool.team === null ||
            user.team?.id === pool.team),
      );
    const canClaim =
      me?.role === "rep" &&
      (pool.team === undefined ||
        pool.team === null ||
        me.team?.id === pool.team);
    const leads = this.leads;
    return html`
      <p class="summary">
        <span data-testid="lead-count">${text.inPool(leads.length)}</span> ·
        ${text.claimLimit(pool.claimLimit)}
      </p>
      ${
        leads.length === 0
          ? html`<p class="empty">${text.empty}</p>`
          : html`<table part="table">
              <thead>
                <tr>
                  <th>${text.company}</th>
                  <th>${text.contact}</th>
                  <th>${text.region}</th>
                  <th>${text.industry}</th>
                  <th>${text.interest}</th>
                  <th>${text.created}</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                ${repeat(
                  leads,
                  (lead) => lead.id,
                  (lead) =>
                    html`<tr
                      part="lead"
                      data-testid="lead"
                      data-lead=${lead.id}
                    >
                      <td class="company">${lead.company}</td>
                      <td>${lead.contact_name}</td>
                      <td>${lead.region ?? "—"}</td>
                      <td>${lead.industry ?? "—"}</td>
                      <td>${lead.product_interest ?? "—"}</td>
                      <td class="meta">
                        ${formatDate(
                          dateAt(
                            lead.custody.state === "in_pool"
                              ? lead.custody.since
                              : lead.created_at,
                            session.utcOffsetMinutes,
                          ),
                          this.locale,
                        )}
                      </td>
                      <td class="actions">
                        ${
                          canClaim
                            ? html`<button
                                class="primary"
                                data-testid="claim"
                                ?disabled=${this.busy}
                                @click=${() => void this.act(session, lead, undefined)}
                              >
                                ${text.claim}
                              </button>`
                            : nothing
                        }
                        ${
                          manages && reps.length > 0
                            ? html`<select
                                aria-label=${text.assign}
                                data-testid="assign"
                                ?disabled=${this.busy}
                                @change=${(event: Event) => {
                                  const select =
                                    event.target as HTMLSelectElement;
                                  const to = select.value;
                                  select.value = "";
                                  if (to !== "")
                                    void this.act(session, lead, to);
                                }}
                              >
                                <option value="">${text.assign}…</option>
                                ${reps.map(
                                  (rep) =>
                                    html`<option value=${rep.id}>
                                      ${this.pick(rep.name)}
                                    </option>`,
                                )}
                              </select>`
                            : nothing
                        }
                      </td>
                    </tr>`,
                )}
              </tbody>
            </table>`
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "dealflow-leads": DealflowLeads;
  }
}
