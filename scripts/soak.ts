/**
 * Soak: holds a mixed load on a real `brook serve` for a set time and prints a row per interval
 * (a minute by default): the requests and errors of the interval, latency percentiles, the RSS
 * and open file descriptors of every server process (primary and workers, from /proc), and the
 * events the SSE clients received. The last lines compare the first and the last rows: memory
 * growth, descriptor growth, latency drift. Not a CI test: a measurement to read.
 *
 *   npm run build && npm run soak -- --minutes 10 [--workers 2] [--rate 200] [--sse 4] [--interval 60]
 *
 * The load: predictions remembered for a label that comes later (late labels, a few seconds
 * after), plain learns, batches, metrics reads, and SSE clients on the model's stream and the
 * event feed, reconnecting when cut. Linux only (/proc).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    workers: { type: "string", default: "2" },
    rate: { type: "string", default: "200" },
    sse: { type: "string", default: "4" },
    interval: { type: "string", default: "60" },
    concurrency: { type: "string", default: "8" },
  },
});
const minutes = Number(values.minutes);
const workers = Number(values.workers);
const rate = Number(values.rate);
const sseClients = Number(values.sse);
const intervalS = Number(values.interval);
const concurrency = Number(values.concurrency);

const root = new URL("..", import.meta.url).pathname;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

// ------------------------------------------------------------------ processes

/** The server's processes: the one started and its children (the cluster's workers). */
function serverPids(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    out.push(pid);
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(rootPid);
  return out;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

function fds(pid: number): { total: number; sockets: number } {
  let total = 0;
  let sockets = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    total++;
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith("socket:")) sockets++;
    } catch {
      // closed meanwhile
    }
  }
  return { total, sockets };
}

// ------------------------------------------------------------------ load

interface Interval {
  requests: number;
  errors: Map<string, number>;
  latencies: number[];
  sseEvents: number;
  sseReconnects: number;
  labelled: number;
}

function fresh(): Interval {
  return { requests: 0, errors: new Map(), latencies: [], sseEvents: 0, sseReconnects: 0, labelled: 0 };
}

let current = fresh();
let stopping = false;

async function timed(url: string, init: RequestInit): Promise<Response | undefined> {
  const started = performance.now();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
    await res.arrayBuffer();
    current.latencies.push(performance.now() - started);
    current.requests++;
    if (res.status >= 400) {
      const key = String(res.status);
      current.errors.set(key, (current.errors.get(key) ?? 0) + 1);
    }
    return res;
  } catch (err) {
    current.requests++;
    const key = (err as Error).name === "TimeoutError" ? "timeout" : "network";
    current.errors.set(key, (current.errors.get(key) ?? 0) + 1);
    return undefined;
  }
}

const json = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

function example(i: number): { x: Record<string, number>; y: boolean } {
  const a = Math.sin(i) * 3;
  const b = Math.cos(i * 0.7) * 2;
  return { x: { a, b, c: (i % 17) / 17 }, y: a + b > 0 };
}

/** Labels waiting to be sent: an id and when. */
const late: { id: string; y: boolean; at: number }[] = [];

async function loop(base: string, k: number, deadline: number): Promise<void> {
  const perLoopMs = (1000 * concurrency) / rate;
  let i = k * 1_000_000;
  while (!stopping && Date.now() < deadline) {
    const started = Date.now();
    i++;
    const r = i % 20;
    const ex = example(i);
    const due = late[0];
    if (due !== undefined && due.at <= Date.now()) {
      late.shift();
      const res = await timed(`${base}/v1/models/default/learn`, json({ id: due.id, y: due.y }));
      if (res?.ok) current.labelled++;
    } else if (r < 9) {
      const id = `p${k}-${i}`;
      const res = await timed(`${base}/v1/models/default/predict`, json({ x: ex.x, id }));
      // The label comes 2 to 6 seconds later (late labels).
      if (res?.ok) late.push({ id, y: ex.y, at: Date.now() + 2000 + (i % 5) * 1000 });
    } else if (r < 16) {
      await timed(`${base}/v1/models/default/learn`, json(ex));
    } else if (r < 18) {
      const instances = Array.from({ length: 20 }, (_, j) => example(i * 31 + j));
      await timed(`${base}/v1/models/default/learn`, json({ instances }));
    } else if (r < 19) {
      await timed(`${base}/v1/models/default/metrics`, { method: "GET" });
    } else {
      await timed(`${base}/v1/models/default/predict`, json({ instances: [example(i).x, example(i + 1).x] }));
    }
    const wait = perLoopMs - (Date.now() - started);
    if (wait > 0) await new Promise((res) => setTimeout(res, wait));
  }
}

