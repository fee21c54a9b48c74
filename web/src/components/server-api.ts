/**
 * The server's arbitrated records over HTTP: quotes (`/api/documents/{deal}/quotes`,
 * `/api/quotes/{id}/commands`) and lead pools (`/api/pools`, `/api/leads/{id}/commands`). These
 * are not CRDT documents: every change is a compare-and-set command that the server decides
 * (approval levels, claim limits), so they are fetched and commanded, never edited offline.
 *
 * Records arrive in core's own serde form (snake_case fields, `{ "zh-CN", en }` texts); the
 * types below describe what the components read of them.
 */
import type { Money } from "../wasm/dealflow_wasm.js";

/** A text as the server's JSON carries core's `LocalizedText`. */
export interface ServerText {
  "zh-CN": string;
  en: string;
}

/** Where a quote is in its life (core's `QuoteStatus`). */
export type QuoteStatusName =
  | "draft"
  | "pending_approval"
  | "approved"
  | "rejected"
  | "sent"
  | "accepted"
  | "expired"
  | "superseded";

/** A quote line, as much of core's `QuoteLine` as the deal page shows. */
export interface QuoteLineRecord {
  id: string;
  sku?: string;
  name: ServerText;
  unit: ServerText;
  quantity: number;
  /** Line discount in basis points. */
  discount: number;
}

/** A quote as the server sends it: core's `Quote` (its data, for `Quote.fromData`). */
export interface QuoteRecord {
  id: string;
  deal: string;
  owner: string;
  revision: number;
  version: number;
  currency: string;
  lines: QuoteLineRecord[];
  /** Whole-quote discount in basis points. */
  discount: number;
  tax_basis: "exclusive" | "inclusive";
  valid_until: string;
  status: QuoteStatusName;
  required_level?: number;
  decision?: {
    outcome: "approved" | "rejected";
    by: string;
    level: number;
    required_level: number;
    at: number;
    comment: string;
  };
  events: { version: number; at: number; by: string; kind: { kind: string } }[];
}

/** The figures core computes for a line and for a whole quote alike. */
export interface QuoteFigures {
  reference: Money;
  gross: Money;
  discounted: Money;
  net: Money;
  tax: Money;
  total: Money;
}

/** A line's figures (core's `LineTotals`). */
export interface LineTotalsRecord extends QuoteFigures {
  line: string;
}

/** A quote's figures as core computed them on the server (core's `QuoteTotals`). */
export interface QuoteTotalsRecord extends QuoteFigures {
  lines: LineTotalsRecord[];
}

/** A quote with its figures, as the server answers for it. */
export interface QuoteWithTotals {
  quote: QuoteRecord;
  totals?: QuoteTotalsRecord;
  /** The discount from the catalogue reference, in basis points (what approval looks at). */
  discountBp?: number;
}

/** A quote command's action (core's `QuoteAction`), the ones the components send. */
export type QuoteActionBody =
  | { action: "submit" }
  | { action: "withdraw" }
  | { action: "approve"; comment?: string }
  | { action: "reject"; comment: string };

/** A lead pool the user may claim from or manages. */
export interface PoolRecord {
  id: string;
  name: ServerText;
  team?: string | null;
  claimLimit: number;
  document: string;
}

/** Who holds a lead (core's `Custody`). */
export type CustodyRecord =
  | { state: "unassigned" }
  | { state: "team"; team: string; since: number }
  | { state: "in_pool"; pool: string; since: number }
  | { state: "owned"; owner: string; since: number };

/** A lead as the server sends it (core's `Lead`). */
export interface LeadRecord {
  id: string;
  contact_name: string;
  company: string;
  phone?: string | null;
  email?: string | null;
  region?: string | null;
  industry?: string | null;
  product_interest?: string | null;
  source: string;
  campaign?: string | null;
  notes: string;
  created_at: number;
  custody: CustodyRecord;
  home_pool?: string | null;
  status: string | { [kind: string]: unknown };
  version: number;
}

/** A pool command (the server's `LeadCommandRequest`): the caller is always the actor. */
export type LeadCommandBody =
  | { command: "claim"; expectedVersion: number }
  | { command: "assign"; to: string; expectedVersion: number };

/** An answer the server refused, with its code and both languages' messages. */
export class ServerRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly messageZh: string,
    readonly messageEn: string,
  ) {
    super(messageEn);
    this.name = "ServerRefusal";
  }
}

/** Quotes and lead pools of one signed-in user on one server. */
export class ServerApi {
  constructor(
    readonly serverUrl: string,
    private readonly token: string,
  ) {}

  private async call<T>(
    path: string,
    init: { method?: string; body?: unknown } = {},
  ): Promise<T> {
    const response = await fetch(new URL(path, this.serverUrl), {
      method: init.method ?? "GET",
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(init.body === undefined
          ? {}
          : { "content-type": "application/json" }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as {
        code?: string;
        message?: string;
        messageZh?: string;
      };
      throw new ServerRefusal(
        response.status,
        body.code ?? String(response.status),
        body.messageZh ?? body.message ?? response.statusText,
        body.message ?? response.statusText,
      );
    }
    return (await response.json()) as T;
  }

  /** The quotes on a deal the user may see, each with its figures. */
  async quotesWithTotals(dealId: string): Promise<QuoteWithTotals[]> {
    const body = await this.call<{ quotes: QuoteWithTotals[] }>(
      `/api/documents/${encodeURIComponent(dealId)}/quotes`,
    );
    return body.quotes;
  }

  /** A quote command against the version the user saw; resolves to the quote after it. */
  async quoteCommand(
    quoteId: string,
    expectedVersion: number,
    action: QuoteActionBody,
  ): Promise<QuoteRecord> {
    const body = await this.call<{ quote: QuoteRecord }>(
      `/api/quotes/${encodeURIComponent(quoteId)}/commands`,
      { method: "POST", body: { expectedVersion, action } },
    );
    return body.quote;
  }

  /** The pools the user may claim from or manages. */
  async pools(): Promise<PoolRecord[]> {
    return (await this.call<{ pools: PoolRecord[] }>("/api/pools")).pools;
  }

  /** The leads in a pool that the user may see. */
  async poolLeads(poolId: string): Promise<LeadRecord[]> {
    return (
      await this.call<{ leads: LeadRecord[] }>(
        `/api/pools/${encodeURIComponent(poolId)}/leads`,
      )
    ).leads;
  }

  /** A pool command on a lead; resolves to the lead after it. */
  async leadCommand(
    leadId: string,
    command: LeadCommandBody,
  ): Promise<LeadRecord> {
    return (
      await this.call<{ lead: LeadRecord }>(
        `/api/leads/${encodeURIComponent(leadId)}/commands`,
        { method: "POST", body: command },
      )
    ).lead;
  }
}
