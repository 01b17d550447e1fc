import type { Command } from "commander";
import { featuresText } from "../../codec/events.js";
import { loadStream, type Row } from "../../data/datasets.js";
import { UsageError } from "../../errors.js";
import type { Label } from "../../learn/index.js";
import { BrookClient, defaultUrl, problemLine, problemOf, type ServerError } from "../client.js";
import { replayLateLabels } from "../late-labels.js";
import { numberOption } from "../numbers.js";
import { metricLine } from "../payloads.js";
import { Progress } from "../progress.js";

// Kept importable from here: tests and benchmarks build request bodies with it.

export interface ReplayOptions {
  url: string;
  route: "update_model" | "v1";
  model: string;
  target?: string;
  delay: number;
  /** Seconds after each prediction before its label is sent; unset: send labelled rows at once. */
  delayLabels?: number;
  /** Most predictions waiting for their labels (with `delayLabels`). */
  maxPending: number;
  concurrency: number;
  limit?: number;
  progress: boolean;
}

export interface ReplaySummary {
  rows: number;
  failed: number;
  seconds: number;
  /** With late labels: predictions served, and labels sent for them. */
  predicted?: number;
  labelled?: number;
  /** The model's metric texts after the replay, read back from the server. */
  metrics: string[];
}

function bodyFor(row: Row, route: ReplayOptions["route"]): string {
  // The original client sent int(y) for booleans; the /v1 API takes the label as is.
  const y: Label | number = route === "update_model" && typeof row.y === "boolean" ? Number(row.y) : row.y;
  return `{"x":${featuresText(row.x)},"y":${JSON.stringify(y)}}`;
}

interface Sent {
  done: number;
  failed: number;
}

/** Labelled rows, one request each, from `concurrency` workers sharing one cursor. */
async function replayLabelled(
  rows: readonly Row[],
  client: BrookClient,
  options: ReplayOptions,
  progress: Progress,
): Promise<Sent> {
  const v1 = options.route === "v1";
  const path = v1 ? BrookClient.modelPath(options.model, "/learn") : "/update_model";
  const sent: Sent = { done: 0, failed: 0 };
  let next = 0;
  let status = "";
  const errors: string[] = [];

  const worker = async (): Promise<void> => {
    while (next < rows.length) {
      const row = rows[next++]!;
      if (options.delay > 0) await new Promise((r) => setTimeout(r, options.delay * 1000));
      const res = await client.send(
        v1 ? "POST" : "PUT",
        path,
        bodyFor(row, options.route),
        v1 ? "application/json" : "text/plain",
      );
      if (res.ok) {
        status = v1 ? metricLine(await res.json()) : await res.text();
      } else {
        sent.failed++;
        const problem: ServerError = await problemOf(res);
        if (errors.length < 5) errors.push(problemLine(problem));
        // An unknown model or route fails every row the same way: say it once and stop.
        if (res.status === 404) throw problem;
      }
      sent.done++;
      progress.update(sent.done, sent.failed, status);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  for (const e of errors) process.stderr.write(`failed: ${e}\n`);
  return sent;
}

/**
 * Sends a labelled stream to a running server (the original `send_requests.py`, done right):
 * bounded concurrency, an optional delay between rows, a progress display, and a summary with
 * the model's final metrics. With `delayLabels`, production-like traffic instead: predictions
 * first, their labels later (see late-labels.ts).
 */
export async function replay(source: string, options: ReplayOptions): Promise<ReplaySummary> {
  const stream = loadStream(source, options.target);
  const rows = options.limit === undefined ? stream.rows : stream.rows.slice(0, options.limit);
  const client = new BrookClient(options.url);
  const progress = new Progress(rows.length, process.stderr, options.progress);
  let summary: Omit<ReplaySummary, "metrics" | "seconds">;
  if (options.delayLabels === undefined) {
    const sent = await replayLabelled(rows, client, options, progress);
    summary = { rows: sent.done, failed: sent.failed };
  } else {
    const r = await replayLateLabels(
      rows,
      client,
      { ...options, delayLabels: options.delayLabels },
      (done, failed, status) => progress.update(done, failed, status),
    );
    for (const e of r.errors) process.stderr.write(`failed: ${e}\n`);
    summary = { rows: r.done, failed: r.failed, predicted: r.predicted, labelled: r.labelled };
  }
  const seconds = progress.elapsedSeconds;
  let metrics: string[] = [];
  const res = await client.send("GET", BrookClient.modelPath(options.model, "/metrics"));
  if (res.ok) metrics = ((await res.json()) as { text: string[] }).text;
  return { ...summary, seconds, metrics };
}

/** The summary printed on stdout: one line of counts, then the model's metric lines. */
export function summaryText(summary: ReplaySummary, delayLabels?: number): string {
  const rate = summary.seconds > 0 ? Math.round(summary.rows / summary.seconds).toLocaleString("en-US") : "-";
  const head = `${summary.rows} rows replayed in ${summary.seconds.toFixed(2)} s (${rate} rows/s)`;
  const counts =
    delayLabels === undefined
      ? `, ${summary.failed} failed`
      : `: ${summary.predicted} predictions sent, ${summary.labelled} labels sent ${delayLabels} s after their predictions, ${summary.failed} failed`;
  return [`${head}${counts}`, ...summary.metrics].map((line) => `${line}\n`).join("");
}

export function addReplayCommand(program: Command): void {
  program
    .command("replay")
    .description("send a labelled stream (a bundled dataset or a CSV file) to a running server, row by row")
    .argument("<source>", "bundled dataset (phishing, trump_approval) or path to a CSV file")
    .option("--url <url>", "server address (env BROOK_URL)", defaultUrl())
    .option(
      "--route <route>",
      "update_model (the original PUT /update_model) or v1 (POST /v1/models/<model>/learn)",
      "update_model",
    )
    .option("--model <name>", "model name for --route v1", "default")
    .option("--target <column>", "target column (default: the dataset's, or the last CSV column)")
    .option(
      "--delay <seconds>",
      "pause before each request",
      numberOption("delay", { min: 0, integer: false }),
      0,
    )
    .option(
      "--delay-labels <seconds>",
      "production-like traffic (implies --route v1): predict each row, send its label this much later",
      numberOption("delay-labels", { min: 0, integer: false }),
    )
    .option(
      "--max-pending <n>",
      "with --delay-labels: most predictions waiting for their labels",
      numberOption("max-pending", { min: 1, integer: true }),
      10_000,
    )
    .option(
      "--concurrency <n>",
      "requests in flight at once (1 keeps River's order)",
      numberOption("concurrency", { min: 1, integer: true }),
      1,
    )
    .option("--limit <n>", "send only the first n rows", numberOption("limit", { min: 1, integer: true }))
    .option("--no-progress", "no progress display on stderr")
    .action(async (source: string, opts: ReplayOptions & { route: string }, command: Command) => {
      if (opts.route !== "update_model" && opts.route !== "v1") {
        throw new UsageError(`--route must be update_model or v1, got "${opts.route}"`);
      }
      if (opts.delayLabels !== undefined) {
        // Labels of remembered predictions exist only in the /v1 API: v1 unless asked otherwise.
        if (opts.route !== "v1" && command.getOptionValueSource("route") !== "default") {
          throw new UsageError(
            "--delay-labels needs --route v1 (the original routes cannot label a past prediction)",
          );
        }
        opts.route = "v1";
      }
      const summary = await replay(source, opts);
      process.stdout.write(summaryText(summary, opts.delayLabels));
      if (summary.failed > 0) process.exitCode = 1;
    });
}
