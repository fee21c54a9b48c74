import {
  DealDoc,
  Pipeline,
  Repo,
  Workspace,
  type AttentionConfig,
  type AttentionLists,
  type DealRead,
  type DealSummary,
  type DocumentStatus,
  type EditContext,
  type MoveContext,
  type MoveOutcome,
  type MoveProblem,
  type MoveTarget,
  type NewDeal,
  type PresenceActivity,
  type PresenceInfo,
  type RepoEvent,
  type RepoStep,
  type StageTransition,
  type StorageWrite,
} from "../wasm/dealflow_wasm.js";
import { RelayConnection, type ConnectionState } from "./connection.js";
import {
  DealflowClientError,
  isDealflowError,
  type DealflowError,
} from "./errors.js";
import { ChunkStore } from "./storage.js";
import { loadDealflow } from "./load.js";

/** Who uses this client (the token proves it to the relay; this is for edits and presence). */
export interface ClientUser {
  id: string;
  name: string;
}

/** Options of {@link DealflowClient.create}. */
export interface ClientOptions {
  user: ClientUser;
  /** The organisation's offset from UTC in minutes (480 for China, the default). */
  utcOffsetMinutes?: number;
  /** The IndexedDB database (default `dealflow`); one per user keeps users apart. */
  databaseName?: string;
  /** Pipelines deals may be in (default: the two templates, new business and solution sales). */
  pipelines?: Pipeline[];
  /** Where to fetch the wasm module from (default: next to the glue). */
  wasmUrl?: string | URL;
  /**
   * Most sync frames held back while IndexedDB writes fail (a positive integer, default 1,000).
   * One more, and the client drops the connection and the held frames with it: the documents in
   * memory hold every change, and the next connection syncs them from there (its frames held in
   * turn until the writes succeed). Memory stays bounded however long the disk stays full.
   */
  maxHeldFrames?: number;
}

/** The client's sync status, for a "saved / syncing / offline" indicator. */
export interface SyncStatus {
  /** `offline`: no connection; `syncing`: connected, changes still travelling; `synced`. */
  connection: "offline" | "connecting" | "syncing" | "synced";
  /**
   * Local changes the relay has not acknowledged, over every deal; `undefined` when unknown
   * (offline after a reload: the edits are stored and will sync, but nobody counted them).
   */
  unsyncedChanges: number | undefined;
  /**
   * Documents whose last write to IndexedDB failed (a full disk, a private window's quota): their
   * latest changes are held in memory only, until the whole document has been written again
   * (with the next write, or by the client's own retries).
   */
  unsavedDocuments: number;
}

/** What a new deal needs; the id is drawn by the client. */
export type NewDealInput = Omit<NewDeal, "id"> & {
  /** The pipeline id (default: the first pipeline). */
  pipeline?: string;
};

/** The outcome of a stage move: either it happened, or the checklist of what is missing. */
export type MoveResult =
  | { moved: true; outcome: MoveOutcome }
  | { moved: false; checklist: MoveProblem[]; error: DealflowError };

/**
 * A move made in the document and announced, its storage under way: `stored` resolves once the
 * change is stored durably and rejects (`storage_failed`) if it could not be.
 */
export type StartedMove =
  | { moved: true; outcome: MoveOutcome; stored: Promise<void> }
  | { moved: false; checklist: MoveProblem[]; error: DealflowError };

/** The outcome of checking a move without making it. */
export type MoveCheck =
  | { allowed: true; transition: StageTransition }
  | { allowed: false; checklist: MoveProblem[]; error: DealflowError };

/** Someone else on a deal. */
export type Presence = PresenceInfo;

/** What happened to a deal: its content `changed` (or it arrived), or only its sync `status`. */
export type ChangeKind = "changed" | "status";

/** Stops a subscription. */
export type Unsubscribe = () => void;

const PRESENCE_HEARTBEAT_MS = 10_000;
const PRESENCE_EXPIRY_MS = 30_000;
/** How often at most the status is recomputed while frames arrive from the relay. */
const STATUS_THROTTLE_MS = 200;
/**
 * While frames arrive, the unsynced changes are counted again only after this many times as
 * long as the last count took: counting them for 1,000 documents before the relay has answered
 * for them walks every change of every document (over a second), and a resync of 1,000 deals
 * spent over half its CPU there with the 200 ms period alone.
 */
