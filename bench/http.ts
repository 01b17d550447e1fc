/**
 * HTTP benchmarks. Every figure comes with a baseline measured in the same run:
 *
 * 1. Brook (one process) against a bare node:http server answering the same bytes (the ceiling)
 *    and a minimal node:http server doing the same model work with nothing else.
 * 2. Durable learning: `--fsync always` (and interval, never) against the in-memory store, at
 *    64 connections, and the disk used per logged example.
 * 3. Workers: `--workers 2` against `--workers 1` and against a bare node:http cluster of 2.
 * 4. Freshness: from a learn's acknowledgement to every worker predicting with it.
 * 5. Metrics: what `--prometheus on` (the default) costs predict and learn against `off`.
 *
 * Servers run in their own processes; the load generator (wrk or autocannon) in another. On a
 * 2-core machine they all share the same two cores.
 */
import { Agent, request } from "node:http";
import { join } from "node:path";
import { featuresText } from "../src/codec/events.js";
import { loadStream } from "../src/data/datasets.js";
import { LOAD_TOOL, type LoadResult, load } from "./load.js";
import { type Child, startBrookServer, startReference } from "./servers/spawn.js";
import { fmt, table } from "./table.js";

const rows = loadStream("phishing").rows.slice(0, 100);
const PREDICT = "/v1/models/default/predict";
const LEARN = "/v1/models/default/learn";
const predictBodies = rows.map((r) => `{"x":${featuresText(r.x)}}`);
const learnBodies = rows.map((r) => `{"x":${featuresText(r.x)},"y":${JSON.stringify(r.y)}}`);

async function run(url: string, bodies: string[], connections: number, seconds: number): Promise<LoadResult> {
  await load({ url, method: "POST", bodies, connections, seconds: 1 }); // warm-up
  return load({ url, method: "POST", bodies, connections, seconds });
}

const rate = (r: LoadResult) => fmt(r.rps);
const lat = (r: LoadResult) => `${r.p50.toFixed(2)} / ${r.p99.toFixed(2)}`;
const pct = (a: number, b: number) => `${fmt((100 * a) / b, 1)} %`;

