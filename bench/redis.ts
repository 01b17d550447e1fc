/**
 * `npm run bench -- redis`: Brook nodes on Redis, each figure next to its baseline in the same
 * run, on a redis-server of the bench's own (no persistence; a free port):
 *
 * 1. Cross-node freshness: a learn acknowledged by node A → node B answers a predict with
 *    min_version = that version; p50/p99, next to node A's own predict round trip.
 * 2. Learn requests/s at 64 connections through Redis vs the embedded store (files, fsync
 *    always; and memory).
 * 3. Predict requests/s at 64 connections on a serve node vs the embedded single node.
 * 4. Catch-up: events/s a fresh node replays from the stream (in this process, no HTTP).
 */
import { execFileSync } from "node:child_process";
import { Agent, request } from "node:http";
import { decodeRecord, featuresText } from "../src/codec/events.js";
import { loadStream } from "../src/data/datasets.js";
import { applyEvent } from "../src/models/apply.js";
import { emptyState } from "../src/models/recovery.js";
import { RedisNode } from "../src/runtime/redis/node.js";
import { appendChecked } from "../src/store/redis/append.js";
import { parseRedisUrl } from "../src/store/redis/connection.js";
import { readEntries, recordSuffix } from "../src/store/redis/log.js";
import { RedisStorage } from "../src/store/redis/storage.js";
import { ownRedis } from "../test/helpers/redis.js";
import { type LoadResult, load } from "./load.js";
import { type Child, startBrookServer } from "./servers/spawn.js";
import { fmt, table } from "./table.js";

const rows = loadStream("phishing").rows.slice(0, 100);
const PREDICT = "/v1/models/default/predict";
const LEARN = "/v1/models/default/learn";
const predictBodies = rows.map((r) => `{"x":${featuresText(r.x)}}`);
const learnBodies = rows.map((r) => `{"x":${featuresText(r.x)},"y":${JSON.stringify(r.y)}}`);
const rate = (r: LoadResult) => fmt(r.rps);
const lat = (r: LoadResult) => `${r.p50.toFixed(2)} / ${r.p99.toFixed(2)}`;
const pct = (a: number, b: number) => `${fmt((100 * a) / b, 1)} %`;

