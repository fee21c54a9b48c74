/**
 * The Dealflow browser library: a typed facade over the wasm build of `dealflow-core`.
 *
 * Start with {@link DealflowClient.create}: it loads the wasm core, opens the deals stored in
 * IndexedDB and syncs them with the relay once connected. The core classes (`DealDoc`,
 * `Pipeline`, `Workspace`, `Repo`) are exported too, for pages that drive them directly; call
 * {@link loadDealflow} once before using them. The compute module's classes (`Analysis`,
 * `Quote`, `PaymentPlan`) are a second wasm module: call {@link loadDealflowCompute} before
 * using them in this thread.
 */
export { DealDoc, Pipeline, Repo, Workspace } from "../wasm/dealflow_wasm.js";
export type * from "../wasm/dealflow_wasm.js";
// The boundary types of both modules are declared by the main module's glue (one crate).
export { Analysis, PaymentPlan, Quote } from "../wasm/dealflow_compute.js";
export { loadDealflow, wasmMemoryBytes } from "./load.js";
export { loadDealflowCompute } from "./compute-module.js";
export {
  DealflowClient,
  type ClientOptions,
  type ClientUser,
  type MoveCheck,
  type MoveResult,
  type NewDealInput,
  type Presence,
  type SyncStatus,
  type Unsubscribe,
} from "./client.js";
export {
  DealflowClientError,
  errorMessage,
  isDealflowError,
  type ClientErrorCode,
  type DealflowError,
} from "./errors.js";
export type { ConnectionState } from "./connection.js";
export { ChunkStore } from "./storage.js";
export { formatMoney, type Locale } from "./format.js";
