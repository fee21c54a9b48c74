import { expect, type Browser, type BrowserContext, type Page } from "@playwright/test";

import { baseUrl } from "./urls.js";

/** A browser context signed in to the demo app as one of the seeded users. */
export interface SignedIn {
  context: BrowserContext;
  page: Page;
  token: string;
  user: string;
  /** Uncaught errors of the page since it first loaded (specs assert there are none). */
  errors: string[];
}

/**
 * Signs in through the development login and opens the demo app at `hash`; `prepare` runs on the
 * new context before the page opens (e.g. to route its requests).
 */
export async function signIn(
  browser: Browser,
  userId: string,
  hash = "#/board",
  base = baseUrl(),
  prepare?: (context: BrowserContext) => Promise<void>,
): Promise<SignedIn> {
  const context = await browser.newContext({ locale: "zh-CN", timezoneId: "Asia/Shanghai" });
  await prepare?.(context);
  const response = await context.request.post(`${base}/api/dev/login`, { data: { user: userId } });
  expect(response.ok()).toBe(true);
  type Text = { "zh-CN": string; en: string };
  type User = { id: string; name: Text; role: string; team?: { id: string; name: Text } | null };
  const login = (await response.json()) as { token: string; user: User };
  // The demo keeps the user with `{ zh, en }` names, as the components' types have them.
  const text = (value: Text) => ({ zh: value["zh-CN"], en: value.en });
  const user = {
    ...login.user,
    name: text(login.user.name),
    team: login.user.team ? { id: login.user.team.id, name: text(login.user.team.name) } : null,
  };
  // The demo keeps its login in sessionStorage; put it there before the app starts.
  await context.addInitScript((stored) => {
    sessionStorage.setItem("dealflow-demo-login", stored);
  }, JSON.stringify({ token: login.token, user }));
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => {
    errors.push(error.message);
    console.error(`[${userId}] pageerror: ${error.stack ?? error.message}`);
  });
  // The page's own errors and warnings go to the run's output, where CI keeps them: a failure
  // seen only there can then be told from the page's side too.
  page.on("console", (message) => {
    const type = message.type();
    // Failed loads are left out: offline specs cause them on purpose.
    if ((type === "error" || type === "warning") && !message.text().startsWith("Failed to load resource"))
      console.error(`[${userId}] console.${type}: ${message.text()}`);
  });
  await page.goto(`${base}/${hash}`);
  return { context, page, token: login.token, user: userId, errors };
}

/** Creates a deal from the board's dialog and returns its id (the app then shows the deal). */
export async function createDeal(who: SignedIn, title: string, amount = "300000"): Promise<string> {
  const { page } = who;
  await page.getByTestId("new-deal").click();
  const dialog = page.getByTestId("new-deal-dialog");
  await dialog.locator("input[name=title]").fill(title);
  await dialog.locator("input[name=amount]").fill(amount);
  await dialog.locator("button.primary").click();
  await expect(page).toHaveURL(/#\/deal\//);
  const id = decodeURIComponent(page.url().split("#/deal/")[1] ?? "");
  expect(id).not.toBe("");
  await expect(page.getByTestId("deal")).toBeVisible();
  return id;
}

/** Waits until the relay has registered a document (it does on the first sync). */
export async function registered(who: SignedIn, id: string): Promise<void> {
  await expect
    .poll(
      async () =>
        (
          await who.context.request.get(`${baseUrl()}/api/documents/${encodeURIComponent(id)}`, {
            headers: { authorization: `Bearer ${who.token}` },
          })
        ).status(),
      { timeout: 10_000 },
    )
    .toBe(200);
}

/** Puts `member` on the deal team with write access (the owner decides, through the relay). */
export async function addToDealTeam(owner: SignedIn, id: string, member: string): Promise<void> {
  const response = await owner.context.request.put(
    `${baseUrl()}/api/documents/${encodeURIComponent(id)}/members/${member}`,
    { headers: { authorization: `Bearer ${owner.token}` }, data: { access: "write", role: "presales" } },
  );
  expect(response.ok(), await response.text()).toBe(true);
}

/** A field's control inside `<dealflow-deal>`. */
export function field(page: Page, name: string) {
  return page.locator("dealflow-deal").getByTestId(`field-${name}`);
}
