/**
 * Restart time: a model with 1,000,000 logged examples and a checkpoint every 100,000 (so the
 * newest checkpoint is at 1,000,000 - up to 100,000 events are replayed; here the log is
 * stopped 99,999 events after the last checkpoint, the worst case). Measured two ways, in the
 * same run: recovery in process (open the engine), and `brook serve` from its start until it
 * answers /readyz, next to the same server starting on an empty data folder (the baseline).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config/config.js";
import { loadStream } from "../src/data/datasets.js";
import type { LearnItem } from "../src/models/writer.js";
import { Engine } from "../src/runtime/engine.js";
import { engineOptions, storageFor } from "../src/runtime/open.js";
import { freePort, ROOT } from "../test/helpers/process.js";
import { fmt, table } from "./table.js";

function configFor(dataDir: string) {
  return loadConfig(
    { dataDir, logLevel: "silent", checkpointEvery: 100_000, checkpointInterval: 86_400, fsync: "never" },
    {},
  );
}

async function fill(dataDir: string, events: number): Promise<number> {
  const config = configFor(dataDir);
  const engine = await Engine.open(storageFor(config), engineOptions(config));
  const writer = engine.writer("default");
  const rows = loadStream("phishing").rows;
  const t0 = performance.now();
  for (let done = 0; done < events; ) {
    const n = Math.min(1000, events - done);
    const items: LearnItem[] = [];
    for (let i = 0; i < n; i++) {
      const r = rows[(done + i) % rows.length]!;
      items.push({ x: r.x, y: r.y });
    }
    await writer.learn(items);
    done += n;
  }
  const seconds = (performance.now() - t0) / 1000;
  await engine.close({ checkpoint: false });
  return seconds;
}

async function recoverInProcess(dataDir: string): Promise<{ ms: number; version: number }> {
  const config = configFor(dataDir);
  const t0 = performance.now();
  const engine = await Engine.open(storageFor(config), engineOptions(config));
  const ms = performance.now() - t0;
  const version = engine.writer("default").model.version;
  await engine.close({ checkpoint: false });
  return { ms, version };
}

async function serveUntilReady(dataDir: string): Promise<number> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [
      join(ROOT, "dist/cli/main.js"),
      "serve",
      "--port",
      String(port),
      "--host",
      "127.0.0.1",
      "--workers",
      "1",
      "--data-dir",
      dataDir,
      "--log-level",
      "warn",
      "--checkpoint-every",
      "100000",
    ],
    {
      stdio: "ignore",
    },
  );
  try {
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        if (res.ok) return performance.now() - t0;
      } catch {
        await new Promise((r) => setTimeout(r, 5));
      }
      if (child.exitCode !== null) throw new Error("brook serve exited");
    }
  } finally {
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGKILL");
    });
  }
}

export async function runRestart(events = 1_000_000): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), "brook-restart-"));
  const empty = mkdtempSync(join(tmpdir(), "brook-restart-empty-"));
  try {
    const fillSeconds = await fill(dataDir, events - 1);
    const rec = await recoverInProcess(dataDir);
    const serve = await serveUntilReady(dataDir);
    const baseline = await serveUntilReady(empty);
    return [
      `Restart with ${fmt(events - 1)} logged events, a checkpoint every 100,000 (99,999 events to replay after the newest)`,
      table(
        ["measure", "ms"],
        [
          ["recovery in process (checkpoint + log tail)", fmt(rec.ms, 0)],
          ["brook serve until /readyz", fmt(serve, 0)],
          ["brook serve until /readyz, empty data folder (baseline)", fmt(baseline, 0)],
        ],
      ),
      `(writing the log took ${fmt(fillSeconds, 1)} s in process; recovered version ${fmt(rec.version)}; target: ready in < 2 s)`,
    ].join("\n");
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(empty, { recursive: true, force: true });
  }
}
