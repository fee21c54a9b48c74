import {
  LitElement,
  css,
  html,
  nothing,
  type CSSResultGroup,
  type PropertyValues,
} from "lit";
import { property, state } from "lit/decorators.js";

import { formatMoney, loadDealflow } from "../lib/index.js";
import type { Locale } from "../lib/format.js";
import type { LocalizedText, Money } from "../wasm/dealflow_wasm.js";
import { sessionFor, type DealflowSession } from "./session.js";
import { localeOf, pick, textFor } from "./text.js";

/**
 * What every Dealflow element shares: the `server-url`, `token` and `lang` attributes (or a
 * `session` property), the subscription to the session's changes, the connection badge and the
 * theme's custom properties. Nothing here styles the page outside the shadow root.
 */
export class DealflowElement extends LitElement {
  static override styles: CSSResultGroup = css`
    :host {
      --_accent: var(--dealflow-accent, #1664ff);
      --_text: var(--dealflow-text, #1f2329);
      --_muted: var(--dealflow-muted, #646a73);
      --_surface: var(--dealflow-surface, #ffffff);
      --_background: var(--dealflow-background, #f5f6f7);
      --_border: var(--dealflow-border, #dee0e3);
      --_radius: var(--dealflow-radius, 6px);
      --_danger: var(--dealflow-danger, #f54a45);
      --_warning: var(--dealflow-warning, #ff8800);
      --_success: var(--dealflow-success, #34c724);
      display: block;
      box-sizing: border-box;
      font-family: var(
        --dealflow-font,
        system-ui,
        "PingFang SC",
        "Noto Sans CJK SC",
        "Microsoft YaHei",
        sans-serif
      );
      font-size: var(--dealflow-font-size, 14px);
      line-height: 1.5;
      color: var(--_text);
      background: var(--_background);
      text-align: start;
    }
    *,
    *::before,
    *::after {
      box-sizing: border-box;
    }
    [hidden] {
      display: none !important;
    }
    .toolbar {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 8px 16px;
      padding: 8px 12px;
      border-bottom: 1px solid var(--_border);
      background: var(--_surface);
    }
    .toolbar .spacer {
      flex: 1;
    }
    .status {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      font-size: 12px;
      color: var(--_muted);
      white-space: nowrap;
    }
    .status .dot {
      width: 8px;
      height: 8px;
      border-radius: 50%;
      background: var(--_success);
    }
    .status[data-status="offline"] .dot {
      background: var(--_muted);
    }
    .status[data-status="syncing"] .dot {
      background: var(--_warning);
    }
    .status:not([data-unsaved="0"]) {
      color: var(--_danger);
    }
    .status:not([data-unsaved="0"]) .dot {
      background: var(--_danger);
    }
    .message {
      padding: 24px;
      color: var(--_muted);
    }
    /* Small text every view uses: a secondary line, an inline error, an empty list's note
       (whose size and spacing each view sets). */
    .meta {
      color: var(--_muted);
      font-size: 12px;
    }
    .problem {
      color: var(--_danger);
      font-size: 12px;
    }
    .empty {
      color: var(--_muted);
    }
    button {
      font: inherit;
      color: inherit;
      background: var(--_surface);
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      padding: 2px 10px;
      cursor: pointer;
    }
    button.primary {
      background: var(--_accent);
      border-color: var(--_accent);
      color: #fff;
    }
    input,
    select,
    textarea {
      font: inherit;
      color: inherit;
      background: var(--_surface);
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      padding: 3px 6px;
      min-width: 0;
    }
    label {
      color: var(--_muted);
      font-size: 12px;
    }
    h2,
    h3 {
      margin: 0;
      font-weight: 600;
    }
    h2 {
      font-size: 16px;
    }
    h3 {
      font-size: 14px;
    }
  `;

  /** Base URL of the Dealflow server, e.g. `https://crm.example.com`. */
  @property({ attribute: "server-url" }) serverUrl = "";
  /** A token for the signed-in user (the portal mints it). */
  @property() token = "";
  /** UI language: `zh-CN` (default) or `en`. */
  @property({ reflect: true }) override lang = "zh-CN";
  /** A session to use instead of connecting with `server-url` and `token`. */
  @property({ attribute: false }) session: DealflowSession | undefined;

