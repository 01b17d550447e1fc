import type { Command } from "commander";
import { BrookApiError, type BrookClient, type Target } from "../../client/index.js";
import { UsageError } from "../../errors.js";
import { API_KEY_HELP, clientFor, defaultUrl, problemLine } from "../client.js";
import { replayLateLabels } from "../late-labels.js";
import { MetricStatus } from "../metric-status.js";
import { numberOption } from "../numbers.js";
import { Progress } from "../progress.js";
import { readSource, type SourceRow } from "../sources.js";

export interface ReplayOptions {
  url: string;
  /** The API key (`--api-key`; default `BROOK_API_KEY`). */
  apiKey?: string;
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
  /** Send every row in one streamed request (JSON lines) instead of one request each. */
  bulk?: boolean;
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
  /** The first failure, as the server said it. */
  firstError?: BrookApiError;
}

interface Sent {
  done: number;
  failed: number;
  firstError?: BrookApiError;
}

/** The original client sent int(y) for booleans; the /v1 API takes the label as is. */
function compatTarget(y: SourceRow["y"]): Target {
  return typeof y === "boolean" ? Number(y) : (y as Target);
}

/** Labelled rows, one request each, from `concurrency` workers sharing one cursor. */
async function replayLabelled(
  rows: readonly SourceRow[],
  client: BrookClient,
  options: ReplayOptions,
  progress: Progress,
  metrics: MetricStatus,
): Promise<Sent> {
  const v1 = options.route === "v1";
  const sent: Sent = { done: 0, failed: 0 };
  let next = 0;
  let status = "";
  const errors: string[] = [];

  const worker = async (): Promise<void> => {
    while (next < rows.length) {
      const row = rows[next++]!;
      if (options.delay > 0) await new Promise((r) => setTimeout(r, options.delay * 1000));
      try {
        if (v1) {
          await client.learn(options.model, row.x, row.y);
          metrics.refresh();
        } else {
          // The original route answers River's text itself: `ROCAUC: 95.07%`.
          status = (await client.updateModel(row.x, compatTarget(row.y))).text;
        }
      } catch (err) {
        if (!(err instanceof BrookApiError)) throw err;
        sent.failed++;
        sent.firstError ??= err;
        if (errors.length < 5) errors.push(problemLine(err));
        // An unknown model or route fails every row the same way: say it once and stop.
        if (err.status === 404) throw err;
      }
      sent.done++;
      progress.update(sent.done, sent.failed, v1 ? metrics.text : status);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  } finally {
    progress.interrupt();
    for (const e of errors) process.stderr.write(`failed: ${e}\n`);
  }
  return sent;
}

/**
 * Sends a labelled stream to a running server (the original `send_requests.py`, done right):
 * bounded concurrency, an optional delay between rows, a progress display, and a summary with
 * the model's final metrics. With `delayLabels`, production-like traffic instead: predictions
 * first, their labels later (see late-labels.ts).
 */
export async function replay(source: string, options: ReplayOptions): Promise<ReplaySummary> {
  const stream = readSource(source, options.target);
  const rows = options.limit === undefined ? stream.rows : stream.rows.slice(0, options.limit);
  const client = clientFor(options.url, options.apiKey);
  const progress = new Progress(rows.length, process.stderr, options.progress);
  const metrics = new MetricStatus(client, options.model);
  let summary: Omit<ReplaySummary, "metrics" | "seconds">;
  let status: () => string;
  if (options.bulk) {
    const r = await replayBulk(rows, client, options, progress);
    summary = { rows: r.lines, failed: r.rejected, firstError: r.firstError };
    status = () => "";
  } else if (options.delayLabels === undefined) {
    const sent = await replayLabelled(rows, client, options, progress, metrics);
    summary = { rows: sent.done, failed: sent.failed, firstError: sent.firstError };
    status = () => metrics.text;
  } else {
    let predicted = 0;
    status = () => `${predicted} predicted${metrics.text ? ` | ${metrics.text}` : ""}`;
    let r: Awaited<ReturnType<typeof replayLateLabels>>;
    try {
      r = await replayLateLabels(rows, client, { ...options, delayLabels: options.delayLabels }, (now) => {
        predicted = now.predicted;
        if (now.labelled > 0) metrics.refresh();
        progress.update(now.done, now.failed, status());
      });
    } finally {
      progress.interrupt();
    }
    for (const e of r.errors) process.stderr.write(`failed: ${e}\n`);
    summary = {
      rows: r.done,
      failed: r.failed,
      predicted: r.predicted,
      labelled: r.labelled,
      firstError: r.firstError,
    };
  }
  const seconds = progress.elapsedSeconds;
  const texts = await metrics.final();
  progress.finish(summary.rows, summary.failed, status());
  return { ...summary, seconds, metrics: texts };
}

/**
 * Every row in one streamed request (`--bulk`): JSON lines, in order, each with an event id
 * (so a stream that breaks off can be sent again without learning anything twice).
 */
async function replayBulk(
  rows: readonly SourceRow[],
  client: BrookClient,
  options: ReplayOptions,
  progress: Progress,
): Promise<{ lines: number; rejected: number; firstError?: BrookApiError }> {
  const runId = globalThis.crypto.randomUUID().slice(0, 8);
  function* items() {
    for (const [i, row] of rows.entries()) {
      if (i % 1000 === 0) progress.update(i, 0, "streaming");
      yield { x: row.x, y: row.y as Target, eventId: `${runId}-${i}` };
    }
  }
  try {
    const r = await client.learnStream(options.model, items());
    for (const e of r.errors.slice(0, 5))
      process.stderr.write(`failed: line ${e.line}: ${e.code} ${e.error}\n`);
    const first = r.errors[0];
    return {
      lines: r.lines,
      rejected: r.rejected,
      firstError: first
        ? new BrookApiError(`line ${first.line}: ${first.error}`, 400, first.code)
        : undefined,
    };
  } finally {
    progress.interrupt();
  }
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

/**
 * Which route a replay uses: `--route` when given; else v1 when a model is named or labels
 * come late (only the /v1 API has either), else the original PUT /update_model.
 */
function chooseRoute(
  opts: { route?: string; model: string; delayLabels?: number; bulk?: boolean },
  command: Command,
) {
  const modelNamed = command.getOptionValueSource("model") !== "default";
  if (opts.bulk && opts.delayLabels !== undefined)
    throw new UsageError("--bulk sends labelled rows; it cannot be combined with --delay-labels");
  if (opts.bulk && opts.route === "update_model")
    throw new UsageError("--bulk streams to POST /v1/models/<model>/learn: drop --route update_model");
  if (opts.route === undefined)
    return modelNamed || opts.delayLabels !== undefined || opts.bulk ? "v1" : "update_model";
  if (opts.route !== "update_model" && opts.route !== "v1") {
    throw new UsageError(`--route must be update_model or v1, got "${opts.route}"`);
  }
  if (opts.route === "update_model") {
    if (opts.delayLabels !== undefined) {
      throw new UsageError(
        "--delay-labels needs --route v1 (the original routes cannot label a past prediction)",
      );
    }
    if (modelNamed && opts.model !== "default") {
      throw new UsageError(
        `--route update_model serves only the model "default" (the original route names no model): drop --route to send to model "${opts.model}" through /v1`,
      );
    }
  }
  return opts.route;
}

export function addReplayCommand(program: Command): void {
  program
    .command("replay")
    .description(
      "send a labelled stream (a bundled dataset, a CSV or JSON Lines file, or stdin) to a running server",
    )
    .argument(
      "<source>",
      "bundled dataset (phishing, trump_approval, airline_passengers), a .csv or .jsonl file, or - for stdin",
    )
    .option("--url <url>", "server address (env BROOK_URL)", defaultUrl())
    .option("--api-key <key>", API_KEY_HELP)
    .option(
      "--route <route>",
      "update_model (the original PUT /update_model, the default model) or v1 (POST /v1/models/<model>/learn); default: v1 when --model or --delay-labels is given",
    )
    .option("--model <name>", "model to send to (implies --route v1)", "default")
    .option(
      "--target <column>",
      "target column or key (default: the dataset's; the last CSV column; y or the last key of a JSON line)",
    )
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
    .option("--bulk", "send every row in one streamed request (JSON lines; implies --route v1)")
    .action(
      async (source: string, opts: Omit<ReplayOptions, "route"> & { route?: string }, command: Command) => {
        const route = chooseRoute(opts, command);
        const summary = await replay(source, { ...opts, route });
        process.stdout.write(summaryText(summary, opts.delayLabels));
        const first = summary.firstError;
        if (first && summary.failed === summary.rows) {
          // Nothing got through: the first problem is the answer, and the run failed.
          throw new BrookApiError(
            `every row failed (${summary.failed}); the first: ${first.message}`,
            first.status,
            first.code,
            first.problem,
          );
        }
        if (summary.failed > 0) process.exitCode = 1;
      },
    );
}
