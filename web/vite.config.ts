import { resolve } from "node:path";
import { defineConfig } from "vite";

// The demo app (index.html), the embedding example (embed.html) and the component playground
// (playground.html, sample data held in the page) are three pages of one build.
export default defineConfig({
  // The compute worker (src/lib/compute-worker.ts) is a module worker: it imports the compute
  // module's glue, which finds its wasm through `import.meta.url`.
  worker: { format: "es" },
  build: {
    target: "es2022",
    outDir: "dist",
    emptyOutDir: true,
    // The components chunk is mostly ECharts (graph, bar, line and funnel charts, SVG renderer).
    chunkSizeWarningLimit: 800,
    rollupOptions: {
      input: {
        main: resolve(import.meta.dirname, "index.html"),
        embed: resolve(import.meta.dirname, "embed.html"),
        playground: resolve(import.meta.dirname, "playground.html"),
        // The embedding entry keeps a stable name, so portals can load `/dealflow.js`.
        dealflow: resolve(import.meta.dirname, "src/dealflow.ts"),
      },
      preserveEntrySignatures: "exports-only",
      output: {
        entryFileNames: (chunk) =>
          chunk.name === "dealflow" ? "dealflow.js" : "assets/[name]-[hash].js",
      },
    },
  },
});
