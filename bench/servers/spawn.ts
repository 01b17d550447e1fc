/** Starts servers in child processes and waits for them; benchmarks stop them by their PID. */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, ROOT } from "../../test/helpers/process.js";

export interface Child {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Waits until `workers` distinct processes answer /healthz (new connections each time). */
async function waitReady(url: string, child: ChildProcess, workers: number): Promise<void> {
  const seen = new Set<string>();
  const deadline = Date.now() + 30_000;
  while (seen.size < workers) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`server at ${url} did not start`);
    try {
      const res = await fetch(`${url}/healthz`, { headers: { connection: "close" } });
      await res.arrayBuffer();
      seen.add(res.headers.get("x-brook-worker") ?? String(seen.size));
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function start(
  args: string[],
  env: Record<string, string>,
  port: number,
  workers: number,
  cleanup = () => {},
): Promise<Child> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitReady(url, child, workers);
  return {
    url,
    process: child,
    stop: () =>
      new Promise((resolve) => {
        const done = () => {
          cleanup();
          resolve();
        };
        if (child.exitCode !== null) return done();
        child.once("exit", done);
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
      }),
  };
}

/**
 * `brook serve` (compiled) with the given flags, on a fresh data folder removed at stop.
 * `root`: another checkout's build (e.g. the commit before a change, for a before/after in one run).
 */
export async function startBrookServer(
  flags: string[],
  workers = 1,
  root = ROOT,
): Promise<Child & { dataDir: string }> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "brook-bench-"));
  const args = [
    join(root, "dist/cli/main.js"),
    "serve",
    "--port",
    String(port),
    "--host",
    "127.0.0.1",
    "--log-level",
    "warn",
  ];
  const child = await start(
    [...args, "--data-dir", dataDir, "--workers", String(workers), ...flags],
    {},
    port,
    workers,
    () => rmSync(dataDir, { recursive: true, force: true }),
  );
  return { ...child, dataDir };
}

/** A reference server from bench/servers/ (`bare-http.mjs`, `minimal.mjs`). */
export async function startReference(
  file: string,
  env: Record<string, string> = {},
  workers = 1,
): Promise<Child> {
  const port = await freePort();
  return start(
    [join(ROOT, "bench/servers", file)],
    { ...env, PORT: String(port), WORKERS: String(workers) },
    port,
    1,
  );
}
