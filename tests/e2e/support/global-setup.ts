import type { FullConfig } from "@playwright/test";

import { startServer } from "./server.js";

/** One shared server for specs that do not need their own; it stops when the run ends. */
export default async function globalSetup(_config: FullConfig): Promise<() => Promise<void>> {
  const server = await startServer({ args: ["--dev-login"] });
  process.env.DEALFLOW_URL = server.url;
  return () => server.stop();
}