  @state() protected ready = false;
  @state() protected failure: string | undefined;

  private unsubscribe: (() => void) | undefined;
  private subscribed: DealflowSession | undefined;

  protected get locale(): Locale {
    return localeOf(this.lang);
  }

  protected get text() {
    return textFor(this.locale);
  }

  protected pick(label: LocalizedText | undefined): string {
    return pick(label, this.locale);
  }

  protected money(amount: Money | undefined): string {
    return amount === undefined ? "—" : formatMoney(amount, this.locale);
  }

  /** The session in use: the `session` property, or one made from the attributes. */
  protected get activeSession(): DealflowSession | undefined {
    if (this.session !== undefined) return this.session;
    if (this.serverUrl === "" || this.token === "") return undefined;
    return sessionFor(this.serverUrl, this.token);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.attach();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.subscribed = undefined;
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (
      changed.has("session") ||
      changed.has("serverUrl") ||
      changed.has("token")
    )
      this.attach();
  }

  private attach(): void {
    const session = this.activeSession;
    if (session === this.subscribed) return;
    this.unsubscribe?.();
    this.subscribed = session;
    this.ready = false;
    if (session === undefined) return;
    this.unsubscribe = session.subscribe(() => this.sessionChanged());
    Promise.all([loadDealflow(), session.ready])
      .then(() => {
        if (this.subscribed !== session) return;
        this.ready = true;
        this.sessionReady(session);
      })
      .catch((error: unknown) => {
        this.failure = error instanceof Error ? error.message : String(error);
      });
  }

  /** Called once the session is ready; subclasses load what they show. */
  protected sessionReady(_session: DealflowSession): void {
    this.requestUpdate();
  }

  /** Called on every session change; subclasses drop caches before re-rendering. */
  protected sessionChanged(): void {
    this.requestUpdate();
  }

  /**
   * The connection badge: online / offline / syncing and the unsynced count, or "not saved"
   * while a save to the browser's storage has failed (and not since succeeded): those changes
   * would be lost on a reload, which matters more than whether they reached the server.
   */
  protected renderStatus() {
    const session = this.activeSession;
    if (session === undefined || !this.ready) return html``;
    const status = session.status();
    const unsynced = session.unsyncedCount();
    const unsaved = session.unsavedCount();
    const label =
      unsaved > 0
        ? this.text.notSaved
        : unsynced === undefined
          ? this.text.unsyncedUnknown
          : unsynced === 0
            ? this.text.allSynced
            : this.text.unsynced(unsynced);
    return html`<span
      class="status"
      part="status"
      data-testid="sync-status"
      data-status=${status}
      data-unsynced=${unsynced ?? "unknown"}
      data-unsaved=${unsaved}
      title=${unsaved > 0 ? this.text.notSavedDetail(unsaved) : nothing}
      ><span class="dot"></span>${this.text[status]} · ${label}</span
    >`;
  }

  /** What to show instead of content when there is no session, an error, or no data yet. */
  protected renderGate() {
    if (this.failure !== undefined)
      return html`<p class="message" role="alert">${this.failure}</p>`;
    if (this.activeSession === undefined)
      return html`<p class="message">${this.text.notConnected}</p>`;
    if (!this.ready) return html`<p class="message">${this.text.loading}</p>`;
    return undefined;
  }

  /**
   * The whole view while {@link renderGate} has something to say (no session, an error, no data
   * yet): a toolbar with the sync status above the gate's message; `undefined` once the content
   * can show.
   */
  protected renderGatedToolbar() {
    const gate = this.renderGate();
    if (gate === undefined) return undefined;
    return html`<div class="toolbar" part="toolbar">${this.renderStatus()}</div>
      ${gate}`;
  }

  /** A user's display name in this locale, or their id. */
  protected userName(id: string | undefined): string {
    if (id === undefined) return "—";
    const user = this.activeSession?.users().find((each) => each.id === id);
    return user === undefined ? id : this.pick(user.name);
  }
}
