import init from "../wasm/dealflow_compute.js";

let ready: Promise<void> | undefined;

/**
 * Loads the compute module (`dealflow_compute`: `Analysis`, `Quote`, `PaymentPlan`) into this
 * thread, for pages that call it directly; the components run it in a Web Worker instead
 * (`ComputeClient`). Safe to call many times: the module loads once.
 *
 * @param wasmUrl where to fetch `dealflow_compute_bg.wasm` from; defaults to the URL the
 *   bundler emitted next to this module.
 */
export function loadDealflowCompute(wasmUrl?: string | URL): Promise<void> {
  ready ??= init(
    wasmUrl === undefined ? undefined : { module_or_path: wasmUrl },
  ).then(() => undefined);
  return ready;
}
