/**
 * A {@link DealflowSession} over deals held in this page only: the wasm core's `Workspace` and
 * `DealDoc`s, with no server. It backs the component playground, the screenshots and the
 * performance script, and lets a portal show the components over data it already has. Every
 * figure still comes from core; this class only holds documents and calls them.
 */
import {
  DealDoc,
  Pipeline,
  Workspace,
  type AttentionLists,
  type DealRead,
  type DealSummary,
  type EditContext,
  type EffectiveProbability,
  type FieldChange,
  type ForecastTarget,
  type MoveContext,
  type MoveProblem,
  type MoveTarget,
  type NewDeal,
} from "../wasm/dealflow_wasm.js";
import { loadDealflow } from "../lib/index.js";
import { computeClient } from "../lib/compute.js";
import {
  dashboardRequest,
  forecastView,
  healthByDeal,
} from "./forecast-view.js";
import { SummaryIndex } from "./summary-index.js";
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

/** How long after a change deal health is recomputed (a burst of changes pays once). */
const HEALTH_DEBOUNCE_MS = 300;

/** How to build a {@link MemorySession}. */
export interface MemorySessionOptions {
  user: SessionUser;
  users?: SessionUser[];
  utcOffsetMinutes?: number;
}

export class MemorySession implements DealflowSession {
  readonly ready: Promise<void>;
  readonly user: SessionUser;
  readonly utcOffsetMinutes: number;
  private readonly directory: SessionUser[];
  private workspace: Workspace | undefined;
  private readonly listeners = new Set<() => void>();
  private summaryIndex: SummaryIndex;
  private attentionCache: { at: number; lists: AttentionLists } | undefined;
  private readonly reads = new Map<string, DealRead>();
  private counter = 0;
  /** Targets (quotas) the forecast is measured against; none unless the page sets them. */
  targets: ForecastTarget[] = [];
  private healthCache: Map<string, HealthView> | undefined;
  private healthStale = false;
  private healthPending = false;

  constructor(options: MemorySessionOptions) {
    this.user = options.user;
    this.directory = options.users ?? [options.user];
    this.utcOffsetMinutes = options.utcOffsetMinutes ?? 480;
    this.summaryIndex = new SummaryIndex(this.utcOffsetMinutes);
    this.ready = loadDealflow().then(() => {
      const workspace = new Workspace(this.utcOffsetMinutes);
      workspace.setPipeline(Pipeline.newBusiness());
      workspace.setPipeline(Pipeline.solutionSales());
      this.workspace = workspace;
    });
  }

  status(): SyncStatus {
    return "offline";
  }

  unsyncedCount(): number {
    return 0;
  }