function hasRedisServer(): boolean {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

async function run(url: string, bodies: string[], seconds: number): Promise<LoadResult> {
  await load({ url, method: "POST", bodies, connections: 64, seconds: 1 }); // warm-up
  return load({ url, method: "POST", bodies, connections: 64, seconds });
}

function post(agent: Agent, url: string, body: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: "POST", agent, headers: { "content-type": "application/json" } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => {
          text += d;
        });
        res.on("end", () => resolve(JSON.parse(text)));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

const node = (url: string, prefix: string, role: string, extra: string[] = []) =>
  startBrookServer([
    "--store",
    url,
    "--redis-prefix",
    prefix,
    "--role",
    role,
    "--checkpoint-every",
    "1000000000",
    ...extra,
  ]);

async function freshness(url: string, samples: number): Promise<string> {
  const a = await node(url, "bench-fresh:", "all");
  const b = await node(url, "bench-fresh:", "serve");
  try {
    const agentA = new Agent({ keepAlive: true, maxSockets: 1 });
    const agentB = new Agent({ keepAlive: true, maxSockets: 1 });
    const other: number[] = [];
    const own: number[] = [];
    for (let i = 0; i < samples; i++) {
      const ack = await post(agentA, a.url + LEARN, learnBodies[i % learnBodies.length]!);
      const body = `{"x":${featuresText(rows[0]!.x)},"min_version":${ack.version}}`;
      const t0 = performance.now();
      await Promise.all([
        post(agentB, b.url + PREDICT, body).then(() => other.push(performance.now() - t0)),
        post(agentA, a.url + PREDICT, body).then(() => own.push(performance.now() - t0)),
      ]);
    }
    agentA.destroy();
    agentB.destroy();
    other.sort((x, y) => x - y);
    own.sort((x, y) => x - y);
    return [
      "1. Cross-node freshness: learn acknowledged by node A (role all) → node B (role serve) answers a predict",
      `   with min_version = that version, next to node A's own predict round trip (${samples} samples, one client);`,
      "   target p99 <= 5 ms on loopback under light load",
      table(
        ["", "p50 ms", "p99 ms"],
        [
          ["node B (the other node)", fmt(percentile(other, 50), 3), fmt(percentile(other, 99), 3)],
          ["node A (the learn's own node)", fmt(percentile(own, 50), 3), fmt(percentile(own, 99), 3)],
        ],
      ),
    ].join("\n");
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
}

async function throughput(url: string, seconds: number): Promise<string> {
  const out: (string | number)[][] = [];
  const measure = async (label: string, start: () => Promise<Child>, path: string, bodies: string[]) => {
    const s = await start();
    try {
      const r = await run(s.url + path, bodies, seconds);
      return { label, r };
    } finally {
      await s.stop();
    }
  };
  const fileLearn = await measure(
    "embedded, file store, --fsync always",
    () => startBrookServer(["--workers", "1"]),
    LEARN,
    learnBodies,
  );
  const memLearn = await measure(
    "embedded, memory store",
    () => startBrookServer(["--store", "memory", "--checkpoint-every", "1000000000"]),
    LEARN,
    learnBodies,
  );
  const redisLearn = await measure(
    "Redis node (role all)",
    () => node(url, "bench-learn:", "all"),
    LEARN,
    learnBodies,
  );
  for (const m of [fileLearn, memLearn, redisLearn])
    out.push(["learn", m.label, rate(m.r), lat(m.r), pct(m.r.rps, fileLearn.r.rps), m.r.errors]);
  const embeddedPredict = await measure(
    "embedded single node, memory store",
    () => startBrookServer(["--store", "memory"]),
    PREDICT,
    predictBodies,
  );
  let servePredict: { label: string; r: LoadResult };
  const holder = await node(url, "bench-predict:", "learn");
  try {
    servePredict = await measure(
      "Redis serve node",
      () => node(url, "bench-predict:", "serve"),
      PREDICT,
      predictBodies,
    );
  } finally {
    await holder.stop();
  }
  for (const m of [embeddedPredict, servePredict])
    out.push(["predict", m.label, rate(m.r), lat(m.r), pct(m.r.rps, embeddedPredict.r.rps), m.r.errors]);
  return [
    `2-3. Learn and predict at 64 connections, one process each (--workers 1), ${seconds} s runs; targets: learn`,
    "   through Redis >= 70 % of the embedded store (file, fsync always), predict on a serve node >= 95 % of the",
    "   embedded single node (predictions never touch Redis)",
    table(["route", "server", "req/s", "p50/p99 ms", "vs first of its route", "errors"], out),
  ].join("\n");
}

async function catchUp(url: string, events: number): Promise<string> {
  const prefix = "bench-catchup:";
  const target = parseRedisUrl(url);
  const storage = await RedisStorage.open(target, prefix, "bench");
  const record = {
    name: "default",
    spec: "StandardScaler | LogisticRegression",
    metrics: ["ROCAUC"],
    createdAt: new Date().toISOString(),
  };
  const created = await storage.createModel(record);
  if (!created.created) throw new Error("the catch-up prefix is not empty");
  const keys = storage.keys.model("default", created.gen);
  const batch = 500;
  const filled = performance.now();
  for (let i = 0; i < events; i += batch) {
    const now = Date.now();
    const items = Array.from({ length: Math.min(batch, events - i) }, (_, k) => {
      const row = rows[(i + k) % rows.length]!;
      return { kind: "l" as const, suffix: recordSuffix({ type: "learn", x: row.x, y: row.y, at: now }) };
    });
    const r = await appendChecked(storage.redis, keys, {
      gen: created.gen,
      now,
      items,
      eventIdCapacity: 1,
      pendingCapacity: 1,
      graceMs: 0,
    });
    if (!r.ok) throw new Error(`append refused: ${r.why}`);
  }
  const fillSeconds = (performance.now() - filled) / 1000;
  await storage.close();
  const logger = { info() {}, warn() {}, error() {} };
  const started = performance.now();
  const fresh = await RedisNode.start({
    target,
    prefix,
    role: "serve",
    pendingTtlMs: 86_400_000,
    pendingCapacity: 100_000,
    eventIdCapacity: 100_000,
    checkpointEvery: 1e9,
    checkpointIntervalMs: 3_600_000,
    checkpointKeep: 5,
    leaseTtlMs: 10_000,
    backup: undefined,
    backupIntervalMs: 300_000,
    backupKeep: 5,
    defaultModel: { name: "default", spec: record.spec, metrics: record.metrics },
    logger,
  });
  const seconds = (performance.now() - started) / 1000;
  const seq = fresh.served("default").follower.seq;
  await fresh.close({ checkpoint: false });
  // The same work split in two: reading the stream alone, and decoding + applying without Redis
  // (what the embedded store's recovery does with the same records).
  const reader = await RedisStorage.open(target, prefix, "bench");
  const records: Buffer[] = [];
  const read0 = performance.now();
  for (let from = 1; from <= seq; ) {
    const batchRead = await readEntries(reader.redis, keys.stream, from, 1000);
    for (const e of batchRead) records.push(e.record);
    from = batchRead.at(-1)!.seq + 1;
  }
  const readSeconds = (performance.now() - read0) / 1000;
  await reader.close();
  const apply0 = performance.now();
  const state = emptyState(record, { pendingCapacity: 100_000, eventIdCapacity: 100_000 });
  for (const r of records)
    applyEvent(state, decodeRecord(r), () => {
      throw new Error("no rollback here");
    });
  const applySeconds = (performance.now() - apply0) / 1000;
  return [
    `4. Catch-up of a fresh node (no checkpoint): ${fmt(seq)} Phishing learn events replayed from the stream`,
    "   (XRANGE batches read ahead, decode, apply), in this process; target >= 200,000 events/s; then the",
    "   same work split: reading the stream alone, and decode + apply without Redis (the embedded recovery's work)",
    table(
      ["what", "seconds", "events/s"],
      [
        ["fresh node: read + decode + apply", fmt(seconds, 2), fmt(seq / seconds)],
        ["read the stream only", fmt(readSeconds, 2), fmt(seq / readSeconds)],
        ["decode + apply only", fmt(applySeconds, 2), fmt(seq / applySeconds)],
      ],
    ),
    `   (filling the stream with ${fmt(seq)} events in appends of 500 took ${fmt(fillSeconds, 2)} s)`,
  ].join("\n");
}

/** `sections`: which of redis-freshness, redis-throughput, redis-catchup to run. */
export async function runRedis(
  seconds: number,
  sections: (name: string) => boolean = () => true,
): Promise<string> {
  if (!hasRedisServer()) return "Redis benchmarks skipped: redis-server is not installed";
  const redis = await ownRedis();
  try {
    const parts = [`Redis benchmarks (a redis-server of their own on port ${redis.port}, no persistence)`];
    if (sections("redis-freshness"))
      parts.push(await freshness(redis.url, Number(process.env.BENCH_FRESHNESS_SAMPLES ?? 1000)));
    if (sections("redis-throughput")) parts.push(await throughput(redis.url, seconds));
    if (sections("redis-catchup"))
      parts.push(await catchUp(redis.url, Number(process.env.BENCH_CATCHUP_EVENTS ?? 200_000)));
    return parts.join("\n\n");
  } finally {
    await redis.remove();
  }
}
