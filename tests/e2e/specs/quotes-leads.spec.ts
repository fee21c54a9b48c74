import { expect, test, type APIRequestContext } from "@playwright/test";

import { signIn } from "../support/demo.js";
import { startServer, type RunningServer } from "../support/server.js";

// Quotes and lead pools live on the server (arbitrated commands, not CRDT documents); the demo
// seed puts 36 leads in the teams' pools and quotes on 12 deals. One seeded server for the file.
let server: RunningServer;

// Seeding in a debug relay on a busy machine takes a while.
test.describe.configure({ timeout: 180_000 });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  server = await startServer({
    args: ["--dev-login", "--demo-seed=7", "--demo-deals", "60"],
    startTimeoutMs: 230_000,
  });
});

test.afterAll(async () => {
  await server.stop();
});

async function token(request: APIRequestContext, user: string): Promise<string> {
  const response = await request.post(`${server.url}/api/dev/login`, { data: { user } });
  expect(response.ok()).toBe(true);
  return ((await response.json()) as { token: string }).token;
}

interface QuoteAnswer {
  document: string;
  quote: { id: string; owner: string; status: string; required_level?: number };
}

/** A quote waiting for level-1 approval (a team manager's), found through the admin's eyes. */
async function pendingQuote(request: APIRequestContext): Promise<QuoteAnswer> {
  const admin = await token(request, "chen-jing");
  const headers = { authorization: `Bearer ${admin}` };
  const listed = await request.get(`${server.url}/api/documents?kind=deal`, { headers });
  const documents = ((await listed.json()) as { documents: { id: string }[] }).documents;
  for (const document of documents) {
    const response = await request.get(`${server.url}/api/documents/${encodeURIComponent(document.id)}/quotes`, {
      headers,
    });
    if (!response.ok()) continue;
    const { quotes } = (await response.json()) as { quotes: QuoteAnswer[] };
    const pending = quotes.find(
      (each) => each.quote.status === "pending_approval" && each.quote.required_level === 1,
    );
    if (pending !== undefined) return pending;
  }
  throw new Error("the demo seed left no quote waiting for a manager's approval");
}

test("a manager approves a quote on the deal page and the rep sees the new status", async ({ browser, request }) => {
  const pending = await pendingQuote(request);
  const rep = pending.quote.owner;
  const manager = ["zhang-wei", "liu-yang"].includes(rep) ? "wang-fang" : "li-qiang";
  const hash = `#/deal/${encodeURIComponent(pending.document)}`;

  const owner = await signIn(browser, rep, hash, server.url);
  const ownerQuote = owner.page.locator(`dealflow-quotes [data-quote="${pending.quote.id}"]`);
  await expect(ownerQuote.getByTestId("quote-status")).toHaveText("待审批", { timeout: 30_000 });
  await expect(ownerQuote.getByTestId("quote-total")).toContainText("¥");
  // The owner may withdraw the request but not approve it.
  await expect(ownerQuote.getByTestId("quote-withdraw")).toBeVisible();
  await expect(ownerQuote.getByTestId("quote-approve")).toHaveCount(0);

  const approver = await signIn(browser, manager, hash, server.url);
  const approverQuote = approver.page.locator(`dealflow-quotes [data-quote="${pending.quote.id}"]`);
  await expect(approverQuote.getByTestId("quote-status")).toHaveText("待审批", { timeout: 30_000 });
  await approverQuote.getByTestId("quote-approve").click();
  await expect(approverQuote.getByTestId("quote-status")).toHaveText("已批准");
  await expect(approverQuote.getByTestId("quote-decision")).toBeVisible();

  // The rep's page asks the server again on its own and shows the decision.
  await expect(ownerQuote.getByTestId("quote-status")).toHaveText("已批准", { timeout: 15_000 });
  await expect(ownerQuote.getByTestId("quote-decision")).toContainText(manager === "wang-fang" ? "王芳" : "李强");
  await owner.page.setViewportSize({ width: 1360, height: 900 });
  await ownerQuote.scrollIntoViewIfNeeded();
  await owner.page.locator("dealflow-deal").getByTestId("section-quotes").screenshot({
    path: "artifacts/screenshots/quotes-zh-CN.png",
  });
  await owner.page.getByTestId("lang").selectOption("en");
  await expect(ownerQuote.getByTestId("quote-status")).toHaveText("Approved");
  await owner.page.locator("dealflow-deal").getByTestId("section-quotes").screenshot({
    path: "artifacts/screenshots/quotes-en.png",
  });
  await owner.context.close();
  await approver.context.close();
});

test("a rep claims a lead from the pool and sees it leave the pool; a manager assigns one", async ({ browser }) => {
  const rep = await signIn(browser, "liu-yang", "#/leads", server.url);
  const leads = rep.page.locator("dealflow-leads");
  await expect(leads.getByTestId("lead").first()).toBeVisible({ timeout: 30_000 });
  const before = await leads.getByTestId("lead").count();
  const first = leads.getByTestId("lead").first();
  const leadId = (await first.getAttribute("data-lead")) ?? "";
  const company = (await first.locator(".company").textContent())?.trim() ?? "";
  await rep.page.setViewportSize({ width: 1360, height: 900 });
  await rep.page.screenshot({ path: "artifacts/screenshots/leads-zh-CN.png", fullPage: true });

  await first.getByTestId("claim").click();
  await expect(leads.getByTestId("lead-notice")).toContainText(`已领取「${company}」`);
  await expect(leads.locator(`[data-lead="${leadId}"]`)).toHaveCount(0);
  await expect(leads.getByTestId("lead")).toHaveCount(before - 1);
  await expect(leads.getByTestId("lead-count")).toHaveText(`池中 ${before - 1} 条线索`);

  // The team's manager sees the same pool without that lead, and assigns the next one.
  const manager = await signIn(browser, "wang-fang", "#/leads", server.url);
  const managed = manager.page.locator("dealflow-leads");
  await expect(managed.getByTestId("lead").first()).toBeVisible({ timeout: 30_000 });
  await expect(managed.locator(`[data-lead="${leadId}"]`)).toHaveCount(0);
  await expect(managed.getByTestId("claim")).toHaveCount(0);
  const next = managed.getByTestId("lead").first();
  const nextId = (await next.getAttribute("data-lead")) ?? "";
  await next.getByTestId("assign").selectOption("zhang-wei");
  await expect(managed.getByTestId("lead-notice")).toContainText("张伟");
  await expect(managed.locator(`[data-lead="${nextId}"]`)).toHaveCount(0);

  await rep.page.getByTestId("lang").selectOption("en");
  await leads.getByTestId("refresh-leads").click();
  await expect(leads.getByTestId("lead-count")).toHaveText(`${before - 2} leads in the pool`);
  await rep.page.screenshot({ path: "artifacts/screenshots/leads-en.png", fullPage: true });
  await rep.context.close();
  await manager.context.close();
});
