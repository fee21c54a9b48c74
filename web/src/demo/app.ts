/**
 * The demo app served at `/`: a development login that picks one of the seeded users, then the
 * components over the server's seeded deals. Routes live in the hash so a deal has a URL:
 * `#/board`, `#/tasks`, `#/forecast`, `#/leads`, `#/deal/<id>`.
 */
import { LitElement, css, html, nothing } from "lit";
import { customElement, state } from "lit/decorators.js";

import "../dealflow.js";
import { fromServer, type ServerUser } from "../components/connect.js";
import { localeOf, pick } from "../components/text.js";
import type { SessionUser } from "../components/session.js";

interface Login {
  token: string;
  user: SessionUser;
}

const LOGIN_KEY = "dealflow-demo-login";
const LANG_KEY = "dealflow-demo-lang";

const TEXT = {
  "zh-CN": {
    title: "Dealflow 销售机会跟踪",
    pick: "选择一位演示用户登录",
    roles: { admin: "管理员", manager: "销售经理", rep: "销售代表" },
    board: "销售看板",
    tasks: "我的任务",
    forecast: "销售预测",
    leads: "线索公海",
    back: "返回看板",
    logout: "退出",
    failed: "无法登录：服务器未开启开发登录（--dev-login）",
  },
  en: {
    title: "Dealflow sales opportunities",
    pick: "Sign in as one of the demo users",
    roles: { admin: "Admin", manager: "Sales manager", rep: "Sales rep" },
    board: "Pipeline",
    tasks: "My tasks",
    forecast: "Forecast",
    leads: "Lead pool",
    back: "Back to the board",
    logout: "Sign out",
    failed:
      "Cannot sign in: the server runs without the development login (--dev-login)",
  },
} as const;

function storedLogin(): Login | undefined {
  try {
    const raw = sessionStorage.getItem(LOGIN_KEY);
    return raw === null ? undefined : (JSON.parse(raw) as Login);
  } catch {
    return undefined;
  }
}

@customElement("dealflow-demo-app")
export class DemoApp extends LitElement {
  static override styles = css`
    :host {
      display: block;
      font-family: system-ui, "PingFang SC", "Noto Sans CJK SC", sans-serif;
      color: #1f2329;
    }
    nav {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 8px 16px;
      padding: 8px 16px;
      background: #1f2329;
      color: #fff;
    }
    nav a {
      color: #c9cdd4;
      text-decoration: none;
    }
    nav a[aria-current="page"] {
      color: #fff;
      font-weight: 600;
    }
    /* Each link and label on one line; the signed-in user's group stays together at the right,
       on a row of its own when the window is too narrow for both. */
    nav > *,
    nav .me > * {
      white-space: nowrap;
    }
    nav .me {
      display: flex;
      align-items: center;
      gap: 16px;
      margin-left: auto;
    }
    nav button,
    nav select {
      font: inherit;
    }
    .login {
      max-width: 560px;
      margin: 64px auto;
      padding: 24px;
      background: #fff;
      border-radius: 8px;
      border: 1px solid #dee0e3;
    }
    .users {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(160px, 1fr));
      gap: 8px;
    }
    .users button {
      font: inherit;
      text-align: start;
      padding: 8px 10px;
      border: 1px solid #dee0e3;
      border-radius: 6px;
      background: #fff;
      cursor: pointer;
    }
    .users button small {
      display: block;
      color: #646a73;
    }
  `;

  @state() private login: Login | undefined = storedLogin();
  @state() private users: SessionUser[] = [];
  @state() private route = location.hash;
  @state() private locale = localeOf(localStorage.getItem(LANG_KEY) ?? "zh-CN");
  @state() private failure = false;

