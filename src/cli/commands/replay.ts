import type { Command } from "commander";
import { loadStream, type Row } from "../../data/datasets.js";
import { UsageError } from "../../errors.js";
import type { Features, Label } from "../../learn/index.js";
import { Progress } from "../progress.js";

export interface ReplayOptions {
  url: string;
  route: "update_model" | "v1";
  model: string;
  target?: string;
  delay: number;
  concurrency: number;
  limit?: number;
  progress: boolean;
}

export interface ReplaySummary {
  rows: number;
  failed: number;
  seconds: number;
  /** The model's metric texts after the replay, read back from the server. */
  metrics: string[];
}

/** JSON of a feature map, keeping its key order (JSON.stringify of an object would not). */
export function featuresJson(x: Features): string {
  let out = "{";
  let first = true;
  for (const [k, v] of x) {
    out += `${first ? "" : ","}${JSON.stringify(k)}:${JSON.stringify(v)}`;
    first = false;
  }
  return `${out}}`;
}

function bodyFor(row: Row, route: ReplayOptions["route"]): string {
  // The original client sent int(y) for booleans; the /v1 API takes the label as is.
  const y: Label | number = route === "update_model" && typeof row.y === "boolean" ? Number(row.y) : row.y;
  return `{"x":${featuresJson(row.x)},"y":${JSON.stringify(y)}}`;
}

async function problemText(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: string; code?: string };
    return `${res.status} ${body.code ?? ""} ${body.error ?? ""}`.trim();
  } catch {
    return `HTTP ${res.status}`;
  }
}

function unreachable(url: string, err: unknown): UsageError {
  const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
  return new UsageError(`cannot reach Brook at ${url} (${cause}): is "brook serve" running?`);
}

/**
 * Sends a labelled stream to a running server, one request per row (the original
 * `send_requests.py`, done right): bounded concurrency, an optional delay between rows, a
 * progress display, and a summary with the model's final metrics.
 */
export async function replay(source: string, options: ReplayOptions): Promise<ReplaySummary> {
  const stream = loadStream(source, options.target);
  const rows = options.limit === undefined ? stream.rows : stream.rows.slice(0, options.limit);
  const base = options.url.replace(/\/+$/, "");
  const endpoint =
    options.route === "update_model"
      ? `${base}/update_model`
      : `${base}/v1/models/${encodeURIComponent(options.model)}/learn`;
  const method = options.route === "update_model" ? "PUT" : "POST";
  const progress = new Progress(rows.length, process.stderr, options.progress);
  let next = 0;
  let done = 0;
  let failed = 0;
  let status = "";
  const errors: string[] = [];

  const worker = async (): Promise<void> => {
    while (next < rows.length) {
      const row = rows[next++]!;
      if (options.delay > 0) await new Promise((r) => setTimeout(r, options.delay * 1000));
      let res: Response;
      try {
        res = await fetch(endpoint, {
          method,
          headers: {
            "content-type": "application/json",
            accept: options.route === "v1" ? "application/json" : "text/plain",
          },
          body: bodyFor(row, options.route),
        });
      } catch (err) {
        throw unreachable(base, err);
      }
      if (res.ok) {
        status = options.route === "update_model" ? await res.text() : metricLine(await res.json());
      } else {
        failed++;
        const text = await problemText(res);
        if (errors.length < 5) errors.push(text);
        if (res.status === 404) throw new UsageError(`${endpoint}: ${text}`);
      }
      done++;
      progress.update(done, failed, status);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  for (const e of errors) process.stderr.write(`failed: ${e}\n`);

  let metrics: string[] = [];
  try {
    const res = await fetch(`${base}/v1/models/${encodeURIComponent(options.model)}/metrics`);
    if (res.ok) metrics = ((await res.json()) as { text: string[] }).text;
  } catch (err) {
    throw unreachable(base, err);
  }
  return { rows: done, failed, seconds: progress.elapsedSeconds, metrics };
}

function metricLine(body: unknown): string {
  const metrics = (body as { metrics?: Record<string, number> }).metrics ?? {};
  return Object.entries(metrics)
    .map(([k, v]) => `${k}: ${v}`)
    .join(", ");
}

function positiveNumber(name: string, integer: boolean) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0 || (integer && (!Number.isInteger(n) || n < 1))) {
      throw new UsageError(
        `--${name} must be ${integer ? "a positive integer" : "a number >= 0"}, got "${value}"`,
      );
    }
    return n;
  };
}

export function addReplayCommand(program: Command): void {
  program
    .command("replay")
    .description("send a labelled stream (a bundled dataset or a CSV file) to a running server, row by row")
    .argument("<source>", "bundled dataset (phishing, trump_approval) or path to a CSV file")
    .option("--url <url>", "server address", process.env.BROOK_URL ?? "http://localhost:8080")
    .option(
      "--route <route>",
      "update_model (the original PUT /update_model) or v1 (POST /v1/models/<model>/learn)",
      "update_model",
    )
    .option("--model <name>", "model name for --route v1", "default")
    .option("--target <column>", "target column (default: the dataset's, or the last CSV column)")
    .option("--delay <seconds>", "pause before each request", positiveNumber("delay", false), 0)
    .option(
      "--concurrency <n>",
      "requests in flight at once (1 keeps River's order)",
      positiveNumber("concurrency", true),
      1,
    )
    .option("--limit <n>", "send only the first n rows", positiveNumber("limit", true))
    .option("--no-progress", "no progress display on stderr")
    .action(async (source: string, opts: ReplayOptions & { route: string }) => {
      if (opts.route !== "update_model" && opts.route !== "v1") {
        throw new UsageError(`--route must be update_model or v1, got "${opts.route}"`);
      }
      const summary = await replay(source, opts);
      const rate =
        summary.seconds > 0 ? Math.round(summary.rows / summary.seconds).toLocaleString("en-US") : "-";
      process.stdout.write(
        `${summary.rows} rows replayed in ${summary.seconds.toFixed(2)} s (${rate} rows/s), ${summary.failed} failed\n`,
      );
      for (const line of summary.metrics) process.stdout.write(`${line}\n`);
      if (summary.failed > 0) process.exitCode = 1;
    });
}