const STATUS_COST_FACTOR = 8;
/** The default of {@link ClientOptions.maxHeldFrames}: each local edit holds one frame. */
const MAX_HELD_FRAMES = 1_000;
/** {@link ClientOptions.maxHeldFrames} as given, or the default for a missing or unusable one. */
function heldFramesLimit(max: number | undefined): number {
  return max !== undefined && Number.isFinite(max) && max >= 1
    ? Math.floor(max)
    : MAX_HELD_FRAMES;
}
/** The first retry of a failed IndexedDB write, in ms; each failed retry doubles the wait. */
const SAVE_RETRY_MS = 1_000;
/** The longest wait between two retries of a failed IndexedDB write, in ms. */
const SAVE_RETRY_MAX_MS = 15_000;

function randomId(prefix: string): string {
  return `${prefix}-${crypto.randomUUID()}`;
}

/**
 * The Dealflow browser client (浏览器客户端): deals as Automerge documents kept in IndexedDB,
 * synced with the relay over the automerge-repo protocol, edited through typed methods, and
 * every core computation over the deals it holds.
 *
 * @example
 * ```ts
 * const client = await DealflowClient.create({ user: { id: "rep-li", name: "李雷" } });
 * client.connect("wss://crm.example.com/sync", token);
 * const dealId = await client.createDeal({
 *   title: "华东电网 CRM 二期",
 *   account: { name: "华东电网" },
 *   amount: { minor: 10_000_000, currency: "CNY" },
 *   owner: "rep-li",
 * });
 * client.onChange(dealId, (read) => render(read.deal));
 * await client.edit(dealId, (doc, ctx) => doc.updateText(ctx, { field: "needs" }, "统一客服平台"));
 * const result = await client.moveStage(dealId, { kind: "stage", stage: "needs" });
 * if (!result.moved) showChecklist(result.checklist);
 * ```
 */
export class DealflowClient {
  private connection: RelayConnection | undefined;
  private queue: Promise<void> = Promise.resolve();
  private readonly changeListeners = new Map<
    string,
    Set<(read: DealRead) => void>
  >();
  private readonly anyChangeListeners = new Set<
    (dealId: string, kind: ChangeKind) => void
  >();
  /** Deals asked for by `openDeal` and not arrived yet: what to call once each is here. */
  private readonly awaited = new Map<string, (() => void)[]>();
  /**
   * The step of relay frames not executed yet: frames that arrive while earlier steps are being
   * stored join it, so a burst of frames costs one IndexedDB transaction, not one each.
   */
  private relayBatch: RepoStep | undefined;
  private readonly statusListeners = new Set<(status: SyncStatus) => void>();
  private readonly presenceListeners = new Map<
    string,
    Set<(peers: Presence[]) => void>
  >();
  private readonly presence = new Map<
    string,
    Map<string, { info: Presence; at: number }>
  >();
  private readonly viewing = new Map<
    string,
    { activity: PresenceActivity; field?: string }
  >();
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  /** When the status was last computed, and the timer of a throttled recomputation. */
  private statusAt = 0;
  private statusTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the unsynced changes were last counted (`Date.now()`) and how long it took (ms). */
  private countAt = 0;
  private countCost = 0;
  private lastStatus: SyncStatus = {
    connection: "offline",
    unsyncedChanges: 0,
    unsavedDocuments: 0,
  };
  /**
   * Documents whose last write to IndexedDB failed (see {@link SyncStatus.unsavedDocuments}).
   * Core counts the chunks it handed out as stored, so the next incremental write of such a
   * document would hold only what changed after the failed one: each is written whole instead
   * (a snapshot, in the transaction of the next step or of a retry), and only then leaves the set.
   */
  private readonly unsaved = new Set<string>();
  /**
   * Frames held back because their step's changes are not stored (a change is on disk before it
   * is sent): with every later frame, in order, they are sent once the unsaved documents are
   * stored, or dropped when the connection closes (a new connection syncs from the documents).
   * Past {@link DealflowClient.maxHeldFrames} the client closes the connection itself.
   */
  private heldFrames: Uint8Array[] = [];
  private readonly maxHeldFrames: number;
  /** The timer of the next retry of a failed write, and how many retries failed in a row. */
  private saveRetry: ReturnType<typeof setTimeout> | undefined;
  private saveRetries = 0;
  private readonly actor: Uint8Array;

