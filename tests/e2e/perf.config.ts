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
  // No trace: recording one snapshots the DOM of 1,000 cards on every action, in the page
  // being measured (12 % of the page's CPU in a profile of the client board).
  use: { ...base.use, trace: "off" },
});
