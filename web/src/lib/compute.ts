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
   * Rejects once the worker has failed (its script could not be fetched, e.g. offline): a
   * worker that never started answers nothing, so every call races this instead of waiting
   * for ever.
   */
  private readonly failure: Promise<never>;
  private failed = false;

  /**
   * Starts the worker and has it load the compute module. `wasmUrl` is where the worker fetches
   * `dealflow_compute_bg.wasm` from (default: next to its glue, where the bundler emitted it).
   */
  constructor(wasmUrl?: string) {
    this.worker = new Worker(new URL("./compute-worker.ts", import.meta.url), {
      type: "module",
      name: "dealflow-compute",
    });
    this.failure = new Promise((_, reject) => {
      this.worker.addEventListener(
        "error",
        (event) => {
          // Said by the computation that fails with it, not as an uncaught error.
          event.preventDefault();
          this.failed = true;
          reject(
            new Error(
              `the compute worker failed: ${event.message || "not started"}`,
            ),
          );
        },
        { once: true },
      );
    });
    this.failure.catch(() => undefined);
    this.api = Comlink.wrap<ComputeApi>(this.worker);
    // Loaded ahead of the first computation; a failure here is the first computation's to
    // report (it loads again).
    this.call(this.api.load(wasmUrl)).catch(() => undefined);
  }

  /** Whether the worker has failed and will answer nothing (see {@link computeClient}). */
  get broken(): boolean {
    return this.failed;
  }

  /** Every figure of the forecast dashboard; the snapshot's buffer is moved to the worker. */
  dashboard(request: DashboardRequest): Promise<Dashboard> {
    return this.call(
      this.api.dashboard(
        Comlink.transfer(request, [request.snapshot.buffer as ArrayBuffer]),
      ),
    );
  }

  /** The health of every open deal at `now`; the snapshot's buffer is moved to the worker. */
  health(
    snapshot: Uint8Array,
    utcOffsetMinutes: number,
    now: number,
  ): Promise<DealHealth[]> {
    return this.call(
      this.api.health(
        Comlink.transfer(snapshot, [snapshot.buffer as ArrayBuffer]),
        utcOffsetMinutes,
        now,
      ),
    );
  }

  /** Stops the worker. */
  terminate(): void {
    this.api[Comlink.releaseProxy]();
    this.worker.terminate();
  }

  private call<T>(answer: Promise<T>): Promise<T> {
    return Promise.race([answer, this.failure]);
  }
}

let shared: ComputeClient | undefined;

/**
 * One compute worker per page, started on first use, and started again on the first use after
 * it failed (e.g. its script could not be fetched while offline).
 */
export function computeClient(): ComputeClient {
  if (shared?.broken) {
    shared.terminate();
    shared = undefined;
  }
  shared ??= new ComputeClient();
  return shared;
}