/** An SSE client that counts events and reconnects when its stream ends. */
async function sse(url: string, deadline: number): Promise<void> {
  while (!stopping && Date.now() < deadline) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), Math.max(0, deadline - Date.now()));
    try {
      const res = await fetch(url, { signal: controller.signal });
      if (!res.ok || !res.body) {
        current.errors.set(`sse ${res.status}`, (current.errors.get(`sse ${res.status}`) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      const decoder = new TextDecoder();
      for await (const chunk of res.body) {
        const text = decoder.decode(chunk as Uint8Array, { stream: true });
        current.sseEvents += text.split("\n\n").filter((e) => /^(data|event):/m.test(e)).length;
      }
    } catch {
      // aborted at the deadline, or cut: reconnect below
    } finally {
      clearTimeout(timer);
    }
    if (!stopping && Date.now() < deadline) current.sseReconnects++;
  }
}

// ------------------------------------------------------------------ rows

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Row {
  minute: number;
  requests: number;
  errors: string;
  errorCount: number;
  p50: number;
  p99: number;
  rss: number[];
  fds: number[];
  sockets: number[];
  sse: number;
  reconnects: number;
  labelled: number;
  pending: number;
}

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "-");

function printRow(r: Row): void {
  console.log(
    [
      String(r.minute).padStart(4),
      String(r.requests).padStart(8),
      String(r.errorCount).padStart(6),
      f1(r.p50).padStart(7),
      f1(r.p99).padStart(7),
      r.rss
        .map((m) => m.toFixed(0))
        .join("/")
        .padStart(18),
      r.fds.join("/").padStart(12),
      r.sockets.join("/").padStart(12),
      String(r.sse).padStart(7),
      String(r.reconnects).padStart(5),
      String(r.labelled).padStart(8),
      String(r.pending).padStart(7),
      r.errors,
    ].join(" "),
  );
}

async function main(): Promise<void> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "brook-soak-"));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(root, "bin/brook.js"),
      "serve",
      "--port",
      String(port),
      "--host",
      "127.0.0.1",
      "--workers",
      String(workers),
      "--data-dir",
      dataDir,
      "--log-level",
      "warn",
      "--log-format",
      "json",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout!.on("data", (d) => {
    output += d;
  });
  child.stderr!.on("data", (d) => {
    output += d;
  });
  const base = `http://127.0.0.1:${port}`;
  const ready = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > ready || child.exitCode !== null)
      throw new Error(`the server did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  console.log(
    `soak: ${minutes} min, ${workers} workers, ~${rate} requests/s from ${concurrency} clients, ${sseClients} SSE clients, a row every ${intervalS} s`,
  );
  console.log(
    "   t requests errors p50 ms p99 ms   RSS MiB (procs)    fds (procs)  sockets (p)  sse ev recon labelled pending errors by status",
  );
  const deadline = Date.now() + minutes * 60_000;
  const loops = Array.from({ length: concurrency }, (_, k) => loop(base, k, deadline));
  const streams = Array.from({ length: sseClients }, (_, k) =>
    sse(k % 2 === 0 ? `${base}/v1/models/default/stream` : `${base}/v1/events`, deadline),
  );
  const rows: Row[] = [];
  const startedAt = Date.now();
  const sample = () => {
    const iv = current;
    current = fresh();
    const pids = serverPids(child.pid!);
    const fd = pids.map(fds);
    iv.latencies.sort((a, b) => a - b);
    const row: Row = {
      minute: Math.round((Date.now() - startedAt) / 600) / 100,
      requests: iv.requests,
      errorCount: [...iv.errors.values()].reduce((a, b) => a + b, 0),
      errors: [...iv.errors].map(([k, v]) => `${k}:${v}`).join(" "),
      p50: percentile(iv.latencies, 50),
      p99: percentile(iv.latencies, 99),
      rss: pids.map(rssMiB),
      fds: fd.map((f) => f.total),
      sockets: fd.map((f) => f.sockets),
      sse: iv.sseEvents,
      reconnects: iv.sseReconnects,
      labelled: iv.labelled,
      pending: late.length,
    };
    rows.push(row);
    printRow(row);
  };
  const ticker = setInterval(sample, intervalS * 1000);
  await Promise.all([...loops, ...streams]);
  clearInterval(ticker);
  stopping = true;
  // The last, partial interval.
  if (current.requests > 0) sample();
  const first = rows[0]!;
  const last = rows[rows.length - 1]!;
  const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
  const totalErrors = sum(rows.map((r) => r.errorCount));
  const totalRequests = sum(rows.map((r) => r.requests));
  console.log("");
  console.log(
    `RSS: ${sum(first.rss).toFixed(0)} MiB after the first interval, ${sum(last.rss).toFixed(0)} MiB at the end (${(sum(last.rss) - sum(first.rss)).toFixed(0)} MiB; per process ${first.rss.map((m) => m.toFixed(0)).join("/")} → ${last.rss.map((m) => m.toFixed(0)).join("/")})`,
  );
  console.log(
    `file descriptors: ${first.fds.join("/")} → ${last.fds.join("/")} (sockets ${first.sockets.join("/")} → ${last.sockets.join("/")})`,
  );
  console.log(
    `latency p50 ${f1(first.p50)} → ${f1(last.p50)} ms, p99 ${f1(first.p99)} → ${f1(last.p99)} ms; ${totalRequests} requests, ${totalErrors} errors; ${sum(rows.map((r) => r.labelled))} late labels learned`,
  );
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  rmSync(dataDir, { recursive: true, force: true });
}

await main();