  private constructor(
    readonly user: ClientUser,
    private readonly repo: Repo,
    private readonly workspace: Workspace,
    private readonly store: ChunkStore,
    private readonly offsetMinutes: number,
    actor: Uint8Array,
    maxHeldFrames: number,
  ) {
    this.actor = actor;
    this.maxHeldFrames = maxHeldFrames;
  }

  /**
   * Loads the wasm core, opens the IndexedDB database and every deal stored in it, so the
   * client works offline at once; call {@link DealflowClient.connect} to sync.
   */
  static async create(options: ClientOptions): Promise<DealflowClient> {
    await loadDealflow(options.wasmUrl);
    const actor = crypto.getRandomValues(new Uint8Array(16));
    const repo = new Repo(randomId("browser"), randomId("session"), actor);
    const offset = options.utcOffsetMinutes ?? 480;
    const workspace = new Workspace(offset);
    const pipelines = options.pipelines ?? [
      Pipeline.newBusiness(),
      Pipeline.solutionSales(),
    ];
    for (const pipeline of pipelines) workspace.setPipeline(pipeline);
    const store = await ChunkStore.open(options.databaseName ?? "dealflow");
    const client = new DealflowClient(
      options.user,
      repo,
      workspace,
      store,
      offset,
      actor,
      heldFramesLimit(options.maxHeldFrames),
    );
    // Every chunk in one read transaction, every document opened in one wasm call, each
    // parsed once (the sync client's document is the deal's only replica). Not connected yet:
    // loading sends nothing, so the step's events are all there is to handle, and the status
    // is computed once at the end. Its only writes are compactions (a small document stored
    // in several chunks becomes one snapshot, so the next open parses it once): they change no
    // document, so they run in the background, queued before any later write.
    const step = repo.loadMany(await store.loadChunks());
    for (const event of step.events) client.handle(event);
    if (step.store.length > 0) {
      client.queue = store.apply(step.store).catch(() => undefined);
    }
    client.emitStatus();
    return client;
  }

  /** Connects to the relay at `url` (`wss://…/sync`) with a token; reconnects by itself. */
  connect(url: string, token: string): void {
    this.connection?.stop(this.repo.close());
    this.connection = new RelayConnection(url, token, {
      opened: () => this.repo.connect(),
      frame: (bytes) => this.receive(bytes),
      closed: () => {
        this.heldFrames = [];
        this.repo.disconnected();
        this.emitStatus();
      },
      state: (state) => this.onConnectionState(state),
    });
    this.heartbeat ??= setInterval(() => this.beat(), PRESENCE_HEARTBEAT_MS);
  }

  /** Disconnects from the relay (documents stay open and editable offline). */
  disconnect(): void {
    this.connection?.stop(this.repo.close());
    this.connection = undefined;
    this.emitStatus();
  }

  /** Disconnects and closes the database. */
  close(): void {
    this.disconnect();
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    if (this.statusTimer !== undefined) clearTimeout(this.statusTimer);
    if (this.saveRetry !== undefined) clearTimeout(this.saveRetry);
    this.store.close();
  }

  /** The current sync status. */
  get status(): SyncStatus {
    return this.lastStatus;
  }

  /** Calls `callback` whenever the sync status changes. */
  onStatus(callback: (status: SyncStatus) => void): Unsubscribe {
    this.statusListeners.add(callback);
    return () => this.statusListeners.delete(callback);
  }

  /**
   * Sync frames waiting for their changes to be stored (see {@link SyncStatus.unsavedDocuments}),
   * never more than {@link ClientOptions.maxHeldFrames}.
   */
  get heldFrameCount(): number {
    return this.heldFrames.length;
  }

  /** Resolves once every step so far has been stored and sent. */
  async settled(): Promise<void> {
    await this.queue;
  }

  // ---- deals ----

  /** The ids of the deals this client holds. */
  dealIds(): string[] {
    return this.workspace.dealIds();
  }

  /** A summary of every deal held, for lists and boards. */
  listDeals(): DealSummary[] {
    return this.workspace.summaries();
  }

  /** The deal, read tolerantly, or `undefined` if this client does not hold it. */
  deal(dealId: string): DealRead | undefined {
    return this.workspace.deal(dealId)?.read();
  }

