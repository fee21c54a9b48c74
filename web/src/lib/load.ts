import init from "../wasm/dealflow_wasm.js";

let ready: Promise<void> | undefined;
let memory: WebAssembly.Memory | undefined;

/**
 * Loads and instantiates the wasm module. Safe to call many times: the module loads once.
 *
 * @param wasmUrl where to fetch `dealflow_wasm_bg.wasm` from; defaults to the URL the bundler
 *   emitted next to this module (portals with a strict CSP can host the file themselves).
 */
export function loadDealflow(wasmUrl?: string | URL): Promise<void> {
  ready ??= init(
    wasmUrl === undefined ? undefined : { module_or_path: wasmUrl },
  ).then((exports) => {
    memory = exports.memory;
  });
  return ready;
}

/** The size of the wasm module's linear memory in bytes (0 before loading), for diagnostics. */
export function wasmMemoryBytes(): number {
  return memory?.buffer.byteLength ?? 0;
}
