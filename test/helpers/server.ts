/**
 * Starts a real Brook server for a test file: in this process (`--workers 1`), or, when
 * BROOK_TEST_WORKERS is above 1, as a `brook serve --workers N` cluster in a child process, so
 * that the same API suites run against both.
 */
import { type Config, kebab, loadConfig } from "../../src/config/config.js";
import { startBrook } from "../../src/server/start.js";
import { spawnServer } from "./process.js";

export interface TestServer {
  url: string;
  close(): Promise<void>;
}

type Overrides = Partial<Record<keyof Config, string | number>>;

export async function startTestServer(overrides: Overrides = {}): Promise<TestServer> {
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