  /** Where a deal stands on this client (`undefined` if it is not open). */
  dealStatus(dealId: string): DocumentStatus | undefined {
    return this.repo.status(dealId);
  }

  /**
   * Opens a deal this client does not hold yet (e.g. from a shared link): it is asked from the
   * relay and resolves once it arrives, or with `undefined` if the relay says it is unavailable.
   */
  openDeal(dealId: string): Promise<DealRead | undefined> {
    if (this.holds(dealId)) return Promise.resolve(this.deal(dealId));
    return new Promise((resolve, reject) => {
      const waiting = this.awaited.get(dealId) ?? [];
      waiting.push(() => resolve(this.deal(dealId)));
      this.awaited.set(dealId, waiting);
      this.run(this.repo.find(dealId)).catch(reject);
    });
  }

  /**
   * Asks the relay for every deal of `dealIds` this client does not hold yet, in one step (a
   * deal already held is synced anyway once connected, and is neither read nor asked for
   * again). Resolves once the requests are stored and sent; each deal is announced to
   * {@link DealflowClient.onAnyChange} listeners as it arrives.
   */
  async openDeals(dealIds: Iterable<string>): Promise<void> {
    const steps: RepoStep[] = [];
    for (const dealId of dealIds) {
      if (!this.holds(dealId) && this.repo.status(dealId) === undefined)
        steps.push(this.repo.find(dealId));
    }
    if (steps.length > 0) await this.run(mergeSteps(steps));
  }

  /** Creates a deal in a pipeline, stores it and offers it to the relay; returns its id. */
  async createDeal(input: NewDealInput): Promise<string> {
    const { pipeline: pipelineId, ...deal } = input;
    const pipeline = this.pipeline(pipelineId);
    const dealId = Repo.newDocumentId(
      crypto.getRandomValues(new Uint8Array(16)),
    );
    const doc = DealDoc.open(
      pipeline,
      { ...deal, id: dealId },
      this.moveContext(),
      this.actor,
    );
    this.workspace.addDeal(dealId, doc);
    await this.run(this.repo.publish(dealId, doc));
    this.notify(dealId);
    return dealId;
  }

  /**
   * Makes a typed edit: `apply` gets the deal's document and the edit context (this user, now)
   * and calls one or more of its methods. The change is stored before the promise resolves and
   * sent when connected. Resolves to what `apply` returned.
   *
   * @example
   * ```ts
   * await client.edit(dealId, (doc, ctx) => doc.setTitle(ctx, "华东电网 CRM 二期（扩容）"));
   * ```
   */
  async edit<T>(
    dealId: string,
    apply: (doc: DealDoc, ctx: EditContext) => T,
  ): Promise<T> {
    const doc = this.doc(dealId);
    const result = apply(doc, { by: this.user.id, now: Date.now() });
    await this.run(this.repo.publish(dealId, doc));
    this.notify(dealId);
    return result;
  }

  /** Renames a deal. */
  setTitle(dealId: string, title: string): Promise<boolean> {
    return this.edit(dealId, (doc, ctx) => doc.setTitle(ctx, title));
  }

  /**
   * Moves a deal: through the pipeline's rules, written only if they allow it. A rejected move
   * resolves with the checklist of every unmet criterion (and changes nothing).
   */
  async moveStage(dealId: string, target: MoveTarget): Promise<MoveResult> {
    const move = this.applyMove(dealId, target);
    if (!move.moved) return move;
    await this.run(this.repo.publish(dealId, move.doc));
    this.notify(dealId);
    return { moved: true, outcome: move.outcome };
  }

  /**
   * Moves a deal like {@link DealflowClient.moveStage}, but announces the move to listeners at
   * once, when core has accepted it, instead of after the IndexedDB commit: a board shows the
   * card in its new column without waiting for the disk. The change is queued to be stored
   * (and then sent) in order behind every earlier step, exactly as `moveStage` stores it;
   * `stored` settles once it is, and rejects (`storage_failed`) when the commit fails, which
   * the caller must show: the deal has moved here but is not saved.
   */
  startMove(dealId: string, target: MoveTarget): StartedMove {
    const move = this.applyMove(dealId, target);
    if (!move.moved) return move;
    // The step is taken now (its changes in order behind every earlier one) and queued.
    const stored = this.run(this.repo.publish(dealId, move.doc));
    this.notify(dealId);
    return { moved: true, outcome: move.outcome, stored };
  }