  private readonly onHash = () => (this.route = location.hash);

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener("hashchange", this.onHash);
    this.addEventListener("dealflow-open-deal", (event) => {
      const { dealId } = (event as CustomEvent<{ dealId: string }>).detail;
      location.hash = `#/deal/${encodeURIComponent(dealId)}`;
    });
    if (this.login === undefined) void this.loadUsers();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener("hashchange", this.onHash);
  }

  private async loadUsers(): Promise<void> {
    const response = await fetch("/api/dev/users");
    if (!response.ok) {
      this.failure = true;
      return;
    }
    const body = (await response.json()) as { users: ServerUser[] };
    this.users = body.users.map(fromServer);
  }

  private async signIn(user: string): Promise<void> {
    const response = await fetch("/api/dev/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user }),
    });
    if (!response.ok) {
      this.failure = true;
      return;
    }
    const body = (await response.json()) as { token: string; user: ServerUser };
    this.login = { token: body.token, user: fromServer(body.user) };
    sessionStorage.setItem(LOGIN_KEY, JSON.stringify(this.login));
    if (location.hash === "") location.hash = "#/board";
  }

  private signOut(): void {
    sessionStorage.removeItem(LOGIN_KEY);
    this.login = undefined;
    location.hash = "";
    void this.loadUsers();
  }

  private setLang(lang: string): void {
    this.locale = localeOf(lang);
    localStorage.setItem(LANG_KEY, this.locale);
    document.documentElement.lang = this.locale;
  }

  override render() {
    const text = TEXT[this.locale];
    document.title = text.title;
    const login = this.login;
    const langSwitch = html`<select
      aria-label="language"
      data-testid="lang"
      @change=${(event: Event) =>
        this.setLang((event.target as HTMLSelectElement).value)}
    >
      <option value="zh-CN" ?selected=${this.locale === "zh-CN"}>中文</option>
      <option value="en" ?selected=${this.locale === "en"}>English</option>
    </select>`;
    if (login === undefined)
      return html`<div class="login">
        <h1>${text.title}</h1>
        <p>${text.pick} ${langSwitch}</p>
        ${this.failure ? html`<p role="alert">${text.failed}</p>` : nothing}
        <div class="users">
          ${this.users.map(
            (user) =>
              html`<button
                data-user=${user.id}
                @click=${() => void this.signIn(user.id)}
              >
                ${pick(user.name, this.locale)}
                <small
                  >${text.roles[user.role]}
                  ${user.team ? `· ${pick(user.team.name, this.locale)}` : ""}</small
                >
              </button>`,
          )}
        </div>
      </div>`;
    const [, page = "board", id = ""] = this.route.split("/");
    const link = (href: string, label: string, current: boolean) =>
      html`<a href=${href} aria-current=${current ? "page" : "false"}
        >${label}</a
      >`;
    const common = {
      server: location.origin,
      token: login.token,
    };
    let body;
    switch (page) {
      case "deal":
        body = html`<dealflow-deal
          server-url=${common.server}
          token=${common.token}
          lang=${this.locale}
          deal-id=${decodeURIComponent(id)}
        ></dealflow-deal>`;
        break;
      case "tasks":
        body = html`<dealflow-tasks
          server-url=${common.server}
          token=${common.token}
          lang=${this.locale}
        ></dealflow-tasks>`;
        break;
      case "forecast":
        body = html`<dealflow-forecast
          server-url=${common.server}
          token=${common.token}
          lang=${this.locale}
        ></dealflow-forecast>`;
        break;
      case "leads":
        body = html`<dealflow-leads
          server-url=${common.server}
          token=${common.token}
          lang=${this.locale}
        ></dealflow-leads>`;
        break;
      default:
        body = html`<dealflow-board
          server-url=${common.server}
          token=${common.token}
          lang=${this.locale}
        ></dealflow-board>`;
    }
    return html`<nav>
        <strong>Dealflow</strong>
        ${link("#/board", text.board, page === "board" || page === "")}
        ${link("#/tasks", text.tasks, page === "tasks")}
        ${link("#/forecast", text.forecast, page === "forecast")}
        ${link("#/leads", text.leads, page === "leads")}
        <span class="me">
          <span data-testid="signed-in"
            >${pick(login.user.name, this.locale)}</span
          >
          ${langSwitch}
          <button @click=${() => this.signOut()}>${text.logout}</button>
        </span>
      </nav>
      ${body}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "dealflow-demo-app": DemoApp;
  }
}
