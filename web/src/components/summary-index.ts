import {
  Workspace,
  type DealDoc,
  type DealSummary,
} from "../wasm/dealflow_wasm.js";

/**
 * The summaries of the deals a session holds, kept up to date one deal at a time: after an edit
 * or a sync only that deal's summary is computed again (by core, through a scratch workspace
 * holding just that document), so a stage move on a board of 1,000 deals costs one summary.
 */
export class SummaryIndex {
  private readonly byId = new Map<string, DealSummary>();
  private list: DealSummary[] | undefined;
  private scratch: Workspace | undefined;

  constructor(private readonly utcOffsetMinutes: number) {}

  /** Replaces every summary (a first load). */
  reset(summaries: DealSummary[]): void {
    this.byId.clear();
    for (const summary of summaries) this.byId.set(summary.id, summary);
    this.list = undefined;
  }

  /** Computes `id`'s summary again from its document; no document: it is gone. */
  refresh(id: string, doc: DealDoc | undefined): void {
    this.list = undefined;
    if (doc === undefined) {
      this.byId.delete(id);
      return;
    }
    this.scratch ??= new Workspace(this.utcOffsetMinutes);
    this.scratch.addDeal(id, doc);
    try {
      const [summary] = this.scratch.summaries();
      if (summary === undefined) this.byId.delete(id);
      else this.byId.set(id, summary);
    } finally {
      this.scratch.removeDeal(id);
    }
  }

  /** The summary of one deal, if held. */
  get(id: string): DealSummary | undefined {
    return this.byId.get(id);
  }

  /** Every summary, ordered by document id (as core orders them). */
  all(): DealSummary[] {
    this.list ??= [...this.byId.values()].sort((left, right) =>
      left.id < right.id ? -1 : left.id > right.id ? 1 : 0,
    );
    return this.list;
  }
}