  /** Nothing is stored, so nothing fails to be. */
  unsavedCount(): number {
    return 0;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  users(): SessionUser[] {
    return this.directory;
  }

  pipeline(id: string): Pipeline | undefined {
    return this.workspace?.pipeline(id);
  }

  /** Opens a new deal through core (`DealDoc.open`); throws core's error when it is refused. */
  createDeal(deal: NewDeal, at: number = Date.now()): void {
    const workspace = this.requireWorkspace();
    const pipeline = workspace.pipeline("new_business");
    if (pipeline === undefined) return;
    const doc = DealDoc.open(
      pipeline,
      deal,
      this.moveContext(at),
      randomActor(),
    );
    workspace.addDeal(deal.id, doc);
    doc.free();
    pipeline.free();
    this.changed(deal.id);
  }

  newDeal(deal: Omit<NewDeal, "id">): Promise<string> {
    const id = `deal-${crypto.randomUUID()}`;
    try {
      this.createDeal({ ...deal, id });
      return Promise.resolve(id);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Holds a saved deal document (`DealDoc.save()` bytes) under `id`. */
  addDeal(id: string, bytes: Uint8Array): void {
    const doc = DealDoc.load(bytes, randomActor());
    this.requireWorkspace().addDeal(id, doc);
    doc.free();
    this.changed(id);
  }

  /** Every deal held, saved (`DealDoc.save()`), by id: to persist or hand to another page. */
  saveAll(): [string, Uint8Array][] {
    const workspace = this.requireWorkspace();
    return workspace.dealIds().flatMap((id) => {
      const doc = workspace.deal(id);
      if (doc === undefined) return [];
      try {
        return [[id, doc.save()] as [string, Uint8Array]];
      } finally {
        doc.free();
      }
    });
  }

  summaries(): DealSummary[] {
    return this.summaryIndex.all();
  }

  openDeal(id: string): Promise<DealRead | undefined> {
    return this.ready.then(() => this.readDeal(id));
  }

  readDeal(id: string): DealRead | undefined {
    const cached = this.reads.get(id);
    if (cached !== undefined) return cached;
    const doc = this.workspace?.deal(id);
    if (doc === undefined) return undefined;
    try {
      const read = doc.read();
      this.reads.set(id, read);
      return read;
    } finally {
      doc.free();
    }
  }

  /** Runs edits on a deal; `now` may be set for deterministic history (tests, fixtures). */
  edit(
    dealId: string,
    apply: (doc: DealDoc, ctx: EditContext) => unknown,
    now: number = Date.now(),
  ): Promise<unknown> {
    try {
      return Promise.resolve(this.editNow(dealId, apply, now));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** {@link edit}, synchronously (fixtures fill many deals in a row). */
  editNow(
    dealId: string,
    apply: (doc: DealDoc, ctx: EditContext) => unknown,
    now: number = Date.now(),
  ): unknown {
    const doc = this.workspace?.deal(dealId);
    if (doc === undefined) return undefined;
    try {
      return apply(doc, { by: this.user.id, now });
    } finally {
      doc.free();
      this.changed(dealId);
    }
  }

  moveStage(dealId: string, target: MoveTarget): Promise<MoveResult> {
    return Promise.resolve(this.moveNow(dealId, target));
  }

  /** {@link moveStage}, synchronously, at `now`. */
  moveNow(
    dealId: string,
    target: MoveTarget,
    now: number = Date.now(),
  ): MoveResult {
    const workspace = this.requireWorkspace();
    const doc = workspace.deal(dealId);
    // The summary names the pipeline: no need to read (hydrate) the whole deal for it.
    const pipelineId = this.summaryIndex.get(dealId)?.pipeline;
    const pipeline =
      pipelineId === undefined ? undefined : workspace.pipeline(pipelineId);
    if (doc === undefined || pipeline === undefined) {
      doc?.free();
      pipeline?.free();
      return { moved: false, checklist: [] };
    }
    try {
      const outcome = doc.moveStage(pipeline, target, this.moveContext(now));
      this.changed(dealId);
      return { moved: true, outcome };
    } catch (error) {
      const problems = (error as { problems?: MoveProblem[] }).problems;
      if (problems === undefined) throw error;
      return { moved: false, checklist: problems };
    } finally {
      doc.free();
      pipeline.free();
    }
  }

  /**
   * Deal health from the compute worker: the last result at once, a stale one recomputed in the
   * background, after which listeners hear of it.
   */
  health(dealId: string): HealthView | undefined {
    if (
      (this.healthStale || this.healthCache === undefined) &&
      !this.healthPending
    ) {
      this.healthPending = true;
      // Snapshotting every deal is not free (tens of ms with 1,000 deals): never during a
      // render, and once for a burst of changes.
      setTimeout(() => {
        this.healthStale = false;
        void healthByDeal(
          this.requireWorkspace().snapshot(),
          this.utcOffsetMinutes,
          Date.now(),
        )
          .then(
            (byDeal) => {
              this.healthCache = byDeal;
              for (const listener of this.listeners) listener();
            },
            () => undefined,
          )
          .finally(() => {
            this.healthPending = false;
          });
      }, HEALTH_DEBOUNCE_MS);
    }
    return this.healthCache?.get(dealId);
  }

  /** The forecast dashboard, computed in the compute worker over a snapshot of the deals. */
  async forecast(
    now: number,
    selection?: ForecastSelection,
  ): Promise<ForecastView | undefined> {
    const request = dashboardRequest(
      this.requireWorkspace().snapshot(),
      now,
      this.utcOffsetMinutes,
      this.targets,
      selection,
    );
    const dashboard = await computeClient().dashboard(request);
    return forecastView(dashboard, this.attention(now).stalledDeals, (id) => {
      const pipeline = this.pipeline(id);
      if (pipeline === undefined) return { zh: id, en: id };
      try {
        return pipeline.config().name;
      } finally {
        pipeline.free();
      }
    });
  }

  attention(now: number): AttentionLists {
    // Attention lists change by the day; recomputing them on every render of 1,000 cards
    // would be waste, so they are kept until the next change or for a minute.
    const cached = this.attentionCache;
    if (cached !== undefined && now - cached.at < 60_000) return cached.lists;
    const lists = this.requireWorkspace().attention(now);
    this.attentionCache = { at: now, lists };
    return lists;
  }

  probability(dealId: string): EffectiveProbability | undefined {
    const workspace = this.requireWorkspace();
    const pipelineId = this.readDeal(dealId)?.deal.pipeline;
    const pipeline =
      pipelineId === undefined ? undefined : workspace.pipeline(pipelineId);
    const doc = workspace.deal(dealId);
    try {
      return pipeline === undefined || doc === undefined
        ? undefined
        : doc.effectiveProbability(pipeline);
    } finally {
      doc?.free();
      pipeline?.free();
    }
  }

  changesSince(dealId: string, since: number): FieldChange[] {
    const doc = this.workspace?.deal(dealId);
    if (doc === undefined) return [];
    try {
      return doc.changesBetween(since, Date.now());
    } finally {
      doc.free();
    }
  }

  presence(_dealId: string): PresencePeer[] {
    return [];
  }

  setFocus(_dealId: string, _field: string | undefined): void {}

  leave(_dealId: string): void {}

  private moveContext(now: number): MoveContext {
    this.counter += 1;
    return {
      by: this.user.id,
      now,
      utcOffsetMinutes: this.utcOffsetMinutes,
      transitionId: `t-${now.toString(36)}-${this.counter}-${Math.random().toString(36).slice(2, 8)}`,
    };
  }

  private requireWorkspace(): Workspace {
    if (this.workspace === undefined)
      throw new Error("await session.ready before using the session");
    return this.workspace;
  }

  private changed(dealId: string): void {
    const doc = this.workspace?.deal(dealId);
    this.summaryIndex.refresh(dealId, doc);
    doc?.free();
    this.attentionCache = undefined;
    this.healthStale = true;
    this.reads.delete(dealId);
    for (const listener of this.listeners) listener();
  }
}

/** 16 random bytes: a fresh Automerge actor for this replica. */
export function randomActor(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(16));
}