  /** Moves the deal in its document through the pipeline's rules; stores and announces nothing. */
  private applyMove(
    dealId: string,
    target: MoveTarget,
  ):
    | { moved: true; outcome: MoveOutcome; doc: DealDoc }
    | { moved: false; checklist: MoveProblem[]; error: DealflowError } {
    const doc = this.doc(dealId);
    try {
      const outcome = doc.moveStage(
        this.pipelineOf(doc),
        target,
        this.moveContext(),
      );
      return { moved: true, outcome, doc };
    } catch (error) {
      if (isDealflowError(error) && error.code === "move_rejected") {
        return { moved: false, checklist: error.problems ?? [], error };
      }
      throw error;
    }
  }

  /** Checks a move without making it: the transition, or the checklist of what is missing. */
  checkMove(dealId: string, target: MoveTarget): MoveCheck {
    const doc = this.doc(dealId);
    try {
      return {
        allowed: true,
        transition: doc.checkMove(
          this.pipelineOf(doc),
          target,
          this.moveContext(),
        ),
      };
    } catch (error) {
      if (isDealflowError(error) && error.code === "move_rejected") {
        return { allowed: false, checklist: error.problems ?? [], error };
      }
      throw error;
    }
  }

  /**
   * Calls `callback` with the deal whenever it changes, by a local edit or by sync. Returns a
   * function that unsubscribes.
   */
  onChange(dealId: string, callback: (read: DealRead) => void): Unsubscribe {
    const listeners = this.changeListeners.get(dealId) ?? new Set();
    listeners.add(callback);
    this.changeListeners.set(dealId, listeners);
    return () => listeners.delete(callback);
  }

  /**
   * Calls `callback` with the id of any deal that changed or arrived (`changed`), or whose sync
   * state changed without its content changing (`status`: e.g. the relay confirmed a change).
   */
  onAnyChange(
    callback: (dealId: string, kind: ChangeKind) => void,
  ): Unsubscribe {
    this.anyChangeListeners.add(callback);
    return () => this.anyChangeListeners.delete(callback);
  }

  // ---- presence ----

  /**
   * Tells the deal's other viewers what this user is doing (`viewing`, `editing` a field, or
   * `left`); repeated every 10 s while connected, so it expires when the tab goes away.
   */
  async setPresence(
    dealId: string,
    activity: PresenceActivity,
    field?: string,
  ): Promise<void> {
    if (activity === "left") this.viewing.delete(dealId);
    else
      this.viewing.set(
        dealId,
        field === undefined ? { activity } : { activity, field },
      );
    if (this.repo.status(dealId) === undefined) return;
    await this.run(
      this.repo.broadcastPresence(
        dealId,
        this.user.id,
        this.user.name,
        activity,
        field,
      ),
    );
  }

  /** The others on a deal right now (this user's other tabs included). */
  presenceOf(dealId: string): Presence[] {
    const now = Date.now();
    const peers = this.presence.get(dealId);
    if (peers === undefined) return [];
    return [...peers.values()]
      .filter((entry) => now - entry.at < PRESENCE_EXPIRY_MS)
      .map((entry) => entry.info);
  }

  /** Calls `callback` with everyone on the deal whenever that changes. */
  onPresence(
    dealId: string,
    callback: (peers: Presence[]) => void,
  ): Unsubscribe {
    const listeners = this.presenceListeners.get(dealId) ?? new Set();
    listeners.add(callback);
    this.presenceListeners.set(dealId, listeners);
    return () => listeners.delete(callback);
  }

  // ---- computations over the deals held ----

  /** The pipelines deals may be in. */
  pipelines(): Pipeline[] {
    return this.workspace.pipelineIds().flatMap((id) => {
      const pipeline = this.workspace.pipeline(id);
      return pipeline === undefined ? [] : [pipeline];
    });
  }

  /** Attention lists (待办与预警) over every deal held, at `now` (default: now). */
  attention(
    now: number = Date.now(),
    config?: AttentionConfig,
  ): AttentionLists {
    return this.workspace.attention(now, config);
  }