/** Brook's answers to the first body of each route: the bare servers answer these bytes. */
async function capture(brook: Child): Promise<string> {
  const responses: Record<string, { type: string; body: string }> = {};
  for (const [path, body] of [
    [PREDICT, predictBodies[0]!],
    [LEARN, learnBodies[0]!],
  ] as const) {
    const res = await fetch(brook.url + path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    responses[path] = { type: res.headers.get("content-type") ?? "application/json", body: await res.text() };
  }
  return JSON.stringify(responses);
}

/**
 * BENCH_BEFORE=<another checkout with a build>: that Brook is measured in the same run too, for
 * a before/after of a change (e.g. `git worktree add ../before HEAD~3 && (cd ../before && npm ci)`).
 */
const BEFORE = process.env.BENCH_BEFORE;

async function single(seconds: number): Promise<string> {
  const brook = await startBrookServer(["--store", "memory"]);
  const responses = await capture(brook);
  const fastify = await startBrookServer(["--store", "memory", "--http-dispatch", "fastify"]);
  const before = BEFORE ? await startBrookServer(["--store", "memory"], 1, BEFORE) : undefined;
  const bare = await startReference("bare-http.mjs", { BARE_RESPONSES: responses });
  const minimal = await startReference("minimal.mjs");
  const out: (string | number)[][] = [];
  try {
    for (const [route, path, bodies] of [
      ["predict", PREDICT, predictBodies],
      ["learn", LEARN, learnBodies],
    ] as const) {
      for (const c of [1, 16, 64]) {
        const b = await run(brook.url + path, [...bodies], c, seconds);
        const f = await run(fastify.url + path, [...bodies], c, seconds);
        const old = before ? await run(before.url + path, [...bodies], c, seconds) : undefined;
        const m = await run(minimal.url + path, [...bodies], c, seconds);
        const x = await run(bare.url + path, [...bodies], c, seconds);
        out.push([
          route,
          c,
          rate(b),
          lat(b),
          rate(f),
          pct(b.rps, f.rps),
          ...(old ? [rate(old), pct(b.rps, old.rps)] : []),
          rate(m),
          rate(x),
          pct(b.rps, x.rps),
          pct(b.rps, m.rps),
          b.errors + f.errors,
        ]);
      }
    }
  } finally {
    await Promise.all([brook.stop(), fastify.stop(), before?.stop(), bare.stop(), minimal.stop()]);
  }
  return [
    `1. One Brook process (--workers 1, in-memory store): the hot routes on the lean dispatcher (default) and on`,
    `   Fastify (--http-dispatch fastify), both from the same route table${BEFORE ? `; the build in ${BEFORE} (before)` : ""};`,
    `   a bare node:http server parsing the same JSON and answering the same bytes (the ceiling), and a minimal`,
    `   node:http server doing the same model work without validation, log or metrics (${seconds} s runs)`,
    table(
      [
        "route",
        "conns",
        "lean req/s",
        "p50/p99 ms",
        "Fastify req/s",
        "lean/Fastify",
        ...(BEFORE ? ["before req/s", "after/before"] : []),
        "minimal req/s",
        "bare req/s",
        "lean/bare",
        "lean/minimal",
        "errors",
      ],
      out,
    ),
  ].join("\n");
}

async function durable(seconds: number): Promise<string> {
  const out: (string | number)[][] = [];
  let memoryRps = 0;
  let bytesPerEvent = "";
  for (const [label, flags] of [
    ["memory (baseline)", ["--store", "memory"]],
    ["file, --fsync always", ["--fsync", "always"]],
    ["file, --fsync interval", ["--fsync", "interval"]],
    ["file, --fsync never", ["--fsync", "never"]],
  ] as const) {
    const brook = await startBrookServer([...flags, "--checkpoint-every", "1000000000"]);
    try {
      const r = await run(brook.url + LEARN, learnBodies, 64, seconds);
      if (label.startsWith("memory")) memoryRps = r.rps;
      out.push([label, rate(r), lat(r), pct(r.rps, memoryRps), r.errors]);
      if (label === "file, --fsync always") {
        const info = (await (await fetch(`${brook.url}/v1/models/default`)).json()) as { seq: number };
        const { FileEventLog } = await import("../src/store/file/segmented-log.js");
        const log = await FileEventLog.open(join(brook.dataDir, "models", "default", "log"), {
          fsync: "never",
          fsyncIntervalMs: 100,
          segmentBytes: 64 * 1024 * 1024,
        });
        bytesPerEvent = `${fmt(log.diskBytes() / info.seq, 1)} bytes per logged Phishing example (${fmt(info.seq)} events, record framing included)`;
        await log.close();
      }
    } finally {
      await brook.stop();
    }
  }
  return [
    `2. Durable learning, POST ${LEARN} at 64 connections (${seconds} s runs); target: fsync always >= 50 % of memory`,
    table(["store", "learn req/s", "p50/p99 ms", "vs memory", "errors"], out),
    `Disk: ${bytesPerEvent}`,
  ].join("\n");
}

async function workers(seconds: number): Promise<string> {
  const out: (string | number)[][] = [];
  const one = await startBrookServer(["--store", "memory"], 1);
  const responses = await capture(one);
  const results: Record<string, LoadResult> = {};
  try {
    results.p1 = await run(one.url + PREDICT, predictBodies, 64, seconds);
    results.l1 = await run(one.url + LEARN, learnBodies, 64, seconds);
  } finally {
    await one.stop();
  }
  const two = await startBrookServer(["--store", "memory"], 2);
  try {
    results.p2 = await run(two.url + PREDICT, predictBodies, 64, seconds);
    results.l2 = await run(two.url + LEARN, learnBodies, 64, seconds);
  } finally {
    await two.stop();
  }
  const bare = await startReference("bare-http.mjs", { BARE_RESPONSES: responses }, 2);
  try {
    results.b2 = await run(bare.url + PREDICT, predictBodies, 64, seconds);
  } finally {
    await bare.stop();
  }
  const { p1, p2, l1, l2, b2 } = results as Record<string, LoadResult>;
  out.push([
    "predict",
    rate(p1!),
    rate(p2!),
    `${fmt(p2!.rps / p1!.rps, 2)}× (target >= 1.35×)`,
    rate(b2!),
    `${pct(p2!.rps, b2!.rps)} (target >= 85 %)`,
  ]);
  out.push(["learn", rate(l1!), rate(l2!), `${fmt(l2!.rps / l1!.rps, 2)}× (target >= 1.00×)`, "", ""]);
  return [
    `3. Workers, 64 connections, in-memory store (${seconds} s runs)`,
    table(
      [
        "route",
        "--workers 1 req/s",
        "--workers 2 req/s",
        "2 vs 1",
        "bare cluster of 2 req/s",
        "workers 2 vs bare",
      ],
      out,
    ),
  ].join("\n");
}

/**
 * What the Prometheus instrumentation costs the hot routes: one process with `--prometheus on`
 * (the default: per-route counts and latencies, per-model counters) against `--prometheus off`,
 * the two servers measured alternately in the same run. Target: at most 5 % slower.
 */
async function metricsCost(seconds: number): Promise<string> {
  const on = await startBrookServer(["--store", "memory", "--prometheus", "on"]);
  const off = await startBrookServer(["--store", "memory", "--prometheus", "off"]);
  const out: (string | number)[][] = [];
  try {
    for (const [route, path, bodies] of [
      ["predict", PREDICT, predictBodies],
      ["learn", LEARN, learnBodies],
    ] as const) {
      for (const c of [16, 64]) {
        const a = await run(on.url + path, [...bodies], c, seconds);
        const b = await run(off.url + path, [...bodies], c, seconds);
        out.push([route, c, rate(a), rate(b), pct(a.rps, b.rps), a.errors + b.errors]);
      }
    }
  } finally {
    await Promise.all([on.stop(), off.stop()]);
  }
  return [
    `5. Prometheus instrumentation, one process, in-memory store (${seconds} s runs); target: on >= 95 % of off`,
    table(["route", "conns", "--prometheus on req/s", "off req/s", "on/off", "errors"], out),
  ].join("\n");
}

/** A POST on a pinned keep-alive connection. */
function post(agent: Agent, url: string, path: string, body: string): Promise<{ worker: string; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url + path,
      { method: "POST", agent, headers: { "content-type": "application/json" } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => {
          text += d;
        });
        res.on("end", () =>
          resolve({ worker: String(res.headers["x-brook-worker"]), json: JSON.parse(text) }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function freshness(seconds: number): Promise<string> {
  const brook = await startBrookServer(["--store", "memory"], 2);
  const out: (string | number)[][] = [];
  try {
    // One keep-alive connection per worker: the cluster gives a connection to one worker for its life.
    const pinned = new Map<string, Agent>();
    for (let i = 0; i < 40 && pinned.size < 2; i++) {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const r = await post(agent, brook.url, PREDICT, predictBodies[0]!);
      if (!pinned.has(r.worker)) pinned.set(r.worker, agent);
      else agent.destroy();
    }
    const agents = [...pinned.values()];
    // Per sample: the learn goes through one worker; right after its answer, both workers are
    // asked to predict with min_version. The worker that took the learn already has the version
    // (the writer sends events before answers), so its time is a plain predict round trip: the
    // other worker's time minus it is what replication adds.
    const measure = async (n: number) => {
      const own: number[] = [];
      const other: number[] = [];
      for (let i = 0; i < n; i++) {
        const learner = agents[i % agents.length]!;
        const follower = agents[(i + 1) % agents.length]!;
        const { json } = await post(learner, brook.url, LEARN, learnBodies[i % learnBodies.length]!);
        const body = `{"x":${featuresText(rows[0]!.x)},"min_version":${json.version}}`;
        const t0 = performance.now();
        await Promise.all([
          post(learner, brook.url, PREDICT, body).then(() => own.push(performance.now() - t0)),
          post(follower, brook.url, PREDICT, body).then(() => other.push(performance.now() - t0)),
        ]);
      }
      return { own: own.sort((a, b) => a - b), other: other.sort((a, b) => a - b) };
    };
    const row = (label: string, r: { own: number[]; other: number[] }) => [
      label,
      `${fmt(percentile(r.other, 50), 3)} / ${fmt(percentile(r.other, 99), 3)}`,
      `${fmt(percentile(r.own, 50), 3)} / ${fmt(percentile(r.own, 99), 3)}`,
    ];
    out.push(row("light (one client)", await measure(1000)));
    const background = Promise.all([
      load({ url: brook.url + PREDICT, method: "POST", bodies: predictBodies, connections: 32, seconds }),
      load({ url: brook.url + LEARN, method: "POST", bodies: learnBodies, connections: 32, seconds }),
    ]);
    await new Promise((r) => setTimeout(r, 500));
    out.push(row("full (64 connections of predict + learn)", await measure(300)));
    await background;
    for (const a of agents) a.destroy();
  } finally {
    await brook.stop();
  }
  return [
    "4. Freshness with --workers 2: from a learn's acknowledgement until the other worker answers a predict",
    "   with min_version = that version, next to the worker that took the learn (a plain predict round trip:",
    "   the difference is what replication adds); target p99 <= 2 ms under light load",
    table(["load", "other worker p50 / p99 ms", "same worker p50 / p99 ms"], out),
  ].join("\n");
}

export async function runHttp(seconds: number, sections: (name: string) => boolean): Promise<string> {
  const parts = [`HTTP benchmarks (load generator: ${LOAD_TOOL})`];
  if (sections("single")) parts.push(await single(seconds));
  if (sections("durable")) parts.push(await durable(seconds));
  if (sections("workers")) parts.push(await workers(seconds));
  if (sections("freshness")) parts.push(await freshness(seconds));
  if (sections("metrics")) parts.push(await metricsCost(seconds));
  return parts.join("\n\n");
}
