import { defineConfig } from "@playwright/test";

import base from "./playwright.config.js";

// Browser benchmarks, run by hand (`npx playwright test -c bench.config.ts`), never in CI: they
// print figures instead of asserting targets.
export default defineConfig({
  ...base,
  testDir: "./bench",
  testMatch: "**/*.bench.ts",
  globalSetup: undefined,
  timeout: 600_000,
});