  /**
   * A snapshot like `core.snapshot()` of only the deals of `dealIds` (with every pipeline), for
   * the compute module to work on a few deals (the health of a moved deal) without copying
   * every deal held.
   */
  snapshotOf(dealIds: Iterable<string>): Uint8Array {
    const workspace = new Workspace(this.offsetMinutes);
    try {
      for (const id of this.workspace.pipelineIds()) {
        const pipeline = this.workspace.pipeline(id);
        if (pipeline === undefined) continue;
        workspace.setPipeline(pipeline);
        pipeline.free();
      }
      for (const dealId of dealIds) {
        const doc = this.workspace.deal(dealId);
        if (doc === undefined) continue;
        workspace.addDeal(dealId, doc);
        doc.free();
      }
      return workspace.snapshot();
    } finally {
      workspace.free();
    }
  }

  /** The core workspace the computations run on, for the methods not wrapped here. */
  get core(): Workspace {
    return this.workspace;
  }

  // ---- internals ----

  /** Whether the workspace holds the deal (without reading it). */
  private holds(dealId: string): boolean {
    const doc = this.workspace.deal(dealId);
    doc?.free();
    return doc !== undefined;
  }

  /**
   * Handles a frame from the relay at once and queues its step; frames arriving while earlier
   * steps are still being stored join one step (writes in order, then frames, then events),
   * executed behind everything queued before it.
   */
  private receive(bytes: Uint8Array): void {
    const step = this.repo.receive(bytes);
    const batch = this.relayBatch;
    if (batch !== undefined) {
      appendStep(batch, step);
      return;
    }
    this.relayBatch = step;
    void this.run(() => {
      if (this.relayBatch === step) this.relayBatch = undefined;
      return step;
    }, true).catch(() => undefined);
  }

  private doc(dealId: string): DealDoc {
    const doc = this.workspace.deal(dealId);
    if (doc === undefined)
      throw new DealflowClientError("unknown_deal", dealId);
    return doc;
  }

  private pipeline(id?: string): Pipeline {
    const pipelineId = id ?? this.workspace.pipelineIds()[0];
    const pipeline =
      pipelineId === undefined
        ? undefined
        : this.workspace.pipeline(pipelineId);
    if (pipeline === undefined)
      throw new DealflowClientError("unknown_deal", `pipeline ${id ?? ""}`);
    return pipeline;
  }

  private pipelineOf(doc: DealDoc): Pipeline {
    return this.pipeline(doc.read().deal.pipeline);
  }

  private moveContext(): MoveContext {
    return {
      by: this.user.id,
      now: Date.now(),
      utcOffsetMinutes: this.offsetMinutes,
      transitionId: randomId("t"),
    };
  }

  /** Puts a deal the repo holds into the workspace, sharing the document. */
  private adopt(documentId: string): void {
    if (this.workspace.deal(documentId) !== undefined) return;
    const doc = this.repo.deal(documentId);
    if (doc !== undefined) this.workspace.addDeal(documentId, doc);
  }

  /**
   * Executes a step in order behind the previous ones: storage writes durably first, then the
   * frames, then the events. `fromRelay`: the status is recomputed at most every
   * {@link STATUS_THROTTLE_MS} (see {@link DealflowClient.throttledStatus}).
   *
   * While documents are unsaved (an earlier write failed), the step's transaction writes each of
   * them whole first, and frames wait until that succeeds (see {@link DealflowClient.heldFrames}).
   * A failed write rejects with `storage_failed` when the step had writes of its own; its events
   * are handled all the same (the documents did change, in memory) and a retry is scheduled.
   */
  private run(
    stepOrBatch: RepoStep | (() => RepoStep),
    fromRelay = false,
  ): Promise<void> {
    // A step made here comes after the frames batched so far: later frames must not join a
    // batch that runs before it (they may send what this step stores).
    if (!fromRelay) this.relayBatch = undefined;
    const task = this.queue.then(async () => {
      const step =
        typeof stepOrBatch === "function" ? stepOrBatch() : stepOrBatch;
      let stored = false;
      let failure: unknown;
      try {
        const repairs =
          this.unsaved.size > 0 ? await this.wholeDocumentWrites() : [];
        await this.store.apply([...repairs, ...step.store]);
        stored = true;
      } catch (error) {
        failure = error;
      }
      if (!stored) {
        // The status says so until each document is written whole (by the next step or a retry).
        for (const write of step.store) this.unsaved.add(documentOf(write));
        this.heldFrames.push(...step.send);
        if (step.close || this.heldFrames.length > this.maxHeldFrames) {
          // Closing drops the held frames (see `connect`); the next connection syncs from the
          // documents, which hold every change.
          this.heldFrames = [];
          this.connection?.drop();
        }
        for (const event of step.events) this.handle(event);
        this.scheduleSaveRetry();
        this.emitStatus();
        if (step.store.length > 0)
          throw new DealflowClientError("storage_failed", String(failure));
        return;
      }
      this.unsaved.clear();
      this.saveRetries = 0;
      const held = this.heldFrames;
      this.heldFrames = [];
      for (const frame of held) this.connection?.send(frame);
      for (const frame of step.send) this.connection?.send(frame);
      if (step.close) this.connection?.drop();
      for (const event of step.events) this.handle(event);
      if (fromRelay) this.throttledStatus();
      else this.emitStatus();
    });
    this.queue = task.catch(() => undefined);
    return task;
  }

