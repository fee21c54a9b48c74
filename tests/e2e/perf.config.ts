import { defineConfig } from "@playwright/test";

import base from "./playwright.config.js";

// Performance scripts, run by hand (`npx playwright test -c perf.config.ts`), never in CI:
// their figures depend on the machine.
export default defineConfig({
  ...base,
  testDir: "./perf",
  testMatch: "*.perf.ts",
  timeout: 900_000,
  reporter: [["list"]],
});
