/**
 * A {@link DealflowSession} over the sync client (`DealflowClient` in `src/lib/`): deals kept in
 * IndexedDB and synced with the relay. The client is described here structurally, by the
 * methods the components use, so the components do not depend on the client's internals.
 */
import type {
  AttentionLists,
  DealDoc,
  DealRead,
  DealSummary,
  EditContext,
  EffectiveProbability,
  FieldChange,
  ForecastTarget,
  LocalizedText,
  MoveOutcome,
  MoveProblem,
  MoveTarget,
  NewDeal,
  Pipeline,
  Workspace,
} from "../wasm/dealflow_wasm.js";
import { computeClient } from "../lib/compute.js";
import {
  dashboardRequest,
  forecastView,
  healthByDeal,
} from "./forecast-view.js";
import type {
  DealflowSession,
  ForecastSelection,
  ForecastView,
  HealthView,
  MoveResult,
  PresencePeer,
  SessionUser,
  SyncStatus,
} from "./session.js";
import type { ServerApi } from "./server-api.js";
import { SummaryIndex } from "./summary-index.js";

/** The client's view of its connection. */
export interface ClientStatus {
  connection: "offline" | "connecting" | "syncing" | "synced";
  unsyncedChanges: number | undefined;
  /** Documents whose last write to the browser's storage failed. */
  unsavedDocuments: number;
}

/** Someone on a deal, as the client's presence reports them. */
export interface ClientPresence {
  user: string;
  activity: "viewing" | "editing" | "left";
  field?: string;
}

/** What the components need of the sync client. */
export interface SyncClient {
  readonly status: ClientStatus;
  readonly core: Workspace;
  onStatus(callback: (status: ClientStatus) => void): () => void;
  onAnyChange(
    callback: (dealId: string, kind: "changed" | "status") => void,
  ): () => void;
  onPresence(
    dealId: string,
    callback: (peers: ClientPresence[]) => void,
  ): () => void;
  listDeals(): DealSummary[];
  deal(dealId: string): DealRead | undefined;
  openDeal(dealId: string): Promise<DealRead | undefined>;
  createDeal(deal: Omit<NewDeal, "id">): Promise<string>;
  edit<T>(
    dealId: string,
    apply: (doc: DealDoc, ctx: EditContext) => T,
  ): Promise<T>;
  moveStage(
    dealId: string,
    target: MoveTarget,
  ): Promise<
    | { moved: true; outcome: MoveOutcome }
    | { moved: false; checklist: MoveProblem[] }
  >;
  startMove(
    dealId: string,
    target: MoveTarget,
  ):
    | { moved: true; outcome: MoveOutcome; stored: Promise<void> }
    | { moved: false; checklist: MoveProblem[] };
  snapshotOf(dealIds: Iterable<string>): Uint8Array;
  attention(now?: number): AttentionLists;
  setPresence(
    dealId: string,
    activity: "viewing" | "editing" | "left",
    field?: string,
  ): Promise<void>;
  presenceOf(dealId: string): ClientPresence[];
}

/**
 * How long after the last change deal health is recomputed: typing changes a deal many times,
 * and a first sync brings hundreds of deals one after the other.
 */
const HEALTH_DEBOUNCE_MS = 500;

/**
 * The longest health waits while changes keep coming (a first sync of 1,000 deals): each
 * recomputation snapshots every deal held, so one per debounce period made a first sync
 * quadratic; one per this period shows health early while costing little.
 */
const HEALTH_MAX_WAIT_MS = 5_000;

/**
 * How long after a local move the moved deals' health is recomputed (for them alone): after the
 * board has re-rendered, and once for a quick series of moves.
 */
const MOVED_HEALTH_DELAY_MS = 100;

/**
 * How long after a failed health computation (the compute worker or its module could not be
 * fetched, e.g. offline) the elements are asked to render again, which asks for it again.
 */
const HEALTH_RETRY_MS = 5_000;

/** How long attention lists are reused between changes: they move by the day. */
const ATTENTION_REUSE_MS = 60_000;