  /**
   * The writes storing each unsaved document whole: one snapshot under core's key for its heads
   * (`[id, "snapshot", sha256-hex(heads)]`), which loading merges with whatever other chunks
   * made it to disk. Core does not know this chunk; the compaction after the next load replaces
   * it. A document no longer held as a deal has nothing left to write.
   */
  private async wholeDocumentWrites(): Promise<StorageWrite[]> {
    const writes: StorageWrite[] = [];
    for (const documentId of this.unsaved) {
      const doc = this.repo.deal(documentId);
      if (doc === undefined) continue;
      try {
        const heads = doc.heads();
        const bytes = doc.save();
        const key = [documentId, "snapshot", await sha256Hex(heads.join(""))];
        writes.push({ kind: "put", key, bytes });
      } finally {
        doc.free();
      }
    }
    return writes;
  }

  /**
   * Retries the unsaved documents' writes on their own, so a deal nobody edits again is still
   * stored (and its held frames sent): after 1 s, then twice as long after each failure, up to
   * {@link SAVE_RETRY_MAX_MS}.
   */
  private scheduleSaveRetry(): void {
    if (this.saveRetry !== undefined || this.unsaved.size === 0) return;
    const wait = Math.min(
      SAVE_RETRY_MS * 2 ** this.saveRetries,
      SAVE_RETRY_MAX_MS,
    );
    this.saveRetries += 1;
    this.saveRetry = setTimeout(() => {
      this.saveRetry = undefined;
      if (this.unsaved.size === 0) return;
      void this.run({ store: [], send: [], events: [], close: false });
    }, wait);
  }

  private handle(event: RepoEvent): void {
    switch (event.kind) {
      case "changed":
        this.adopt(event.documentId);
        this.notify(event.documentId);
        this.arrived(event.documentId);
        break;
      case "status":
        for (const listener of this.anyChangeListeners)
          listener(event.documentId, "status");
        this.arrived(event.documentId);
        break;
      case "presence":
        this.receivePresence(event.documentId, event.presence);
        break;
      case "connected":
        this.beat();
        break;
      case "rejected":
      case "document_error":
      case "closed":
        break;
    }
  }

  private notify(dealId: string): void {
    const listeners = this.changeListeners.get(dealId);
    if (listeners !== undefined && listeners.size > 0) {
      const read = this.deal(dealId);
      if (read !== undefined) for (const listener of listeners) listener(read);
    }
    for (const listener of this.anyChangeListeners) listener(dealId, "changed");
  }

  /** Settles the `openDeal` calls waiting for a deal that arrived or is unavailable. */
  private arrived(dealId: string): void {
    const waiting = this.awaited.get(dealId);
    if (waiting === undefined) return;
    if (!this.holds(dealId) && this.repo.status(dealId) !== "unavailable")
      return;
    this.awaited.delete(dealId);
    for (const resolve of waiting) resolve();
  }

  private receivePresence(dealId: string, info: Presence): void {
    const peers =
      this.presence.get(dealId) ??
      new Map<string, { info: Presence; at: number }>();
    if (info.activity === "left") peers.delete(info.peerId);
    else peers.set(info.peerId, { info, at: Date.now() });
    this.presence.set(dealId, peers);
    const listeners = this.presenceListeners.get(dealId);
    if (listeners !== undefined) {
      const current = this.presenceOf(dealId);
      for (const listener of listeners) listener(current);
    }
  }

