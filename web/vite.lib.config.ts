import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { defineConfig, type Plugin } from "vite";

/** The two wasm modules and their glue: the main module and the compute module. */
const MODULES = ["dealflow_wasm", "dealflow_compute"];

/**
 * Ships the wasm module as a file next to the library instead of inlining it as base64 (which
 * library mode does to every `new URL(…, import.meta.url)` asset): the glue's default URL is
 * rewritten so Vite leaves it alone, and the module is emitted under its own name.
 */
function wasmBesideLibrary(): Plugin {
  return {
    name: "dealflow-wasm-beside-library",
    enforce: "pre",
    transform(code, id) {
      const name = MODULES.find((module) => id.endsWith(`${module}.js`));
      if (name === undefined) return null;
      const wasm = `${name}_bg.wasm`;
      return code.replace(
        `new URL('${wasm}', import.meta.url)`,
        `new URL(${JSON.stringify(wasm)} + "", import.meta.url)`,
      );
    },
    generateBundle() {
      for (const name of MODULES)
        this.emitFile({
          type: "asset",
          fileName: `${name}_bg.wasm`,
          source: readFileSync(
            resolve(import.meta.dirname, "src/wasm", `${name}_bg.wasm`),
          ),
        });
      // The npm package: the module, the wasm beside it, and the declarations that
      // `tsconfig.lib.json` emits into types/.
      this.emitFile({
        type: "asset",
        fileName: "package.json",
        source: `${JSON.stringify(
          {
            name: "@dealflow/client",
            version: "0.1.0",
            type: "module",
            module: "./dealflow.js",
            types: "./types/lib/index.d.ts",
            exports: {
              ".": {
                types: "./types/lib/index.d.ts",
                default: "./dealflow.js",
              },
              "./dealflow_wasm_bg.wasm": "./dealflow_wasm_bg.wasm",
              "./dealflow_compute_bg.wasm": "./dealflow_compute_bg.wasm",
            },
            sideEffects: false,
          },
          null,
          2,
        )}\n`,
      });
    },
  };
}

// The browser library as one ES module (`dist/lib/dealflow.js`, with `idb` bundled) and the two
// wasm modules beside it: the npm package's payload, and what pages not built with Vite import (the
// e2e and benchmark pages). The demo build (vite.config.ts) empties dist, so run this one after.
export default defineConfig({
  plugins: [wasmBesideLibrary()],
  build: {
    target: "es2022",
    outDir: "dist/lib",
    emptyOutDir: true,
    lib: {
      entry: resolve(import.meta.dirname, "src/lib/index.ts"),
      formats: ["es"],
      fileName: "dealflow",
    },
  },
});
