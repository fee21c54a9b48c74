import init from "../wasm/dealflow_wasm.js";
import { loadOnce } from "./load-once.js";

let memory: WebAssembly.Memory | undefined;

/**
 * Loads and instantiates the wasm module. Safe to call many times: the module loads once, and
 * a load that failed (e.g. offline) is tried again by the next call.
 *
 * @param wasmUrl where to fetch `dealflow_wasm_bg.wasm` from; defaults to the URL the bundler
 *   emitted next to this module (portals with a strict CSP can host the file themselves).
 */
export const loadDealflow: (wasmUrl?: string | URL) => Promise<void> = loadOnce(
  async (wasmUrl?: string | URL) => {
    const exports = await init(
      wasmUrl === undefined ? undefined : { module_or_path: wasmUrl },
    );
    memory = exports.memory;
  },
);

/** The size of the wasm module's linear memory in bytes (0 before loading), for diagnostics. */
export function wasmMemoryBytes(): number {
  return memory?.buffer.byteLength ?? 0;
}
