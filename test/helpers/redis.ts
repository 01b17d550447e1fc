/**
 * Redis for tests: the shared one on 127.0.0.1:6379 (each test under a key prefix of its own,
 * deleted afterwards), or a `redis-server` of the test's own on a free port (to stop, restart or
 * configure it: AOF, no persistence), stopped by its PID.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort } from "./process.js";

/** The shared test Redis (BROOK_TEST_REDIS_URL overrides it). */
export const SHARED_REDIS = process.env.BROOK_TEST_REDIS_URL ?? "redis://127.0.0.1:6379/0";

/** A key prefix no other test uses. */
export function testPrefix(what: string): string {
  return `brook-test:${what}:${randomUUID().slice(0, 8)}:`;
}

/** Deletes every key under `prefix` in the Redis at `url`. */
export async function dropPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

/** A client of `url` for a test to look at what Brook stored. */
export function testClient(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1 });
}

export interface OwnRedis {
  url: string;
  port: number;
  dir: string;
  /** Stops it: SIGTERM (a clean shutdown, which rewrites nothing with AOF) or SIGKILL. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and folder (AOF files and all). */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  remove(): Promise<void>;
}

/**
 * A `redis-server` of the test's own, in a fresh folder. `args` are its settings, e.g.
 * `["--appendonly", "yes", "--appendfsync", "always"]`; by default nothing is persisted.
 */
export async function ownRedis(args: string[] = ["--save", "", "--appendonly", "no"]): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "brook-redis-"));
  let child: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${port}/0`;
  const start = async () => {
    const proc = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, ...args],
      {
        stdio: "ignore",
      },
    );
    child = proc;
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`redis-server exited with ${proc.exitCode}`);
      const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on("error", () => {});
      try {
        await probe.connect();
        // With AOF, Redis answers LOADING while it replays the file.
        if ((await probe.ping()) === "PONG") return;
      } catch {
        // not up yet
      } finally {
        probe.disconnect();
      }
      if (Date.now() > deadline) throw new Error("redis-server did not start");
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = (signal: NodeJS.Signals = "SIGTERM") =>
    new Promise<void>((resolve) => {
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once("exit", () => resolve());
      proc.kill(signal);
    });
  await start();
  return {
    url,
    port,
    dir,
    stop,
    start,
    remove: async () => {
      await stop("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
