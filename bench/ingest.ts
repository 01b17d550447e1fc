/**
 * Streaming bulk ingest: `POST /v1/models/default/learn` with a body of JSON lines (Phishing
 * rows, repeated), `--fsync always`, file store, in the default shape and with one process;
 * next to the same rows sent as JSON batches of 1,000 (the baseline, same run). Reports
 * examples/s and the servers' peak memory against the size of the body sent.
 */
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { Readable } from "node:stream";
import { featuresText } from "../src/codec/events.js";
import { loadStream } from "../src/data/datasets.js";
import { startBrookServer } from "./servers/spawn.js";
import { fmt, table } from "./table.js";

const rows = loadStream("phishing").rows;
const lines = rows.map((r) => `{"x":${featuresText(r.x)},"y":${r.y}}\n`);

/** A body of `n` lines, produced as it is read (64 KiB chunks). */
function* body(n: number): Generator<string> {
  let chunk = "";
  for (let i = 0; i < n; i++) {
    chunk += lines[i % lines.length];
    if (chunk.length >= 65536) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk) yield chunk;
}

function post(url: string, type: string, parts: Iterable<string>): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { "content-type": type } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => {
        text += d;
      });
      res.on("end", () => (res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(text))));
    });
    req.on("error", reject);
    Readable.from(parts).pipe(req);
  });
}

/** Peak resident memory (VmHWM) of a process and its children, MiB. */
function peakMiB(pid: number): number {
  const pids = [pid];
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
    if (children) pids.push(...children.split(/\s+/).map(Number));
  } catch {
    // no children
  }
  let kb = 0;
  for (const p of pids) {
    const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, "utf8"));
    kb += Number(m?.[1] ?? 0);
  }
  return kb / 1024;
}

export async function runIngest(n = 500_000): Promise<string> {
  const out: (string | number)[][] = [];
  const bytes = [...body(n)].reduce((s, c) => s + Buffer.byteLength(c), 0);
  for (const workers of [2, 1]) {
    const brook = await startBrookServer(["--fsync", "always", "--checkpoint-every", "1000000000"], workers);
    try {
      const url = `${brook.url}/v1/models/default/learn`;
      await post(url, "application/x-ndjson", body(20_000)); // warm-up
      let t = performance.now();
      const r = await post(url, "application/x-ndjson", body(n));
      const streamed = r.learned_now / ((performance.now() - t) / 1000);
      const peak = peakMiB(brook.process.pid!);
      // Baseline: the same rows as JSON batches of 1,000, one request after another.
      t = performance.now();
      let sent = 0;
      for (let i = 0; i < n / 5; i += 1000) {
        const instances = Array.from({ length: 1000 }, (_, k) => lines[(i + k) % lines.length]!.trim());
        await post(url, "application/json", [`{"instances":[${instances.join(",")}]}`]);
        sent += 1000;
      }
      const batched = sent / ((performance.now() - t) / 1000);
      out.push([
        `--workers ${workers}`,
        fmt(r.learned_now),
        fmt(streamed),
        fmt(batched),
        `${fmt(streamed / batched, 2)}×`,
        `${fmt(peak, 0)} MiB`,
      ]);
    } finally {
      await brook.stop();
    }
  }
  return [
    `Streaming ingest (JSON lines, file store, --fsync always): ${fmt(n)} Phishing rows, ${fmt(bytes / 2 ** 20, 0)} MiB of body;`,
    "baseline: the same rows as JSON batches of 1,000, one request after another (same run); target >= 300,000 examples/s",
    table(
      [
        "shape",
        "lines learned",
        "streamed ex/s",
        "batches of 1,000 ex/s",
        "stream/batches",
        "servers' peak RSS",
      ],
      out,
    ),
  ].join("\n");
}
