/**
 * The Dealflow browser library: a typed facade over the wasm build of `dealflow-core`.
 *
 * Call {@link loadDealflow} once before using any other export.
 */
import init, { Pipeline } from "../wasm/dealflow_wasm.js";
import type { Money, Stage, StageAmount } from "../wasm/dealflow_wasm.js";

export { Pipeline };
export type { Money, Stage, StageAmount };
export { formatMoney, type Locale } from "./format.js";

let ready: Promise<void> | undefined;

/**
 * Loads and instantiates the wasm module. Safe to call many times: the module loads once.
 *
 * @param wasmUrl where to fetch `dealflow_wasm_bg.wasm` from; defaults to the URL the bundler
 *   emitted next to this module (portals with a strict CSP can host the file themselves).
 */
export function loadDealflow(wasmUrl?: string | URL): Promise<void> {
  ready ??= init(
    wasmUrl === undefined ? undefined : { module_or_path: wasmUrl },
  ).then(() => undefined);
  return ready;
}
