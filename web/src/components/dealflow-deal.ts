import { css, html, noChange, nothing, type PropertyValues } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { live } from "lit/directives/live.js";
import { ref } from "lit/directives/ref.js";

import type {
  CompanySize,
  CompetitorStatus,
  Contact,
  ContactRole,
  DealDoc,
  DealRead,
  EditContext,
  FieldChange,
  FollowUpKind,
  ForecastCategory,
  Influence,
  RelationshipKind,
  Stance,
  TextField,
} from "../wasm/dealflow_wasm.js";
import { DealflowElement } from "./base.js";
import "./dealflow-quotes.js";
import { dateAt, formatDate, formatMoment } from "./calendar.js";
import { pick } from "./text.js";
import { inputToMoney, moneyToInput } from "./money-input.js";
import { echarts, powerMapOption } from "./power-map.js";
import type { DealflowSession, PresencePeer } from "./session.js";

const STANCES: Stance[] = ["supporter", "neutral", "opponent"];
const INFLUENCES: Influence[] = ["low", "medium", "high"];
const ROLES: ContactRole[] = [
  "decision_maker",
  "champion",
  "influencer",
  "user",
  "technical",
  "financial",
  "blocker",
  "other",
];
const KINDS: FollowUpKind[] = [
  "call",
  "visit",
  "meeting",
  "email",
  "im",
  "demo",
];
const SIZES: CompanySize[] = [
  "micro",
  "small",
  "medium",
  "large",
  "enterprise",
];
const CATEGORIES: ForecastCategory[] = [
  "pipeline",
  "best_case",
  "commit",
  "closed",
];
const DAY = 86_400_000;

/** Stable colours for other users' presence highlights. */
const PEER_COLOURS = ["#7f3bf5", "#00a0b0", "#d4380d", "#1677ff", "#c41d7f"];

function freshId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

function formData(event: Event): FormData {
  event.preventDefault();
  const form = event.target as HTMLFormElement;
  const data = new FormData(form);
  form.reset();
  return data;
}

type DealRecord = DealRead["deal"];
type Competitor = DealRecord["competitors"][number];
type FollowUp = DealRecord["followUps"][number];
type Task = DealRecord["tasks"][number];
type Comment = DealRecord["comments"][number];

/** One list of records on the deal page: how to show a record and how to add one. */
interface RecordSection<T> {
  /** `section-<id>` is the section's test id. */
  id: string;
  title: string;
  records: readonly T[];
  item: (record: T) => unknown;
  /** The add form's fields and button. */
  inputs: unknown;
  /** Adds a record from the submitted form. */
  add: (data: FormData) => void;
  formTestId?: string;
}

function field(data: FormData, name: string): string {
  const value = data.get(name);
  return typeof value === "string" ? value.trim() : "";
}

/**
 * `<dealflow-deal deal-id="…">`: the deal page. Every field of the deal record is editable and
 * written through core's typed `DealDoc` edits; long texts are written as character diffs, so two
 * people typing at once both keep their words. Others on the deal show as highlights on the
 * field they are in. The power map draws the decision chain with ECharts.
 *
 * @csspart header - title, stage and presence
 * @csspart status - the connection badge
 * @csspart section - each titled block
 * @csspart quote - each quote in the quotes section (see `<dealflow-quotes>`)
 * @csspart power-map - the decision-chain chart
 * @csspart insights - win probability, health and history
 */
@customElement("dealflow-deal")
export class DealflowDeal extends DealflowElement {
  static override styles = [
    DealflowElement.styles,
    css`
      .layout {
        display: grid;
        grid-template-columns: minmax(0, 2fr) minmax(260px, 1fr);
        gap: 12px;
        padding: 12px;
      }
      @media (max-width: 800px) {
        .layout {
          grid-template-columns: 1fr;
        }
      }
      section {
        background: var(--_surface);
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        padding: 10px 12px;
        margin-bottom: 12px;
      }
      section > h3 {
        margin-bottom: 8px;
      }
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(180px, 1fr));
        gap: 8px 12px;
      }
      .field {
        display: flex;
        flex-direction: column;
        gap: 2px;
        position: relative;
        border-radius: var(--_radius);
      }
      .field.wide {
        grid-column: 1 / -1;
      }
      .field[data-peer] {
        outline: 2px solid var(--peer-colour);
        outline-offset: 2px;
      }
      .field[data-peer]::after {
        content: attr(data-peer);
        position: absolute;
        top: -10px;
        right: 0;
        font-size: 11px;
        color: #fff;
        background: var(--peer-colour);
        border-radius: 4px;
        padding: 0 4px;
      }
      textarea {
        min-height: 64px;
        resize: vertical;
      }
      header.deal {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 8px 16px;
        padding: 10px 12px;
        background: var(--_surface);
        border-bottom: 1px solid var(--_border);
      }
      header.deal input.title {
        font-size: 18px;
        font-weight: 600;
        border-color: transparent;
        min-width: 240px;
        flex: 1;
      }
      .badge {
        border-radius: 10px;
        padding: 0 8px;
        font-size: 12px;
        background: var(--_background);
        border: 1px solid var(--_border);
      }
      .peers {
        display: flex;
        gap: 4px;
        font-size: 12px;
        color: var(--_muted);
      }
      .peer {
        color: #fff;
        border-radius: 10px;
        padding: 0 6px;
      }
      .chart {
        width: 100%;
        height: 300px;
      }
      ul.list {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      ul.list li {
        padding: 6px 0;
        border-bottom: 1px solid var(--_border);
      }
      ul.list li:last-child {
        border-bottom: none;
      }
      form.inline {
        display: flex;
        flex-wrap: wrap;
        gap: 6px;
        margin-top: 8px;
        align-items: center;
      }
      form.inline input[name="summary"],
      form.inline input[name="text"] {
        flex: 1;
        min-width: 160px;
      }
      .big {
        font-size: 28px;
        font-weight: 600;
        color: var(--_accent);
      }
      .up {
        color: var(--_success);
      }
      .down {
        color: var(--_danger);
      }
      .notice {
        margin: 8px 12px 0;
        padding: 6px 10px;
        border-radius: var(--_radius);
        background: #fff0f0;
        color: var(--_danger);
        cursor: pointer;
      }
      .done {
        text-decoration: line-through;
        color: var(--_muted);
      }
    `,
  ];

