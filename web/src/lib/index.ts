/**
 * The Dealflow browser library: a typed facade over the wasm build of `dealflow-core`.
 *
 * Start with {@link DealflowClient.create}: it loads the wasm core, opens the deals stored in
 * IndexedDB and syncs them with the relay once connected. The core classes (`DealDoc`,
 * `Pipeline`, `Workspace`, `Repo`) are exported too, for pages that drive them directly; call
 * {@link loadDealflow} once before using them.
 */
export {
  DealDoc,
  PaymentPlan,
  Pipeline,
  Quote,
  Repo,
  Workspace,
} from "../wasm/dealflow_wasm.js";
export type * from "../wasm/dealflow_wasm.js";
export { loadDealflow, wasmMemoryBytes } from "./load.js";
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
