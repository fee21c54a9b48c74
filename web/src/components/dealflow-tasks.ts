import { css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";

import type { AttentionLists, Task } from "../wasm/dealflow_wasm.js";
import { DealflowElement } from "./base.js";
import { dateAt, formatDate } from "./calendar.js";
import type { DealflowSession } from "./session.js";

interface MyTask {
  dealId: string;
  dealTitle: string;
  task: Task;
}

/** How often reminders are checked while the page is open. */
const REMINDER_INTERVAL_MS = 60_000;

/**
 * `<dealflow-tasks>`: the signed-in user's open tasks and the attention list core computes
 * (overdue tasks and next steps, deals without a next step, stalled deals with their reasons).
 * With permission, overdue items are also shown as browser notifications.
 *
 * @fires dealflow-open-deal - `{ dealId }` when an item is opened
 * @csspart toolbar - the title and status bar
 * @csspart status - the connection badge
 * @csspart list - each list
 * @csspart item - each entry
 */
@customElement("dealflow-tasks")
export class DealflowTasks extends DealflowElement {
  static override styles = [
    DealflowElement.styles,
    css`
      .lists {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(300px, 1fr));
        gap: 12px;
        padding: 12px;
      }
      section {
        background: var(--_surface);
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        padding: 10px 12px;
      }
      section h3 {
        display: flex;
        justify-content: space-between;
        margin-bottom: 6px;
      }
      .count {
        color: var(--_muted);
        font-weight: normal;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li {
        padding: 6px 0;
        border-bottom: 1px solid var(--_border);
        cursor: pointer;
      }
      li:last-child {
        border-bottom: none;
      }
      .meta {
        display: block;
      }
      .late {
        color: var(--_danger);
      }
      .idle {
        color: var(--_warning);
      }
      .empty {
        cursor: default;
      }
    `,
  ];

  /** Whose tasks to show; defaults to the signed-in user. */
  @property() user = "";

  @state() private permission: NotificationPermission | "unsupported" =
    typeof Notification === "undefined"
      ? "unsupported"
      : Notification.permission;

  private timer: ReturnType<typeof setInterval> | undefined;
  private notified = new Set<string>();

  override connectedCallback(): void {
    super.connectedCallback();
    this.timer = setInterval(() => this.remind(), REMINDER_INTERVAL_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  protected override sessionReady(session: DealflowSession): void {
    super.sessionReady(session);
    this.remind();
  }

  private me(session: DealflowSession): string {
    return this.user || session.user?.id || "";
  }

  /** Attention entries for the deals this user answers for (reps: their own). */
  private lists(session: DealflowSession, now: number): AttentionLists {
    const lists = session.attention(now);
    if (session.user?.role !== "rep" && this.user === "") return lists;
    const me = this.me(session);
    return {
      overdueTasks: lists.overdueTasks.filter((item) => item.assignee === me),
      overdueNextSteps: lists.overdueNextSteps.filter(
        (item) => item.owner === me,
      ),
      dealsWithoutNextStep: lists.dealsWithoutNextStep.filter(
        (item) => item.owner === me,
      ),
      stalledDeals: lists.stalledDeals.filter((item) => item.owner === me),
      unresolved: lists.unresolved,
    };
  }

  private myTasks(session: DealflowSession): MyTask[] {
    const me = this.me(session);
    const tasks: MyTask[] = [];
    for (const summary of session.summaries()) {
      if (summary.status !== "open") continue;
      const read = session.readDeal(summary.id);
      for (const task of read?.deal.tasks ?? [])
        if (task.assignee === me && task.status === "open")
          tasks.push({ dealId: summary.id, dealTitle: summary.title, task });
    }
    return tasks.sort(
      (left, right) =>
        (left.task.due ?? "9999").localeCompare(right.task.due ?? "9999") ||
        left.task.id.localeCompare(right.task.id),
    );
  }

  private async enableNotifications(): Promise<void> {
    if (typeof Notification === "undefined") return;
    this.permission = await Notification.requestPermission();
    this.remind();
  }

  /** Shows one notification per new batch of overdue items, when permitted. */
  private remind(): void {
    const session = this.activeSession;
    if (
      session === undefined ||
      !this.ready ||
      typeof Notification === "undefined" ||
      Notification.permission !== "granted"
    )
      return;
    const lists = this.lists(session, Date.now());
    const keys = [
      ...lists.overdueTasks.map((item) => `task:${item.deal}:${item.task}`),
      ...lists.overdueNextSteps.map((item) => `next:${item.deal}:${item.due}`),
    ];
    const fresh = keys.filter((key) => !this.notified.has(key));
    if (fresh.length === 0) return;
    for (const key of fresh) this.notified.add(key);
    new Notification(this.text.notificationTitle, {
      body: this.text.notificationBody(keys.length),
      tag: "dealflow-overdue",
    });
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

  override render() {
    const gate = this.renderGate();
    const session = this.activeSession;
    const text = this.text;
    // The status comes before the notifications button, so the button stays put when the
    // status's text changes width.
    const toolbar = html`<div class="toolbar" part="toolbar">
      <h2>${text.myTasks}</h2>
      <span class="spacer"></span>
      ${this.renderStatus()}
      ${
        this.permission === "default"
          ? html`<button @click=${() => void this.enableNotifications()}>
              ${text.enableNotifications}
            </button>`
          : this.permission === "granted"
            ? html`<span class="status">${text.notificationsOn}</span>`
            : nothing
      }
    </div>`;
    if (gate !== undefined || session === undefined)
      return html`${toolbar}${gate}`;
    const now = Date.now();
    const today = dateAt(now, session.utcOffsetMinutes);
    const lists = this.lists(session, now);
    const titles = new Map(
      session.summaries().map((summary) => [summary.id, summary.title]),
    );
    const title = (dealId: string) => titles.get(dealId) ?? dealId;
    const tasks = this.myTasks(session);
    const empty = html`<li class="empty">${text.nothingToDo}</li>`;
    const section = (
      name: string,
      heading: string,
      count: number,
      items: unknown,
    ) =>
      html`<section part="list" data-testid=${name}>
        <h3>${heading} <span class="count">${count}</span></h3>
        <ul>
          ${count === 0 ? empty : items}
        </ul>
      </section>`;
    return html`${toolbar}
      <div class="lists">
        ${section(
          "my-tasks",
          text.myTasks,
          tasks.length,
          tasks.map(
            (item) =>
              html`<li part="item" @click=${() => this.open(item.dealId)}>
                ${this.pick(item.task.title)}
                <span
                  class="meta ${
                    item.task.due !== undefined &&
                    item.task.due !== null &&
                    item.task.due < today
                      ? "late"
                      : ""
                  }"
                  >${item.dealTitle} ·
                  ${formatDate(item.task.due, this.locale)}</span
                >
              </li>`,
          ),
        )}
        ${section(
          "overdue-tasks",
          text.overdueTasks,
          lists.overdueTasks.length,
          lists.overdueTasks.map(
            (item) =>
              html`<li part="item" @click=${() => this.open(item.deal)}>
                ${this.pick(item.title)}
                <span class="meta late"
                  >${title(item.deal)} ·
                  ${text.daysOverdue(item.daysOverdue)}</span
                >
              </li>`,
          ),
        )}
        ${section(
          "overdue-next-steps",
          text.overdueNextSteps,
          lists.overdueNextSteps.length,
          lists.overdueNextSteps.map(
            (item) =>
              html`<li part="item" @click=${() => this.open(item.deal)}>
                ${item.action}
                <span class="meta late"
                  >${title(item.deal)} ·
                  ${text.daysOverdue(item.daysOverdue)}</span
                >
              </li>`,
          ),
        )}
        ${section(
          "without-next-step",
          text.withoutNextStep,
          lists.dealsWithoutNextStep.length,
          lists.dealsWithoutNextStep.map(
            (item) =>
              html`<li part="item" @click=${() => this.open(item.deal)}>
                ${title(item.deal)}
                <span class="meta idle"
                  >${this.userName(item.owner)} ·
                  ${text.daysIdle(item.daysSinceActivity)}</span
                >
              </li>`,
          ),
        )}
        ${section(
          "stalled",
          text.stalled,
          lists.stalledDeals.length,
          lists.stalledDeals.map(
            (item) =>
              html`<li part="item" @click=${() => this.open(item.deal)}>
                ${title(item.deal)}
                ${item.reasons.map(
                  (reason) =>
                    html`<span class="meta idle"
                      >${this.pick(reason.message)}</span
                    >`,
                )}
              </li>`,
          ),
        )}
      </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "dealflow-tasks": DealflowTasks;
  }
}
