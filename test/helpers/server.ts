/**
 * Starts a real Brook server for a test file: in this process (`--workers 1`), or, when
 * BROOK_TEST_WORKERS is above 1, as a `brook serve --workers N` cluster in a child process, or,
 * when BROOK_TEST_REDIS is set, as a Redis node in this process (the shared test Redis, under a
 * key prefix of its own), so that the same API suites run against all three.
 */
import { createHash } from "node:crypto";
import { type Config, kebab, loadConfig } from "../../src/config/config.js";
import { startBrook, startRedisBrook } from "../../src/server/start.js";
import { spawnServer } from "./process.js";
import { dropPrefix, SHARED_REDIS, testPrefix } from "./redis.js";

export interface TestServer {
  url: string;
  close(): Promise<void>;
}

type Overrides = Partial<Record<keyof Config, string | number>>;

/** Prefixes of durable test servers (kept across their restarts), deleted when the test process ends. */
const durablePrefixes = new Set<string>();
process.once("beforeExit", () => {
  for (const p of durablePrefixes) void dropPrefix(SHARED_REDIS, p);
  durablePrefixes.clear();
});

/**
 * A Redis node for a suite: a fresh prefix, or, for a "file store" test that restarts its
 * server on the same data folder, a prefix made from that folder (the same data comes back).
 */
async function startRedisTestServer(settings: Overrides): Promise<TestServer> {
  const durable = settings.store === "file" && settings.dataDir !== undefined;
  const prefix = durable
    ? `brook-test:dir-${createHash("sha1").update(String(settings.dataDir)).digest("hex").slice(0, 12)}:`
    : testPrefix("suite");
  if (durable) durablePrefixes.add(prefix);
  const { store: _store, dataDir: _dir, ...rest } = settings;
  const config = loadConfig(
    { ...rest, store: SHARED_REDIS, redisPrefix: prefix, role: "all", port: 0, workers: 1, leaseTtlMs: 2000 },
    {},
  );
  const brook = await startRedisBrook(config);
  return {
    url: brook.url,
    close: async () => {
      await brook.close();
      if (!durable) await dropPrefix(SHARED_REDIS, prefix);
    },
  };
}

export async function startTestServer(overrides: Overrides = {}): Promise<TestServer> {
  if (process.env.BROOK_TEST_REDIS) {
    return startRedisTestServer({ host: "127.0.0.1", logLevel: "silent", ...overrides });
  }
  const workers = Number(process.env.BROOK_TEST_WORKERS ?? 1);
  const settings: Overrides = { host: "127.0.0.1", logLevel: "silent", store: "memory", ...overrides };
  if (workers <= 1) {
    const brook = await startBrook(loadConfig({ ...settings, port: 0, workers: 1 }, {}));
    return { url: brook.url, close: () => brook.close() };
  }
  const flags = Object.entries({ ...settings, workers, logLevel: "warn" }).flatMap(([k, v]) => [
    `--${kebab(k)}`,
    String(v),
  ]);
  const server = await spawnServer(flags, {}, workers);
  return {
    url: server.url,
    close: async () => {
      server.child.kill("SIGTERM");
      const code = await server.exited();
      if (code !== 0) throw new Error(`brook serve exited with ${code}:\n${server.output()}`);
    },
  };
}

/** A JSON request; returns status, headers and the parsed body (or text when not JSON). */
export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; type: string; body: any; text: string; worker: string | null }> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] ??= "application/json";
  }
  const res = await fetch(base + path, init);
  const text = await res.text();
  const type = res.headers.get("content-type") ?? "";
  let parsed: unknown = text;
  if (type.includes("json")) parsed = JSON.parse(text);
  return { status: res.status, type, body: parsed, text, worker: res.headers.get("x-brook-worker") };
}
