import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** Repository root, from tests/e2e/support. */
export const repoRoot = resolve(import.meta.dirname, "..", "..", "..");

/** A running `dealflow-server` on an ephemeral loopback port. */
export interface RunningServer {
  url: string;
  dataDir: string;
  process: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts the server binary built by `cargo build -p dealflow-server` and resolves once it prints
 * the address it listens on.
 */
export async function startServer(
  options: { dataDir?: string; args?: string[]; startTimeoutMs?: number } = {},
): Promise<RunningServer> {
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const binary =
    process.env.DEALFLOW_SERVER_BIN ??
    join(process.env.CARGO_TARGET_DIR ?? join(repoRoot, "target"), "debug", "dealflow-server");
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "dealflow-e2e-"));
  const child = spawn(
    binary,
    ["--listen", "127.0.0.1:0", "--data-dir", dataDir, "--web-dir", join(repoRoot, "web", "dist"), ...(options.args ?? [])],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "warn" } },
  );
  child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(chunk));
  const url = await new Promise<string>((resolveUrl, reject) => {
    let buffered = "";
    const timer = setTimeout(
      () => reject(new Error(`server did not start within ${startTimeoutMs / 1000} s`)),
      startTimeoutMs,
    );
    child.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(buffered);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening`));
    });
  });
  return {
    url,
    dataDir,
    process: child,
    stop: (signal: NodeJS.Signals = "SIGTERM") =>
      new Promise<void>((resolveStop) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolveStop();
        child.once("exit", () => resolveStop());
        child.kill(signal);
      }),
  };
}