export class ClientSession implements DealflowSession {
  readonly ready: Promise<void>;
  user: SessionUser | undefined;
  private client: SyncClient | undefined;
  private directory: SessionUser[] = [];
  private readonly listeners = new Set<() => void>();
  private summaryIndex: SummaryIndex;
  private readonly reads = new Map<string, DealRead>();
  private attentionCache: { at: number; lists: AttentionLists } | undefined;
  private readonly presenceWatch = new Map<string, () => void>();
  private notifyQueued = false;
  /** Deals changed since the listeners last ran; their summaries are computed then. */
  private readonly changed = new Set<string>();
  /**
   * Targets (quotas) the forecast is measured against, monthly, quarterly and yearly together;
   * `connectSession` loads the user's from the server (see {@link setTargets}).
   */
  targets: ForecastTarget[] = [];
  /** Quotes and lead pools on the server; `connectSession` sets it. */
  api: ServerApi | undefined;
  private healthTimer: ReturnType<typeof setTimeout> | undefined;
  /** When a deal last changed (`Date.now()`), for the health debounce. */
  private lastChangeAt = 0;
  private healthCache:
    { at: number; byDeal: Map<string, HealthView> } | undefined;
  /** The deal being moved by this session right now (its change is announced synchronously). */
  private moving: string | undefined;
  /** Deals moved here whose health is to be recomputed alone, and the timer that does it. */
  private readonly movedDeals = new Set<string>();
  private movedTimer: ReturnType<typeof setTimeout> | undefined;
  /**
   * When each deal's health was last recomputed alone (`Date.now()`), so that a snapshot of all
   * deals taken before that does not put back the health it had before the move.
   */
  private readonly healthPatchedAt = new Map<string, number>();

  /**
   * @param start resolves to the connected client, the signed-in user and the users they may
   *   see; the session is `ready` when it does.
   */
  constructor(
    start: Promise<{
      client: SyncClient;
      user: SessionUser;
      users: SessionUser[];
    }>,
    readonly utcOffsetMinutes = 480,
  ) {
    this.summaryIndex = new SummaryIndex(utcOffsetMinutes);
    this.ready = start.then(({ client, user, users }) => {
      this.client = client;
      this.user = user;
      this.directory = users.length === 0 ? [user] : users;
      this.summaryIndex.reset(client.listDeals());
      client.onAnyChange((dealId, kind) => {
        // The summary is computed again once, when next asked for, however often it changed.
        this.changed.add(dealId);
        this.reads.delete(dealId);
        this.attentionCache = undefined;
        // Health depends on the deal's content only: a sync status (the relay confirming a
        // change) leaves it as it was, and a deal moved here gets its own health recomputed
        // alone (see `moveStage`) instead of a snapshot of every deal.
        if (kind === "changed" && dealId !== this.moving) {
          this.lastChangeAt = Date.now();
          // Keep showing the last health until the worker has the new one.
          if (this.healthCache !== undefined) this.healthCache.at = 0;
        }
        this.notify();
      });
      client.onStatus(() => this.notify());
    });
  }

  /**
   * Listeners run once per burst (a microtask after the first change), however many documents
   * a step from the relay brings; the summaries of the deals that changed are computed again
   * when first asked for, each once. (Not once per animation frame: an element that re-renders
   * right after its own edit, such as the deal page's text fields, must see the session updated
   * by then, or it shows the document as it was before the edit.)
   */
  private notify(): void {
    if (this.notifyQueued) return;
    this.notifyQueued = true;
    queueMicrotask(() => {
      this.notifyQueued = false;
      for (const listener of this.listeners) listener();
    });
  }

  /** Computes the summaries of the deals changed since the last call again. */
  private refreshChanged(): void {
    const client = this.client;
    if (client === undefined || this.changed.size === 0) return;
    for (const dealId of this.changed) {
      const doc = client.core.deal(dealId);
      this.summaryIndex.refresh(dealId, doc);
      doc?.free();
    }
    this.changed.clear();
  }

  /** Replaces the targets and lets the elements recompute what they show against them. */
  setTargets(targets: ForecastTarget[]): void {
    this.targets = targets;
    this.notify();
  }

  status(): SyncStatus {
    const connection = this.client?.status.connection ?? "offline";
    if (connection === "synced") return "online";
    if (connection === "syncing") return "syncing";
    return "offline";
  }

  unsyncedCount(): number | undefined {
    return this.client === undefined ? 0 : this.client.status.unsyncedChanges;
  }