  /** The deal's document id. */
  @property({ attribute: "deal-id" }) dealId = "";

  @state() private read: DealRead | undefined;
  @state() private missing = false;
  @state() private since = 7;
  @state() private selectedContact: string | undefined;
  /** The last edit core refused, in the user's language. */
  @state() private problem: string | undefined;

  private chart: echarts.ECharts | undefined;
  private chartHost: HTMLElement | undefined;
  private resizeObserver: ResizeObserver | undefined;
  private selection: { field: string; start: number; end: number } | undefined;
  /** Text fields with a write of this user's typing under way. */
  private readonly writing = new Set<string>();
  /** Text typed since the write under way, by field. */
  private readonly unwritten = new Map<string, string>();
  /** One-line fields with typing not committed yet. */
  private readonly uncommitted = new Set<string>();

  protected override sessionReady(session: DealflowSession): void {
    this.load(session);
  }

  protected override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed);
    if (changed.has("dealId") && this.ready && this.activeSession)
      this.load(this.activeSession);
    // Remember the caret of the field being typed in, so a remote edit re-rendering the text
    // does not throw it to the end.
    const active = this.shadowRoot?.activeElement;
    if (
      active instanceof HTMLTextAreaElement ||
      active instanceof HTMLInputElement
    ) {
      const name = active.closest<HTMLElement>("[data-field]")?.dataset.field;
      if (name !== undefined && active.selectionStart !== null)
        this.selection = {
          field: name,
          start: active.selectionStart,
          end: active.selectionEnd ?? active.selectionStart,
        };
    } else this.selection = undefined;
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    const kept = this.selection;
    if (kept !== undefined) {
      const element = this.shadowRoot?.querySelector<
        HTMLTextAreaElement | HTMLInputElement
      >(
        `[data-field="${kept.field}"] textarea, [data-field="${kept.field}"] input`,
      );
      if (
        element !== null &&
        element !== undefined &&
        element === this.shadowRoot?.activeElement &&
        element.type !== "date" &&
        element.type !== "number"
      ) {
        const length = element.value.length;
        element.setSelectionRange(
          Math.min(kept.start, length),
          Math.min(kept.end, length),
        );
      }
    }
    this.drawPowerMap();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
    this.chart?.dispose();
    this.chart = undefined;
    const session = this.activeSession;
    if (session !== undefined && this.dealId !== "") session.leave(this.dealId);
  }

  protected override sessionChanged(): void {
    const session = this.activeSession;
    if (session !== undefined && this.ready && this.dealId !== "") {
      const read = session.readDeal(this.dealId);
      if (read !== undefined) {
        this.read = read;
        this.missing = false;
      }
    }
    super.sessionChanged();
  }

  private load(session: DealflowSession): void {
    const dealId = this.dealId;
    if (dealId === "") return;
    // Others on the deal see this user as viewing it.
    session.setFocus(dealId, undefined);
    this.read = session.readDeal(dealId);
    this.missing = false;
    if (this.read !== undefined) return;
    session
      .openDeal(dealId)
      .then((read) => {
        if (this.dealId !== dealId) return;
        this.read = read;
        this.missing = read === undefined;
        if (read !== undefined) session.setFocus(dealId, undefined);
      })
      .catch(() => {
        if (this.dealId === dealId) this.missing = true;
      });
  }

  private edit(
    apply: (doc: DealDoc, ctx: EditContext) => unknown,
  ): Promise<void> {
    const session = this.activeSession;
    if (session === undefined || this.dealId === "") return Promise.resolve();
    return session.edit(this.dealId, apply).then(
      () => undefined,
      (error: unknown) => {
        const details = error as { messageZh?: string; messageEn?: string };
        const message =
          this.locale === "en" ? details.messageEn : details.messageZh;
        this.dispatchEvent(
          new CustomEvent("dealflow-error", {
            detail: { error },
            bubbles: true,
            composed: true,
          }),
        );
        this.problem = message ?? String(error);
      },
    );
  }

  private announceFocus(name: string | undefined): void {
    this.activeSession?.setFocus(this.dealId, name);
  }

  override render() {
    const gate = this.renderGate();
    const session = this.activeSession;
    if (gate !== undefined || session === undefined)
      return html`<header class="deal" part="header">
          ${this.renderStatus()}
        </header>
        ${gate}`;
    if (this.missing)
      return html`<header class="deal" part="header">
          ${this.renderStatus()}
        </header>
        <p class="message" role="alert" data-testid="deal-unavailable">
          ${this.text.unavailable}
        </p>`;
    const read = this.read;
    if (read === undefined)
      return html`<p class="message">${this.text.loading}</p>`;
    const peers = session.presence(this.dealId);
    const records = this.renderRecordSections(session, read);
    return html`
      ${this.renderHeader(session, read, peers)}
      ${
        this.problem === undefined
          ? nothing
          : html`<p
              class="notice"
              role="alert"
              @click=${() => (this.problem = undefined)}
            >
              ${this.problem}
            </p>`
      }
      <div class="layout" data-testid="deal" data-deal=${read.deal.id}>
        <div>
          ${this.renderFields(read)} ${this.renderPowerMap(read)}
          ${records.competitors} ${records.followUps} ${records.tasks}
          ${records.comments} ${this.renderQuotes(session)}
        </div>
        <div part="insights">
          ${this.renderInsights(session, read)}
          ${this.renderHistory(session, read)} ${this.renderChanges(session)}
        </div>
      </div>
    `;
  }

  /** The deal's quotes, from the server (a session without one has none to show). */
  private renderQuotes(session: DealflowSession) {
    if (session.api === undefined) return nothing;
    return html`<section part="section" data-testid="section-quotes">
      <h3>${this.text.quotes.title}</h3>
      <dealflow-quotes
        exportparts="quote, lines, quote-actions"
        .session=${session}
        lang=${this.lang}
        deal-id=${this.dealId}
      ></dealflow-quotes>
    </section>`;
  }

  private renderHeader(
    session: DealflowSession,
    read: DealRead,
    peers: PresencePeer[],
  ) {
    const deal = read.deal;
    const pipeline = session.pipeline(deal.pipeline);
    let stageLabel = deal.stage ?? "—";
    try {
      if (pipeline !== undefined && deal.stage)
        stageLabel = this.pick(pipeline.stage(deal.stage).label);
    } catch {
      // A stage the pipeline no longer knows shows by its id.
    }
    return html`<header class="deal" part="header">
      ${this.input("title", deal.title, (value) =>
        this.edit((doc, ctx) => doc.setTitle(ctx, value)),
      )}
      <span class="badge" data-testid="stage">${stageLabel}</span>
      <span class="badge">${this.text.statuses[deal.status]}</span>
      <span class="badge" data-testid="owner"
        >${this.text.owner}: ${this.userName(deal.owner)}</span
      >
      ${
        peers.length === 0
          ? nothing
          : html`<span class="peers" data-testid="peers"
              >${this.text.viewing}
              ${peers.map(
                (peer) =>
                  html`<span
                    class="peer"
                    style="background:${this.peerColour(peer.user)}"
                    >${this.userName(peer.user)}</span
                  >`,
              )}</span
            >`
      }
      <span class="spacer" style="flex:1"></span>
      ${this.renderStatus()}
    </header>`;
  }

  private peerColour(user: string): string {
    let hash = 0;
    for (const char of user) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
    return PEER_COLOURS[hash % PEER_COLOURS.length] ?? "#7f3bf5";
  }

  /** A labelled field wrapper that shows who else is in it. */
  private fieldBox(
    name: string,
    label: string,
    control: unknown,
    wide = false,
  ) {
    const peer = this.activeSession
      ?.presence(this.dealId)
      .find((each) => each.field === name);
    return html`<div
      class="field ${wide ? "wide" : ""}"
      data-field=${name}
      data-peer=${
        peer === undefined
          ? nothing
          : this.text.editing(this.userName(peer.user))
      }
      style=${
        peer === undefined
          ? nothing
          : `--peer-colour:${this.peerColour(peer.user)}`
      }
      @focusin=${() => this.announceFocus(name)}
      @focusout=${() => this.announceFocus(undefined)}
    >
      <label>${label}</label>${control}
    </div>`;
  }

  /** A one-line input committed on change (Enter or leaving the field). */
  private input(
    name: string,
    value: string,
    commit: (value: string) => void,
    type = "text",
  ) {
    // What this user is typing and has not committed yet (Enter or leaving the field) is theirs:
    // a remote edit re-rendering the page must not replace it.
    const control = html`<input
      type=${type}
      class=${name === "title" ? "title" : ""}
      data-testid="field-${name}"
      .value=${this.uncommitted.has(name) ? noChange : live(value)}
      @input=${() => this.uncommitted.add(name)}
      @change=${(event: Event) => {
        this.uncommitted.delete(name);
        commit((event.target as HTMLInputElement).value);
      }}
    />`;
    return name === "title"
      ? html`<span
          data-field="title"
          style="display:contents"
          @focusin=${() => this.announceFocus("title")}
          @focusout=${() => this.announceFocus(undefined)}
          >${control}</span
        >`
      : control;
  }

  /**
   * A long text written as a character diff (collaborative text) while the user types. One
   * write is in flight per field: keystrokes made meanwhile are written together by the next
   * one, so fast typing costs a few changes, not one per key, and reaches others sooner.
   */
  private textArea(name: string, value: string, target: TextField) {
    // While this user's typing is not yet all written, the document lags behind the textarea;
    // showing it would undo what was just typed, so the textarea is left alone until then
    // (remote edits show afterwards, merged by Automerge).
    const typing = this.writing.has(name) || this.unwritten.has(name);
    return html`<textarea
      data-testid="field-${name}"
      .value=${typing ? noChange : live(value)}
      @input=${(event: Event) => {
        this.unwritten.set(name, (event.target as HTMLTextAreaElement).value);
        if (!this.writing.has(name)) this.writeText(name, target);
      }}
    ></textarea>`;
  }

  private writeText(name: string, target: TextField): void {
    const text = this.unwritten.get(name);
    if (text === undefined) {
      this.requestUpdate();
      return;
    }
    this.unwritten.delete(name);
    this.writing.add(name);
    void this.edit((doc, ctx) => doc.updateText(ctx, target, text)).finally(
      () => {
        this.writing.delete(name);
        this.writeText(name, target);
      },
    );
  }

  private select<T extends string>(
    name: string,
    value: T | undefined | null,
    options: readonly T[],
    label: (option: T) => string,
    commit: (value: T | undefined) => void,
    allowNone = false,
  ) {
    return html`<select
      data-testid="field-${name}"
      @change=${(event: Event) => {
        const chosen = (event.target as HTMLSelectElement).value;
        commit(chosen === "" ? undefined : (chosen as T));
      }}
    >
      ${
        allowNone
          ? html`<option value="" ?selected=${!value}>
              ${this.text.none}
            </option>`
          : nothing
      }
      ${options.map(
        (option) =>
          html`<option value=${option} ?selected=${option === value}>
            ${label(option)}
          </option>`,
      )}
    </select>`;
  }

  private renderFields(read: DealRead) {
    const text = this.text;
    const deal = read.deal;
    const account = deal.account;
    const budget = deal.budget;
    const setAccount = (patch: Partial<typeof account>) =>
      this.edit((doc, ctx) =>
        doc.setAccount(ctx, { ...account, background: undefined, ...patch }),
      );
    const setBudget = (patch: Partial<typeof budget>) =>
      this.edit((doc, ctx) => doc.setBudget(ctx, { ...budget, ...patch }));
    const money = (
      name: string,
      value: typeof deal.amount | undefined | null,
      commit: (amount: typeof deal.amount | undefined) => void,
    ) =>
      this.input(name, moneyToInput(value), (typed) => {
        if (typed.trim() === "") return commit(undefined);
        const parsed = inputToMoney(
          typed,
          value?.currency ?? deal.amount.currency,
        );
        if (parsed !== undefined) commit(parsed);
        else this.requestUpdate();
      });
    const manual = deal.probability.manual;
    return html`<section part="section">
        <h3>${text.details}</h3>
        <div class="grid">
          ${this.fieldBox(
            "amount",
            `${text.amount} (${deal.amount.currency})`,
            money("amount", deal.amount, (amount) => {
              if (amount !== undefined)
                this.edit((doc, ctx) =>
                  doc.setAmount(ctx, amount, freshId("amount")),
                );
            }),
          )}
          ${this.fieldBox(
            "expectedClose",
            text.expectedClose,
            this.input(
              "expectedClose",
              deal.expectedClose ?? "",
              (value) =>
                this.edit((doc, ctx) =>
                  doc.setExpectedClose(
                    ctx,
                    value === "" ? undefined : value,
                    freshId("close"),
                  ),
                ),
              "date",
            ),
          )}
          ${this.fieldBox(
            "source",
            text.source,
            this.input("source", deal.source ?? "", (value) =>
              this.edit((doc, ctx) => doc.setSource(ctx, value || undefined)),
            ),
          )}
          ${this.fieldBox(
            "campaign",
            text.campaign,
            this.input("campaign", deal.campaign ?? "", (value) =>
              this.edit((doc, ctx) => doc.setCampaign(ctx, value || undefined)),
            ),
          )}
          ${this.fieldBox(
            "manualProbability",
            text.manualProbability,
            this.input(
              "manualProbability",
              manual ? String(manual.valueBp / 100) : "",
              (value) => {
                const percent = Number(value);
                this.edit((doc, ctx) =>
                  doc.setManualProbability(
                    ctx,
                    value === "" || !Number.isFinite(percent)
                      ? undefined
                      : Math.round(percent * 100),
                  ),
                );
              },
              "number",
            ),
          )}
          ${this.fieldBox(
            "forecastCategory",
            text.forecastCategory,
            this.select(
              "forecastCategory",
              deal.forecastCategory?.category,
              CATEGORIES,
              (category) => text.categories[category],
              (category) =>
                this.edit((doc, ctx) => doc.setForecastCategory(ctx, category)),
              true,
            ),
          )}
          ${this.fieldBox(
            "needs",
            text.needs,
            this.textArea("needs", deal.needs, { field: "needs" }),
            true,
          )}
          ${this.fieldBox(
            "businessValue",
            text.businessValue,
            this.textArea("businessValue", deal.businessValue, {
              field: "business_value",
            }),
            true,
          )}
        </div>
      </section>
      <section part="section">
        <h3>${text.account}</h3>
        <div class="grid">
          ${this.fieldBox(
            "accountName",
            text.accountName,
            this.input("accountName", account.name, (value) =>
              setAccount({ name: value }),
            ),
          )}
          ${this.fieldBox(
            "industry",
            text.industry,
            this.input("industry", account.industry ?? "", (value) =>
              setAccount({ industry: value || undefined }),
            ),
          )}
          ${this.fieldBox(
            "region",
            text.region,
            this.input("region", account.region ?? "", (value) =>
              setAccount({ region: value || undefined }),
            ),
          )}
          ${this.fieldBox(
            "companySize",
            text.companySize,
            this.select(
              "companySize",
              account.size,
              SIZES,
              (size) => text.companySizes[size],
              (size) => setAccount({ size }),
              true,
            ),
          )}
          ${this.fieldBox(
            "background",
            text.background,
            this.textArea("background", account.background ?? "", {
              field: "account_background",
            }),
            true,
          )}
        </div>
      </section>
      <section part="section">
        <h3>${text.budget}</h3>
        <div class="grid">
          ${this.fieldBox(
            "budgetMin",
            text.budgetMin,
            money("budgetMin", budget.min, (min) => setBudget({ min })),
          )}
          ${this.fieldBox(
            "budgetMax",
            text.budgetMax,
            money("budgetMax", budget.max, (max) => setBudget({ max })),
          )}
          ${this.fieldBox(
            "approvalCycle",
            text.approvalCycle,
            this.input("approvalCycle", budget.approvalCycle ?? "", (value) =>
              setBudget({ approvalCycle: value || undefined }),
            ),
          )}
          ${this.fieldBox(
            "budgetConfirmed",
            text.budgetConfirmed,
            html`<input
              type="checkbox"
              data-testid="field-budgetConfirmed"
              .checked=${live(budget.confirmed)}
              @change=${(event: Event) =>
                setBudget({
                  confirmed: (event.target as HTMLInputElement).checked,
                })}
            />`,
          )}
        </div>
      </section>
      <section part="section">
        <h3>${text.nextStep}</h3>
        ${this.fieldBox(
          "nextStep",
          text.nextStepAction,
          html`<form
            class="inline"
            data-testid="next-step-form"
            @submit=${(event: Event) => {
              const data = formData(event);
              const action = field(data, "action");
              const due = field(data, "due");
              this.edit((doc, ctx) =>
                doc.setNextStep(
                  ctx,
                  action === "" || due === ""
                    ? undefined
                    : { action, due, owner: deal.owner },
                ),
              );
            }}
          >
            <input
              name="action"
              .value=${live(deal.nextStep?.action ?? "")}
              placeholder=${text.nextStepAction}
            />
            <input
              name="due"
              type="date"
              .value=${live(deal.nextStep?.due ?? "")}
            />
            <button>${text.save}</button>
          </form>`,
          true,
        )}
      </section>`;
  }

  private renderPowerMap(read: DealRead) {
    const text = this.text;
    const contacts = read.deal.contacts;
    const selected = contacts.find((each) => each.id === this.selectedContact);
    return html`<section part="section">
      <h3>${text.powerMap}</h3>
      ${
        contacts.length === 0
          ? html`<p class="meta">${text.noContacts}</p>`
          : nothing
      }
      <div
        class="chart"
        ?hidden=${contacts.length === 0}
        part="power-map"
        data-testid="power-map"
        ${ref((element) => {
          this.chartHost = element as HTMLElement | undefined;
        })}
      ></div>
      <ul class="list">
        ${contacts.map(
          (contact) =>
            html`<li>
              <a
                href="#"
                @click=${(event: Event) => {
                  event.preventDefault();
                  this.selectedContact = contact.id;
                }}
                >${contact.name}</a
              >
              <span class="meta"
                >${contact.title ?? ""} · ${text.contactRoles[contact.role]} ·
                ${text.stances[contact.stance]} ·
                ${text.influenceLevels[contact.influence]}</span
              >
            </li>`,
        )}
      </ul>
      ${this.renderContactForm(selected)} ${this.renderRelationshipForm(read)}
    </section>`;
  }

  private renderContactForm(contact: Contact | undefined) {
    const text = this.text;
    return html`<form
      class="inline"
      data-testid="contact-form"
      @submit=${(event: Event) => {
        const data = formData(event);
        const name = field(data, "name");
        if (name === "") return;
        const next: Contact = {
          ...(contact ?? {}),
          id: contact?.id ?? freshId("c"),
          name,
          title: field(data, "title") || undefined,
          role: field(data, "role") as ContactRole,
          stance: field(data, "stance") as Stance,
          influence: field(data, "influence") as Influence,
        };
        this.edit((doc, ctx) => doc.upsertContact(ctx, next));
        this.selectedContact = undefined;
      }}
    >
      <input
        name="name"
        placeholder=${text.name}
        .value=${live(contact?.name ?? "")}
      />
      <input
        name="title"
        placeholder=${text.jobTitle}
        .value=${live(contact?.title ?? "")}
      />
      <select name="role" aria-label=${text.role}>
        ${ROLES.map(
          (role) =>
            html`<option value=${role} ?selected=${contact?.role === role}>
              ${text.contactRoles[role]}
            </option>`,
        )}
      </select>
      <select name="stance" aria-label=${text.stance}>
        ${STANCES.map(
          (stance) =>
            html`<option
              value=${stance}
              ?selected=${(contact?.stance ?? "neutral") === stance}
            >
              ${text.stances[stance]}
            </option>`,
        )}
      </select>
      <select name="influence" aria-label=${text.influence}>
        ${INFLUENCES.map(
          (influence) =>
            html`<option
              value=${influence}
              ?selected=${(contact?.influence ?? "medium") === influence}
            >
              ${text.influenceLevels[influence]}
            </option>`,
        )}
      </select>
      <button>${contact === undefined ? text.addContact : text.save}</button>
    </form>`;
  }

  private renderRelationshipForm(read: DealRead) {
    const text = this.text;
    const contacts = read.deal.contacts;
    if (contacts.length < 2) return nothing;
    const options = contacts.map(
      (contact) => html`<option value=${contact.id}>${contact.name}</option>`,
    );
    return html`<form
      class="inline"
      @submit=${(event: Event) => {
        const data = formData(event);
        const from = field(data, "from");
        const to = field(data, "to");
        if (from === to) return;
        this.edit((doc, ctx) =>
          doc.upsertRelationship(ctx, {
            id: freshId("r"),
            from,
            to,
            kind: field(data, "kind") as RelationshipKind,
          }),
        );
      }}
    >
      <select name="from" aria-label=${text.from}>
        ${options}
      </select>
      <select name="kind">
        <option value="reports_to">${text.reportsTo}</option>
        <option value="influences">${text.influences}</option>
      </select>
      <select name="to" aria-label=${text.to}>
        ${options}
      </select>
      <button>${text.addRelationship}</button>
    </form>`;
  }

  private drawPowerMap(): void {
    const host = this.chartHost;
    const read = this.read;
    if (host === undefined || read === undefined) return;
    if (this.chart === undefined || this.chart.getDom() !== host) {
      this.chart?.dispose();
      this.chart = echarts.init(host, undefined, { renderer: "svg" });
      this.chart.on("click", (params) => {
        const data = params.data as { id?: string } | undefined;
        if (data?.id !== undefined) this.selectedContact = data.id;
      });
      this.resizeObserver?.disconnect();
      this.resizeObserver = new ResizeObserver(() => this.chart?.resize());
      this.resizeObserver.observe(host);
    }
    const style = getComputedStyle(this);
    const colour = (name: string, fallback: string) =>
      style.getPropertyValue(name).trim() || fallback;
    const text = this.text;
    this.chart.setOption(
      powerMapOption(
        read.deal.contacts,
        read.deal.relationships,
        {
          stance: text.stances,
          kind: { reports_to: text.reportsTo, influences: text.influences },
          role: text.contactRoles,
        },
        {
          supporter: colour("--dealflow-supporter", "#34c724"),
          neutral: colour("--dealflow-neutral", "#8f959e"),
          opponent: colour("--dealflow-opponent", "#f54a45"),
        },
      ),
      true,
    );
  }

  /**
   * A list of records (competitors, follow-ups, tasks, comments): a heading, one item per
   * record and a form that adds one. Each section is a row of the table in
   * {@link renderRecordSections}.
   */
  private renderRecordSection<T>(section: RecordSection<T>) {
    return html`<section part="section" data-testid=${`section-${section.id}`}>
      <h3>${section.title}</h3>
      <ul class="list">
        ${section.records.map((record) => html`<li>${section.item(record)}</li>`)}
      </ul>
      <form
        class="inline"
        data-testid=${section.formTestId ?? nothing}
        @submit=${(event: Event) => section.add(formData(event))}
      >
        ${section.inputs}
      </form>
    </section>`;
  }

  /** Competitors, follow-ups, tasks and manager comments: one table, one renderer. */
  private renderRecordSections(session: DealflowSession, read: DealRead) {
    const text = this.text;
    const me = session.user?.id ?? "";
    const moment = (at: number) =>
      formatMoment(at, this.locale, session.utcOffsetMinutes);
    const competitors: RecordSection<Competitor> = {
      id: "competitors",
      title: text.competitors,
      records: read.deal.competitors,
      item: (competitor) =>
        html`<strong>${competitor.name}</strong>
          <span class="meta"
            >${competitor.product ?? ""}
            ${competitor.price ? this.money(competitor.price) : ""}</span
          >
          ${this.select(
            `competitor-${competitor.id}`,
            competitor.status,
            ["active", "eliminated", "won_against_us"] as CompetitorStatus[],
            (status) => text.competitorStatuses[status],
            (status) =>
              status &&
              this.edit((doc, ctx) =>
                doc.upsertCompetitor(ctx, { ...competitor, status }),
              ),
          )}
          <div class="meta">
            ${(competitor.strengths ?? []).map((item) => `+ ${item}`).join("  ")}
            ${(competitor.weaknesses ?? []).map((item) => `− ${item}`).join("  ")}
          </div>`,
      inputs: html`<input name="name" placeholder=${text.name} />
        <input name="product" placeholder=${text.product} />
        <button>${text.addCompetitor}</button>`,
      add: (data) => {
        const name = field(data, "name");
        if (name === "") return;
        this.edit((doc, ctx) =>
          doc.upsertCompetitor(ctx, {
            id: freshId("k"),
            name,
            product: field(data, "product") || undefined,
            status: "active",
          }),
        );
      },
    };
    const followUps: RecordSection<FollowUp> = {
      id: "follow-ups",
      title: text.followUps,
      records: [...read.deal.followUps].sort((a, b) => b.at - a.at),
      formTestId: "follow-up-form",
      item: (followUp) =>
        html`<div class="meta">
            ${moment(followUp.at)} · ${text.followUpKinds[followUp.kind]} ·
            ${this.userName(followUp.by)}
          </div>
          <div>${followUp.summary ?? ""}</div>
          ${
            followUp.customerFeedback
              ? html`<div class="meta">
                  ${text.feedback}: ${followUp.customerFeedback}
                </div>`
              : nothing
          }
          ${
            followUp.nextStep
              ? html`<div class="meta">
                  ${text.nextStep}: ${followUp.nextStep.action}
                  (${formatDate(followUp.nextStep.due, this.locale)})
                </div>`
              : nothing
          }`,
      inputs: html`<select name="kind" aria-label=${text.kind}>
          ${KINDS.map(
            (kind) =>
              html`<option value=${kind}>${text.followUpKinds[kind]}</option>`,
          )}
        </select>
        <input name="summary" placeholder=${text.summary} />
        <input name="feedback" placeholder=${text.feedback} />
        <input name="action" placeholder=${text.nextStepAction} />
        <input name="due" type="date" aria-label=${text.due} />
        <button>${text.addFollowUp}</button>`,
      add: (data) => {
        const summary = field(data, "summary");
        if (summary === "") return;
        const action = field(data, "action");
        const due = field(data, "due");
        this.edit((doc, ctx) =>
          doc.recordFollowUp(ctx, {
            id: freshId("f"),
            kind: field(data, "kind") as FollowUpKind,
            at: ctx.now,
            by: me,
            summary,
            customerFeedback: field(data, "feedback") || undefined,
            nextStep:
              action !== "" && due !== ""
                ? { action, due, owner: me }
                : undefined,
          }),
        );
      },
    };
    const tasks: RecordSection<Task> = {
      id: "tasks",
      title: text.tasks,
      records: read.deal.tasks,
      item: (task) =>
        html`<label style="color:inherit;font-size:inherit">
            <input
              type="checkbox"
              .checked=${live(task.status === "done")}
              ?disabled=${task.status === "cancelled"}
              @change=${(event: Event) =>
                this.edit((doc, ctx) =>
                  doc.setTaskStatus(
                    ctx,
                    task.id,
                    (event.target as HTMLInputElement).checked
                      ? "done"
                      : "open",
                  ),
                )}
            />
            <span class=${task.status === "open" ? "" : "done"}
              >${this.pick(task.title)}</span
            >
          </label>
          <span class="meta"
            >${this.userName(task.assignee)} ·
            ${formatDate(task.due, this.locale)} ·
            ${text.taskStatuses[task.status]}</span
          >`,
      inputs: html`<input name="title" placeholder=${text.addTask} />
        <input name="due" type="date" aria-label=${text.due} />
        <button>${text.add}</button>`,
      add: (data) => {
        const title = field(data, "title");
        if (title === "") return;
        this.edit((doc, ctx) =>
          doc.upsertTask(ctx, {
            id: freshId("task"),
            title: { zh: title, en: title },
            assignee: me,
            due: field(data, "due") || undefined,
            status: "open",
            origin: { kind: "manual" },
            createdAt: ctx.now,
          }),
        );
      },
    };
    const comments: RecordSection<Comment> = {
      id: "comments",
      title: text.comments,
      records: read.deal.comments,
      item: (comment) =>
        html`<div class="meta">
            ${this.userName(comment.author)} · ${moment(comment.at)}
          </div>
          <div>${comment.text}</div>`,
      inputs: html`<input name="text" placeholder=${text.addComment} />
        <button>${text.add}</button>`,
      add: (data) => {
        const body = field(data, "text");
        if (body === "") return;
        this.edit((doc, ctx) =>
          doc.upsertComment(ctx, {
            id: freshId("m"),
            author: me,
            at: ctx.now,
            text: body,
          }),
        );
      },
    };
    return {
      competitors: this.renderRecordSection(competitors),
      followUps: this.renderRecordSection(followUps),
      tasks: this.renderRecordSection(tasks),
      comments: this.renderRecordSection(comments),
    };
  }

  private renderInsights(session: DealflowSession, read: DealRead) {
    const text = this.text;
    const probability = session.probability(read.deal.id);
    const win = session.winProbability?.(read.deal.id);
    const health = session.health?.(read.deal.id);
    return html`<section part="section" data-testid="win-probability">
        <h3>${text.winProbability}</h3>
        <div class="big">
          ${
            win !== undefined
              ? `${(win.probabilityBp / 100).toFixed(0)}%`
              : probability !== undefined
                ? `${(probability.valueBp / 100).toFixed(0)}%`
                : "—"
          }
        </div>
        ${
          win === undefined
            ? nothing
            : html`<h3>${text.topFactors}</h3>
                <ul class="list">
                  ${win.factors.map(
                    (factor) =>
                      html`<li class=${factor.effect}>
                        ${factor.effect === "up" ? "▲" : "▼"}
                        ${this.pick(factor.label)}
                      </li>`,
                  )}
                </ul>`
        }
      </section>
      <section part="section" data-testid="health">
        <h3>${text.health}</h3>
        ${
          health === undefined
            ? html`<p class="meta">${text.notComputed}</p>`
            : html`<div class="big">${health.score}</div>
                <h3>${text.healthReasons}</h3>
                <ul class="list">
                  ${health.reasons.map(
                    (reason) => html`<li>${this.pick(reason)}</li>`,
                  )}
                </ul>
                <h3>${text.recommendedActions}</h3>
                <ul class="list">
                  ${health.actions.map(
                    (action) => html`<li>${this.pick(action)}</li>`,
                  )}
                </ul>`
        }
      </section>`;
  }

  private renderHistory(session: DealflowSession, read: DealRead) {
    const text = this.text;
    const pipeline = session.pipeline(read.deal.pipeline);
    const label = (stage: string) => {
      try {
        return pipeline === undefined
          ? stage
          : this.pick(pipeline.stage(stage).label);
      } catch {
        return stage;
      }
    };
    return html`<section part="section" data-testid="stage-history">
      <h3>${text.stageHistory}</h3>
      <ul class="list">
        ${[...read.deal.history].reverse().map(
          (entry) =>
            html`<li>
              ${label(entry.stage)}
              <span class="meta"
                >${formatMoment(entry.at, this.locale, session.utcOffsetMinutes)}
                · ${this.userName(entry.by)}</span
              >
            </li>`,
        )}
      </ul>
    </section>`;
  }

  private renderChanges(session: DealflowSession) {
    const text = this.text;
    const now = Date.now();
    const changes = session.changesSince(this.dealId, now - this.since * DAY);
    return html`<section part="section" data-testid="change-history">
      <h3>${text.changeHistory}</h3>
      <label
        >${text.changesSince}
        <select
          @change=${(event: Event) =>
            (this.since = Number((event.target as HTMLSelectElement).value))}
        >
          <option value="1" ?selected=${this.since === 1}>
            ${text.lastDay}
          </option>
          <option value="7" ?selected=${this.since === 7}>
            ${text.lastWeek}
          </option>
          <option value="30" ?selected=${this.since === 30}>
            ${text.lastMonth}
          </option>
        </select>
        <span class="meta"
          >(${formatDate(
            dateAt(now - this.since * DAY, session.utcOffsetMinutes),
            this.locale,
          )})</span
        ></label
      >
      ${
        changes.length === 0
          ? html`<p class="meta">${text.noChanges}</p>`
          : html`<ul class="list">
              ${groupChanges(changes, this.locale).map(
                (group) =>
                  html`<li title=${group.details}>
                    ${group.label}
                    ${
                      group.count > 1
                        ? html`<span class="meta">×${group.count}</span>`
                        : nothing
                    }
                    <span class="meta"
                      >${this.userName(group.by)}
                      ${
                        group.at
                          ? `· ${formatMoment(group.at, this.locale, session.utcOffsetMinutes)}`
                          : ""
                      }</span
                    >
                  </li>`,
              )}
            </ul>`
      }
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "dealflow-deal": DealflowDeal;
  }
}

/**
 * Changes grouped for reading: core labels each changed path ("任务 t-1 · 截止日期"); the list
 * shows one line per field or record list (the label up to its first space or " · "), with how
 * many paths changed, the last change and the full labels as a tooltip.
 */
function groupChanges(changes: FieldChange[], locale: string) {
  const groups = new Map<
    string,
    {
      label: string;
      count: number;
      by?: string;
      at?: number;
      details: string[];
    }
  >();
  for (const change of changes) {
    const label = pick(change.label, locale);
    // Group by the top-level field of the path (`/contacts/c-1/stance` → contacts), named by
    // the label's first part without the record id (`contacts c-1 · stance` → contacts); a
    // name of several words (`next step`, `expected close`) stays whole.
    const [, key = label, record] = change.path.split("/");
    let head = label.split(" · ")[0] ?? label;
    if (record !== undefined && head.endsWith(` ${record}`))
      head = head.slice(0, -record.length - 1);
    head = head.charAt(0).toLocaleUpperCase(locale) + head.slice(1);
    const group = groups.get(key) ?? { label: head, count: 0, details: [] };
    group.count += 1;
    group.details.push(label);
    if ((change.at ?? 0) >= (group.at ?? 0)) {
      group.at = change.at ?? undefined;
      group.by = change.by ?? undefined;
    }
    groups.set(key, group);
  }
  return [...groups.values()]
    .sort((left, right) => (right.at ?? 0) - (left.at ?? 0))
    .map((group) => ({ ...group, details: group.details.join("\n") }));
}
