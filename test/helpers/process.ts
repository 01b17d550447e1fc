/** Child processes of the CLI for end-to-end tests: started from source, stopped by their PID. */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "..", "..");

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** Waits for the process to exit (after a signal). */
  exited(): Promise<number | null>;
}

/**
 * Runs `brook serve` with the given flags; resolves once /readyz answers (from `workers`
 * distinct workers when it is a cluster).
 */
export async function spawnServer(
  flags: string[],
  env: Record<string, string> = {},
  workers = 1,
): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(ROOT, "src/cli/main.ts"),
      "serve",
      "--port",
      String(port),
      "--host",
      "127.0.0.1",
      ...flags,
    ],
    {
      cwd: ROOT,
      env: { ...process.env, BROOK_LOG_LEVEL: "warn", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  child.stdout!.on("data", (d) => {
    out += d;
  });
  child.stderr!.on("data", (d) => {
    out += d;
  });
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  const seen = new Set<string>();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`brook serve exited with ${child.exitCode}:\n${out}`);
    try {
      // A new connection each time, so that the cluster hands it to the next worker.
      const res = await fetch(`${url}/readyz`, { headers: { connection: "close" } });
      if (res.ok) seen.add(res.headers.get("x-brook-worker") ?? "single");
      if (seen.size >= workers) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`brook serve did not become ready:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, child, output: () => out, exited: () => exit };
}

/** What a CLI run printed, and how it ended. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI from source (stdin is a pipe, not a terminal) with extra environment; resolves
 * with its exit code and output. Killed if it outlives `timeoutMs`.
 */
export function runBrook(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "src/cli/main.ts"), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