  unsavedCount(): number {
    return this.client?.status.unsavedDocuments ?? 0;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  users(): SessionUser[] {
    return this.directory;
  }

  pipeline(id: string): Pipeline | undefined {
    return this.client?.core.pipeline(id);
  }

  summaries(): DealSummary[] {
    // A reader between a change and the next frame (the board right after a move) sees it.
    this.refreshChanged();
    return this.summaryIndex.all();
  }

  async openDeal(id: string): Promise<DealRead | undefined> {
    await this.ready;
    return this.client?.openDeal(id);
  }

  readDeal(id: string): DealRead | undefined {
    const cached = this.reads.get(id);
    if (cached !== undefined) return cached;
    const read = this.client?.deal(id);
    if (read !== undefined) this.reads.set(id, read);
    return read;
  }

  async newDeal(deal: Omit<NewDeal, "id">): Promise<string> {
    await this.ready;
    if (this.client === undefined) throw new Error("the session is not ready");
    return this.client.createDeal(deal);
  }

  async edit(
    dealId: string,
    apply: (doc: DealDoc, ctx: EditContext) => unknown,
  ): Promise<unknown> {
    if (this.client === undefined) return undefined;
    return this.client.edit(dealId, (doc, ctx) => {
      const result = apply(doc, ctx);
      // The document changed now; the client announces it once the change is stored.
      this.reads.delete(dealId);
      return result;
    });
  }

  /**
   * Moves the deal and announces it at once, when core has accepted the move: the listeners
   * (the board) re-render without waiting for the IndexedDB commit, which follows in order
   * behind every earlier change; `stored` in the result settles with it (and rejects if it
   * failed, for the element to show). The moved deal's health is then recomputed for it alone.
   */
  async moveStage(dealId: string, target: MoveTarget): Promise<MoveResult> {
    const client = this.client;
    if (client === undefined) return { moved: false, checklist: [] };
    this.moving = dealId;
    let result: ReturnType<SyncClient["startMove"]>;
    try {
      result = client.startMove(dealId, target);
    } finally {
      this.moving = undefined;
    }
    if (!result.moved) return { moved: false, checklist: result.checklist };
    this.scheduleMovedHealth(dealId);
    return { moved: true, outcome: result.outcome, stored: result.stored };
  }

  /**
   * Recomputes the health of deals moved here, each alone (a snapshot of those deals only, not
   * of all of them: health is per deal), {@link MOVED_HEALTH_DELAY_MS} after the move, so the
   * board has re-rendered first.
   */
  private scheduleMovedHealth(dealId: string): void {
    this.movedDeals.add(dealId);
    if (this.movedTimer !== undefined) return;
    this.movedTimer = setTimeout(() => {
      this.movedTimer = undefined;
      const client = this.client;
      const dealIds = [...this.movedDeals];
      this.movedDeals.clear();
      if (client === undefined || dealIds.length === 0) return;
      const now = Date.now();
      for (const id of dealIds) this.healthPatchedAt.set(id, now);
      void healthByDeal(client.snapshotOf(dealIds), this.utcOffsetMinutes, now)
        .then((byDeal) => {
          const cache = this.healthCache;
          // No health shown yet: the first snapshot of every deal brings it.
          if (cache === undefined) return;
          for (const id of dealIds) {
            // A later recomputation of this deal has the last word.
            if (this.healthPatchedAt.get(id) !== now) continue;
            const view = byDeal.get(id);
            if (view === undefined) cache.byDeal.delete(id);
            else cache.byDeal.set(id, view);
          }
          this.notify();
        })
        .catch(() => undefined);
    }, MOVED_HEALTH_DELAY_MS);
  }

  attention(now: number): AttentionLists {
    const cached = this.attentionCache;
    if (cached !== undefined && now - cached.at < ATTENTION_REUSE_MS)
      return cached.lists;
    const lists = this.client?.attention(now) ?? {
      overdueTasks: [],
      overdueNextSteps: [],
      dealsWithoutNextStep: [],
      stalledDeals: [],
      unresolved: [],
    };
    this.attentionCache = { at: now, lists };
    return lists;
  }

  probability(dealId: string): EffectiveProbability | undefined {
    const core = this.client?.core;
    const read = this.readDeal(dealId);
    if (core === undefined || read === undefined) return undefined;
    const doc = core.deal(dealId);
    const pipeline = core.pipeline(read.deal.pipeline);
    try {
      return doc === undefined || pipeline === undefined
        ? undefined
        : doc.effectiveProbability(pipeline);
    } finally {
      doc?.free();
      pipeline?.free();
    }
  }

  /**
   * Deal health, computed by the compute module in its worker: the last result is returned at
   * once, and a stale one (after a change, or a minute old) is recomputed in the background,
   * debounced, after which listeners hear of it.
   */
  health(dealId: string): HealthView | undefined {
    const cache = this.healthCache;
    if (cache === undefined || Date.now() - cache.at > ATTENTION_REUSE_MS)
      this.scheduleHealth();
    return cache?.byDeal.get(dealId);
  }

  /**
   * Recomputes health once changes have paused for {@link HEALTH_DEBOUNCE_MS}, or at the latest
   * {@link HEALTH_MAX_WAIT_MS} after it was first asked for.
   */
  private scheduleHealth(): void {
    if (this.healthTimer !== undefined) return;
    const asked = Date.now();
    const fire = (): void => {
      const now = Date.now();
      const quietFor = now - this.lastChangeAt;
      if (quietFor < HEALTH_DEBOUNCE_MS && now - asked < HEALTH_MAX_WAIT_MS) {
        this.healthTimer = setTimeout(
          fire,
          Math.min(
            HEALTH_DEBOUNCE_MS - quietFor,
            asked + HEALTH_MAX_WAIT_MS - now,
          ),
        );
        return;
      }
      const client = this.client;
      if (client === undefined) {
        this.healthTimer = undefined;
        return;
      }
      void healthByDeal(client.core.snapshot(), this.utcOffsetMinutes, now)
        .then(
          (byDeal) => {
            // A deal recomputed alone after this snapshot was taken keeps that health.
            const before = this.healthCache?.byDeal;
            for (const [id, at] of this.healthPatchedAt) {
              if (at <= now) {
                this.healthPatchedAt.delete(id);
                continue;
              }
              const kept = before?.get(id);
              if (kept === undefined) byDeal.delete(id);
              else byDeal.set(id, kept);
            }
            this.healthCache = { at: now, byDeal };
            this.notify();
          },
          () => {
            // The last health stays shown, still stale (it was, or none would have been asked
            // for), so the render after the retry delay asks again.
            setTimeout(() => this.notify(), HEALTH_RETRY_MS);
          },
        )
        .finally(() => {
          this.healthTimer = undefined;
        });
    };
    this.healthTimer = setTimeout(fire, HEALTH_DEBOUNCE_MS);
  }

  /**
   * The forecast dashboard, computed by the compute module in its worker over a snapshot of the
   * deals held; the page only waits for it.
   */
  async forecast(
    now: number,
    selection?: ForecastSelection,
  ): Promise<ForecastView | undefined> {
    const client = this.client;
    if (client === undefined) return undefined;
    const request = dashboardRequest(
      client.core.snapshot(),
      now,
      this.utcOffsetMinutes,
      this.targets,
      selection,
    );
    const dashboard = await computeClient().dashboard(request);
    return forecastView(dashboard, this.attention(now).stalledDeals, (id) =>
      this.pipelineName(id),
    );
  }

  private pipelineName(id: string): LocalizedText {
    const pipeline = this.pipeline(id);
    if (pipeline === undefined) return { zh: id, en: id };
    try {
      return pipeline.config().name;
    } finally {
      pipeline.free();
    }
  }

  changesSince(dealId: string, since: number): FieldChange[] {
    const doc = this.client?.core.deal(dealId);
    if (doc === undefined) return [];
    try {
      return doc.changesBetween(since, Date.now());
    } finally {
      doc.free();
    }
  }

  presence(dealId: string): PresencePeer[] {
    const client = this.client;
    if (client === undefined) return [];
    if (!this.presenceWatch.has(dealId))
      this.presenceWatch.set(
        dealId,
        client.onPresence(dealId, () => this.notify()),
      );
    const me = this.user?.id;
    const peers = new Map<string, PresencePeer>();
    for (const peer of client.presenceOf(dealId)) {
      if (peer.user === me || peer.activity === "left") continue;
      const known = peers.get(peer.user);
      // One entry per user; a tab in a field wins over a tab that only looks.
      if (known === undefined || (known.field === undefined && peer.field))
        peers.set(
          peer.user,
          peer.field === undefined
            ? { user: peer.user }
            : { user: peer.user, field: peer.field },
        );
    }
    return [...peers.values()];
  }

  setFocus(dealId: string, field: string | undefined): void {
    void this.client
      ?.setPresence(dealId, field === undefined ? "viewing" : "editing", field)
      .catch(() => {
        // Presence is best effort: a lost heartbeat is repeated by the client.
      });
  }

  leave(dealId: string): void {
    void this.client?.setPresence(dealId, "left").catch(() => undefined);
  }
}
