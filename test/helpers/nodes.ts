/**
 * Brook nodes of the Redis topology for tests: `brook serve --store redis://... --workers 1`
 * child processes on their own ports, under one key prefix, started and stopped by PID.
 */
import { Agent, request } from "node:http";
import { decodeRecord } from "../../src/codec/events.js";
import { applyEvent } from "../../src/models/apply.js";
import { emptyState, type StateLimits } from "../../src/models/recovery.js";
import type { ModelRecord } from "../../src/store/ports.js";
import { KeySpace } from "../../src/store/redis/keys.js";
import { type ServerProcess, spawnServer } from "./process.js";
import { testClient } from "./redis.js";

export interface TestNode extends ServerProcess {
  /** The node's id, as its answers' `x-brook-node` header says. */
  id: string;
  role: string;
}

/** Starts a node; resolves once it is ready (every model loaded). */
export async function startNode(
  redisUrl: string,
  prefix: string,
  role: "all" | "serve" | "learn" = "all",
  flags: string[] = [],
  env: Record<string, string> = {},
): Promise<TestNode> {
  const server = await spawnServer(
    ["--store", redisUrl, "--redis-prefix", prefix, "--role", role, "--workers", "1", ...flags],
    env,
  );
  const res = await fetch(`${server.url}/healthz`);
  await res.arrayBuffer();
  return { ...server, id: res.headers.get("x-brook-node") ?? "", role };
}

/** Stops a node gracefully (SIGTERM) and waits for it to exit; its exit code. */
export async function stopNode(node: ServerProcess): Promise<number | null> {
  if (node.child.exitCode !== null || node.child.signalCode !== null) return node.child.exitCode;
  node.child.kill("SIGTERM");
  return node.exited();
}

/** kill -9. */
export async function killNode(node: ServerProcess): Promise<void> {
  if (node.child.exitCode !== null || node.child.signalCode !== null) return;
  node.child.kill("SIGKILL");
  await node.exited();
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** A JSON request on a kept-alive connection; status, headers and body. */
export function send(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{
  status: number;
  body: any;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      base + path,
      {
        method,
        agent,
        headers:
          payload === undefined
            ? {}
            : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => {
          text += d;
        });
        res.on("end", () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, text, headers: res.headers });
        });
      },
    );
    req.on("error", reject);
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.end(payload);
  });
}

/** The settings the replay uses: the server's defaults. */
export const DEFAULT_LIMITS: StateLimits = {
  pendingCapacity: 100_000,
  eventIdCapacity: 100_000,
  history: { every: 10, capacity: 1000 },
};

/**
 * A model rebuilt in this process by a sequential replay of its whole stream in Redis (from its
 * creation record), as its export's JSON text.
 */
export async function replayExport(
  redisUrl: string,
  prefix: string,
  model: string,
): Promise<{ text: string; seq: number }> {
  const redis = testClient(redisUrl);
  try {
    const keys = new KeySpace(prefix);
    const record = JSON.parse((await redis.hget(keys.registry, model))!) as ModelRecord;
    const gen = Number(await redis.hget(keys.model(model, 0).meta, "gen"));
    const entries = (await redis.xrangeBuffer(keys.model(model, gen).stream, "-", "+")) as [
      Buffer,
      Buffer[],
    ][];
    const state = emptyState(record, DEFAULT_LIMITS);
    for (const [, fields] of entries) {
      const stored = decodeRecord(fields[fields.indexOf(fields.find((f) => f.toString() === "r")!) + 1]!);
      applyEvent(state, stored, () => {
        throw new Error("no rollback in this replay");
      });
    }
    return { text: JSON.stringify(state.model.export()), seq: state.model.seq };
  } finally {
    redis.disconnect();
  }
}
