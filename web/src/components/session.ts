/**
 * What the Dealflow components need from a connection to the server: the narrow, typed contract
 * the components are written against. The TypeScript client in `src/lib/` satisfies it; tests
 * and the offline demo can pass any other object that does (see `memory-session.ts`).
 *
 * Every rule behind these answers (stage criteria, attention lists, probabilities, forecasts,
 * access) is computed by `dealflow-core` in wasm; components only display and forward edits.
 */
import type {
  AttentionLists,
  DealDoc,
  DealRead,
  DealSummary,
  EditContext,
  EffectiveProbability,
  FieldChange,
  LocalizedText,
  Money,
  MoveOutcome,
  MoveProblem,
  MoveTarget,
  NewDeal,
  Pipeline,
  StalledDeal,
} from "../wasm/dealflow_wasm.js";
import type { ServerApi } from "./server-api.js";

/** The connection as the status badge shows it. */
export type SyncStatus = "online" | "offline" | "syncing";

/** A user of the organisation, as the server's directory describes them. */
export interface SessionUser {
  id: string;
  name: LocalizedText;
  role: "admin" | "manager" | "rep";
  team?: { id: string; name: LocalizedText } | null;
}

/** The answer to a stage move: moved, or refused with everything that stands in the way. */
export type MoveResult =
  | {
      moved: true;
      outcome: MoveOutcome;
      /**
       * When the move is shown before it is stored: settles once it is stored, rejects (with
       * the storage error) if it could not be, which the element must show. Absent: the move
       * was stored before the result came.
       */
      stored?: Promise<void>;
    }
  | { moved: false; checklist: MoveProblem[] };

/** Another user looking at (or typing in) a deal, from presence messages. */
export interface PresencePeer {
  user: string;
  /** The field they focus, named as in `data-field` attributes (`needs`, `amount`, …). */
  field?: string;
}

/** The win probability of a deal with the factors that weigh most (from core's scoring). */
export interface WinProbabilityView {
  probabilityBp: number;
  factors: { label: LocalizedText; effect: "up" | "down" }[];
}

/** The health of a deal: a score, the reasons behind it and what to do next (core's health). */
export interface HealthView {
  /** 0–100: 100 minus the penalties of the rules that fired. */
  score: number;
  reasons: LocalizedText[];
  actions: LocalizedText[];
}

/** One forecast model's figure for the selected period. */
export interface ForecastModelView {
  id: string;
  label: LocalizedText;
  total: Money;
  /** The model's forecast against the period's target, in basis points. */
  completionBp?: number;
}

/** How the forecast dashboard buckets deals: by calendar month, quarter or year. */
export type ForecastPeriodKind = "month" | "quarter" | "year";

/** The period the forecast dashboard shows: `"2026-03"` (a month), `"2026-Q1"` or `"2026"`. */
export interface ForecastSelection {
  kind: ForecastPeriodKind;
  period: string;
}

/** The forecast dashboard's data for one period, every figure computed by core. */
export interface ForecastView {
  period: LocalizedText;
  /** The period shown, `"2026-03"` or `"2026-Q1"`, and how periods are bucketed. */
  selection: ForecastSelection;
  /** Every period that has deals, in order (the ones the picker steps through). */
  periodKeys: string[];
  models: ForecastModelView[];
  /** The rep-commit model's categories (after manager adjustments) in the period. */
  categories: { id: string; label: LocalizedText; amount: Money }[];
  /** Won so far in the period. */
  closedWon: Money;
  /** Open deals expected to close in the period. */
  openDeals: number;
  /** The period's company target, when one is set. */
  target?: Money;
  /** The Monte Carlo range of the period's revenue. */
  range?: {
    p10: Money;
    p50: Money;
    p90: Money;
    expected: Money;
    trials: number;
    simulatedDeals: number;
  };
  periods: {
    label: LocalizedText;
    forecast: Money;
    closedWon: Money;
    target?: Money;
  }[];
  /** The pipeline the funnel is of. */
  funnelPipeline?: LocalizedText;
  /** Funnel conversion by stage (among decided deals), with the bottleneck. */
  funnel?: {
    stage: string;
    label: LocalizedText;
    deals: number;
    conversionBp?: number;
    bottleneck: boolean;
  }[];
  stalled: StalledDeal[];
}

