/**
 * The page's side of the compute worker: a typed Comlink proxy of {@link ComputeApi}. Snapshots
 * are transferred to the worker (their buffer moves, nothing is copied), and the worker's
 * results come back as structured clones of core's typed results.
 */
import * as Comlink from "comlink";

import type { DealHealth } from "../wasm/dealflow_compute.js";
import type {
  ComputeApi,
  Dashboard,
  DashboardRequest,
} from "./compute-worker.js";

export type { ComputeApi, Dashboard, DashboardRequest };

/** A compute worker: heavy computations over snapshots of the deals, off the main thread. */
export class ComputeClient {
  private readonly worker: Worker;
  private readonly api: Comlink.Remote<ComputeApi>;

  /**
   * Starts the worker. `wasmUrl` is where the worker fetches `dealflow_compute_bg.wasm` from
   * (default: next to its glue, where the bundler emitted it).
   */
  constructor(wasmUrl?: string) {
    this.worker = new Worker(new URL("./compute-worker.ts", import.meta.url), {
      type: "module",
      name: "dealflow-compute",
    });
    this.api = Comlink.wrap<ComputeApi>(this.worker);
    void this.api.load(wasmUrl);
  }

  /** Every figure of the forecast dashboard; the snapshot's buffer is moved to the worker. */
  dashboard(request: DashboardRequest): Promise<Dashboard> {
    return this.api.dashboard(
      Comlink.transfer(request, [request.snapshot.buffer as ArrayBuffer]),
    );
  }

  /** The health of every open deal at `now`; the snapshot's buffer is moved to the worker. */
  health(
    snapshot: Uint8Array,
    utcOffsetMinutes: number,
    now: number,
  ): Promise<DealHealth[]> {
    return this.api.health(
      Comlink.transfer(snapshot, [snapshot.buffer as ArrayBuffer]),
      utcOffsetMinutes,
      now,
    );
  }

  /** Stops the worker. */
  terminate(): void {
    this.api[Comlink.releaseProxy]();
    this.worker.terminate();
  }
}

let shared: ComputeClient | undefined;

/** One compute worker per page, started on first use. */
export function computeClient(): ComputeClient {
  shared ??= new ComputeClient();
  return shared;
}
