/**
 * Bounded load runs on loopback (they stop after `seconds`). wrk (Debian's package, written in
 * C) is used when it is installed, because it leaves more of the 2 cores to the servers;
 * otherwise autocannon (an npm dev dependency). Every run of one report uses the same tool.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";

export interface LoadResult {
  rps: number;
  /** Latency percentiles, ms. */
  p50: number;
  p99: number;
  errors: number;
}

export interface LoadSpec {
  url: string;
  method: "POST" | "PUT";
  /** Request bodies, sent in turn. */
  bodies: string[];
  connections: number;
  seconds: number;
}

function hasWrk(): boolean {
  try {
    execFileSync("wrk", ["--version"], { stdio: "ignore" });
    return true;
  } catch (err) {
    // wrk --version exits 1 after printing its version.
    return (err as { status?: number }).status === 1;
  }
}

export const LOAD_TOOL = process.env.BENCH_LOAD_TOOL ?? (hasWrk() ? "wrk" : "autocannon");

function ms(text: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text.trim());
  if (!m) return Number.NaN;
  const v = Number(m[1]);
  return m[2] === "us" ? v / 1000 : m[2] === "s" ? v * 1000 : v;
}

async function wrk(spec: LoadSpec): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), "brook-wrk-"));
  const script = join(dir, "bodies.lua");
  const bodies = spec.bodies.map((b) => `[==[${b}]==]`).join(",\n");
  writeFileSync(
    script,
    `local bodies = {${bodies}}
local i = 0
request = function()
  i = i % #bodies + 1
  return wrk.format("${spec.method}", nil, {["Content-Type"] = "application/json"}, bodies[i])
end
`,
  );
  try {
    const out = await new Promise<string>((resolve, reject) => {
      execFile(
        "wrk",
        ["-t1", `-c${spec.connections}`, `-d${spec.seconds}s`, "--latency", "-s", script, spec.url],
        { timeout: (spec.seconds + 30) * 1000 },
        (err, stdout) => (err ? reject(err) : resolve(stdout)),
      );
    });
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN);
    // The latency distribution lines ("     50%    0.91ms"), not the "+/- Stdev" column.
    const p50 = ms(/^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? "");
    const p99 = ms(/^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? "");
    const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
    const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
    const errors = non2xx + (socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
    return { rps, p50, p99, errors };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function cannon(spec: LoadSpec): Promise<LoadResult> {
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.seconds,
    requests: spec.bodies.map((body) => ({
      method: spec.method,
      headers: { "content-type": "application/json" },
      body,
    })),
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

export function load(spec: LoadSpec): Promise<LoadResult> {
  return LOAD_TOOL === "wrk" ? wrk(spec) : cannon(spec);
}