/**
 * A signed-in connection to a Dealflow server (or any stand-in). Reads are synchronous over
 * what the client holds, so components render instantly and offline; `subscribe` tells them
 * when anything changed (an edit, a sync, the status, presence).
 */
export interface DealflowSession {
  /** Resolves once the wasm core is loaded and the user is known. */
  readonly ready: Promise<void>;
  /** The signed-in user, once `ready`. */
  readonly user: SessionUser | undefined;
  /** The organisation's offset east of UTC, in minutes (480 for China). */
  readonly utcOffsetMinutes: number;
  status(): SyncStatus;
  /**
   * Local changes not yet acknowledged by the server; `undefined` when unknown (offline after a
   * reload: the edits are stored and will sync, but nobody has counted them).
   */
  unsyncedCount(): number | undefined;
  /**
   * Deals (documents) whose last save to the browser's storage failed: their latest changes are
   * held in memory only until a later save of them succeeds; 0 when nothing is stored locally.
   */
  unsavedCount(): number;
  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** Users of the organisation that this user may see (for names and filters). */
  users(): SessionUser[];
  pipeline(id: string): Pipeline | undefined;
  /** Every deal this user may see that the client holds. */
  summaries(): DealSummary[];
  /** Loads (and starts syncing) a deal; `undefined` when it is unknown or not visible. */
  openDeal(id: string): Promise<DealRead | undefined>;
  /** The deal as held now, if it is loaded. */
  readDeal(id: string): DealRead | undefined;
  /** Opens a new deal through core (its id is drawn by the session); resolves to the id. */
  newDeal(deal: Omit<NewDeal, "id">): Promise<string>;
  /** Applies typed edits through the deal's `DealDoc`, then persists and syncs them. */
  edit(
    dealId: string,
    apply: (doc: DealDoc, ctx: EditContext) => unknown,
  ): Promise<unknown>;
  /** Moves a deal through `Pipeline::move_deal`; a refused move changes nothing. */
  moveStage(dealId: string, target: MoveTarget): Promise<MoveResult>;
  /** The attention lists over the deals held, at `now` (ms). */
  attention(now: number): AttentionLists;
  /** The probability that counts for a deal (manual, learned or the stage default). */
  probability(dealId: string): EffectiveProbability | undefined;
  /** Fields changed since `since` (ms), with who changed them. */
  changesSince(dealId: string, since: number): FieldChange[];
  /** Who else is on this deal, and where. */
  presence(dealId: string): PresencePeer[];
  /** Tells others which field this user focuses (`undefined`: none). */
  setFocus(dealId: string, field: string | undefined): void;
  /** Tells others this user closed the deal. */
  leave(dealId: string): void;
  /** Win probability with its top factors, when the client computes it. */
  winProbability?(dealId: string): WinProbabilityView | undefined;
  /** Deal health with reasons and recommended actions, when the client computes it. */
  health?(dealId: string): HealthView | undefined;
  /**
   * The server's arbitrated records (quotes, lead pools) for this user, when the session has a
   * server; sessions without one (the playground) leave it out and the quote and lead views hide.
   */
  readonly api?: ServerApi;
  /**
   * The forecast dashboard over the deals held, computed in the compute worker (so it is
   * asynchronous); `undefined` when nothing can be forecast.
   */
  forecast?(
    now: number,
    selection?: ForecastSelection,
  ): Promise<ForecastView | undefined>;
}

/** Makes a session for a server URL and a token (the components' attributes). */
export type SessionFactory = (
  serverUrl: string,
  token: string,
) => DealflowSession;

let factory: SessionFactory | undefined;
const sessions = new Map<string, DealflowSession>();

/**
 * Sets how components connect when given `server-url` and `token`. The bundled entry sets the
 * TypeScript client; a portal may set its own.
 */
export function setSessionFactory(next: SessionFactory): void {
  factory = next;
  sessions.clear();
}

/** One shared session per (server URL, token), so components on a page share one connection. */
export function sessionFor(
  serverUrl: string,
  token: string,
): DealflowSession | undefined {
  if (factory === undefined) return undefined;
  const key = `${serverUrl}\u0000${token}`;
  let session = sessions.get(key);
  if (session === undefined) {
    session = factory(serverUrl, token);
    sessions.set(key, session);
  }
  return session;
}