  private beat(): void {
    if (!this.repo.connected) return;
    for (const [dealId, { activity, field }] of this.viewing) {
      void this.setPresence(dealId, activity, field);
    }
  }

  private onConnectionState(state: ConnectionState): void {
    void state;
    this.emitStatus();
  }

  /**
   * The status. Connected and in step (cheap: heads compared), nothing is unsynced and nothing
   * is counted; otherwise the unsynced changes of every document are counted, which walks the
   * changes the relay has not confirmed, every change of a document the relay has not answered
   * for yet (over a second for 1,000 deals just after a reload). `countNow` false: while such a
   * count would come too soon after the last one, the last count is kept (`undefined`: not
   * counted, ask again later).
   */
  private computeStatus(countNow = true): SyncStatus | undefined {
    const state = this.connection?.state ?? "offline";
    const live = state === "connected" && this.repo.connected;
    const unsavedDocuments = this.unsaved.size;
    if (live && this.repo.allInSync())
      return { connection: "synced", unsyncedChanges: 0, unsavedDocuments };
    if (!countNow) return undefined;
    const started = performance.now();
    const unsynced = this.repo.pendingChanges();
    this.countAt = Date.now();
    this.countCost = performance.now() - started;
    const connection = live
      ? "syncing"
      : state === "offline"
        ? "offline"
        : "connecting";
    return { connection, unsyncedChanges: unsynced, unsavedDocuments };
  }

  /**
   * The status after a frame from the relay, recomputed at most every
   * {@link STATUS_THROTTLE_MS} and once more after the last frame of a burst; the unsynced
   * changes are counted at most every {@link STATUS_COST_FACTOR} times as long as the last
   * count took (see {@link DealflowClient.computeStatus}), while the check for "all synced"
   * stays on the short period. Computing the whole status after each of the thousands of frames
   * of a first sync made that sync quadratic in the number of deals.
   */
  private throttledStatus(): void {
    if (this.statusTimer !== undefined) return;
    const wait = this.statusAt + STATUS_THROTTLE_MS - Date.now();
    if (wait <= 0) {
      this.statusTick();
      return;
    }
    this.statusTimer = setTimeout(() => {
      this.statusTimer = undefined;
      this.statusTick();
    }, wait);
  }

  /** One throttled status update; reschedules itself while a count has to wait. */
  private statusTick(): void {
    const countWait =
      this.countAt + STATUS_COST_FACTOR * this.countCost - Date.now();
    const status = this.computeStatus(countWait <= 0);
    this.statusAt = Date.now();
    if (status !== undefined) {
      this.publishStatus(status);
      return;
    }
    this.statusTimer = setTimeout(
      () => {
        this.statusTimer = undefined;
        this.statusTick();
      },
      Math.max(STATUS_THROTTLE_MS, Math.min(countWait, STATUS_THROTTLE_MS * 5)),
    );
  }

  private emitStatus(): void {
    this.statusAt = Date.now();
    const status = this.computeStatus();
    if (status !== undefined) this.publishStatus(status);
  }

  private publishStatus(status: SyncStatus): void {
    if (
      status.connection === this.lastStatus.connection &&
      status.unsyncedChanges === this.lastStatus.unsyncedChanges &&
      status.unsavedDocuments === this.lastStatus.unsavedDocuments
    ) {
      return;
    }
    this.lastStatus = status;
    for (const listener of this.statusListeners) listener(status);
  }
}

/** SHA-256 of `text` (UTF-8) in lowercase hex, as core keys snapshots. */
async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(text),
  );
  return Array.from(new Uint8Array(digest), (byte) =>
    byte.toString(16).padStart(2, "0"),
  ).join("");
}

/** The document a storage write belongs to: the first part of its chunk key. */
function documentOf(write: StorageWrite): string {
  return write.key[0] ?? "";
}

/** Appends `step` to `into`: its writes after the earlier writes, and so on. */
function appendStep(into: RepoStep, step: RepoStep): void {
  into.store.push(...step.store);
  into.send.push(...step.send);
  into.events.push(...step.events);
  into.close ||= step.close;
}

/** One step doing what `steps` do, in order. */
function mergeSteps(steps: RepoStep[]): RepoStep {
  const merged: RepoStep = { store: [], send: [], events: [], close: false };
  for (const step of steps) appendStep(merged, step);
  return merged;
}
