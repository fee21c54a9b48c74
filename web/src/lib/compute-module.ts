import init from "../wasm/dealflow_compute.js";
import { loadOnce } from "./load-once.js";

/**
 * Loads the compute module (`dealflow_compute`: `Analysis`, `Quote`, `PaymentPlan`) into this
 * thread, for pages that call it directly; the components run it in a Web Worker instead
 * (`ComputeClient`). Safe to call many times: the module loads once, and a load that failed
 * (e.g. offline) is tried again by the next call.
 *
 * @param wasmUrl where to fetch `dealflow_compute_bg.wasm` from; defaults to the URL the
 *   bundler emitted next to this module.
 */
export const loadDealflowCompute: (wasmUrl?: string | URL) => Promise<void> =
  loadOnce(async (wasmUrl?: string | URL) => {
    await init(wasmUrl === undefined ? undefined : { module_or_path: wasmUrl });
  });
