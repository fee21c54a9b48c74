import { resolve } from "node:path";
import { defineConfig } from "vite";

// The demo app (index.html) and the embedding example (embed.html) are two pages of one build.
export default defineConfig({
  build: {
    target: "es2022",
    outDir: "dist",
    emptyOutDir: true,
    rollupOptions: {
      input: {
        main: resolve(import.meta.dirname, "index.html"),
        embed: resolve(import.meta.dirname, "embed.html"),
        playground: resolve(import.meta.dirname, "playground.html"),
      },
    },
  },
});
