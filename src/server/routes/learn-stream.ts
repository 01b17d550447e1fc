/**
 * Bulk learning from a stream: `POST /v1/models/{name}/learn` with a body of JSON lines
 * (`application/x-ndjson`), one example per line, of any length. Lines are read as they
 * arrive, checked one by one (a bad line is refused alone, named by its number), and learned
 * in order in batches, each acknowledged once durable; at most two batches are in flight, so
 * memory stays bounded and a slow disk slows the client down (TCP backpressure) instead of
 * filling the server. If the stream stops in the middle (the client goes, the disk refuses),
 * what was acknowledged stays learned and the answer (or the log) says up to which line.
 */
import type { Readable } from "node:stream";
import type { TSchema } from "@sinclair/typebox";
import { parseOrderedJson } from "../../codec/ordered-json.js";
import type { Config } from "../../config/config.js";
import { BrookError, brookError } from "../../errors.js";
import type { LearnItem } from "../../models/admission.js";
import type { Backend } from "../backend.js";
import { lineChunks } from "../http/ndjson.js";
import { refusalReason, toProblem } from "../http/problem.js";
import type { Telemetry } from "../observability/telemetry.js";
import { learnLine, policyFor } from "../validation/requests.js";
import { compileCheck } from "../validation/schema-check.js";
import type { Answer, RouteRequest } from "./route.js";

/** Refused lines listed in an answer (all are counted). */
const MAX_LISTED_ERRORS = 1000;
/** Most lines per batch: big enough to share writes and fsyncs, small enough to keep the pipeline moving. */
const STREAM_BATCH = 2000;
/** Batches sent to the writer and not yet acknowledged. */
const IN_FLIGHT = 4;

/** A refused line: its number and the problem. */
export interface LineError {
  line: number;
  code: string;
  error: string;
}

/** What a stream of examples did. */
export interface StreamSummary {
  model: string;
  /** The model's version and total learned after the stream's last acknowledged batch. */
  version: number;
  learned: number;
  /** Lines read (blank lines not counted), learned by this stream, retried, refused. */
  lines: number;
  learned_now: number;
  duplicates: number;
  rejected: number;
  /** Log positions of the first and last example this stream learned (null if none). */
  first_seq: number | null;
  last_seq: number | null;
  /** The last line whose fate is known (learned, retried or refused): everything before it is settled. */
  last_line: number | null;
  /** The refused lines, in order (at most 1000; `rejected` counts them all). */
  errors: LineError[];
}

export function learnStream(backend: Backend, config: Config, telemetry: Telemetry, lineSchema: TSchema) {
  const check = compileCheck(lineSchema);
  return async ({ params, body }: RouteRequest<Readable>): Promise<Answer> => {
    const model = backend.model(params.name!); // a 404 before anything is read
    const policy = policyFor(model, config);
    const s: StreamSummary = {
      model: model.name,
      version: model.version,
      learned: model.learned,
      lines: 0,
      learned_now: 0,
      duplicates: 0,
      rejected: 0,
      first_seq: null,
      last_seq: null,
      last_line: null,
      errors: [],
    };
    const refuse = (line: number, err: unknown) => {
      s.rejected++;
      const reason = telemetry.http ? refusalReason(err) : undefined;
      if (reason !== undefined) telemetry.http!.refused(reason);
      if (s.errors.length < MAX_LISTED_ERRORS) {
        const p = toProblem(err);
        s.errors.push({ line, code: p.code, error: p.error });
      }
    };
    let batch: LearnItem[] = [];
    let numbers: number[] = [];
    /** Batches sent and not yet acknowledged, oldest first (`done` once settled). */
    const inFlight: { sent: Promise<void>; done: boolean }[] = [];
    let failure: unknown;
    const send = () => {
      const items = batch;
      const lines = numbers;
      batch = [];
      numbers = [];
      const sent = backend.ops.learn(model.name, items, { partial: true }).then(async (r) => {
        if (r.learned > 0) {
          s.first_seq ??= r.seq - r.learned + 1;
          s.last_seq = r.seq;
        }
        s.learned_now += r.learned;
        s.duplicates += r.duplicates;
        s.version = Math.max(s.version, r.version);
        s.learned = r.total;
        for (const x of r.rejected ?? []) {
          const details = x.setting === undefined ? undefined : { setting: x.setting };
          refuse(lines[x.index]!, new BrookError(x.code, 400, x.message, details));
        }
        s.last_line = lines[lines.length - 1]!;
        telemetry.models.learned(model.name, r.learned);
        // Backpressure from the replica too: in a cluster this process's model follows the
        // writer; waiting once it is more than a few batches behind keeps the replication
        // queue (and the memory it holds) short without stalling the pipeline.
        const behind = r.version - IN_FLIGHT * STREAM_BATCH;
        if (model.version < behind) await model.whenVersion(behind, config.readWaitMs).catch(() => undefined);
      });
      const entry = { sent, done: false };
      sent.then(
        () => {
          entry.done = true;
        },
        (err) => {
          entry.done = true;
          failure ??= err;
        },
      );
      inFlight.push(entry);
    };
    const oldest = async () => {
      await inFlight.shift()!.sent.catch(() => undefined);
    };
    try {
      for await (const chunk of lineChunks(body, config.bodyLimit)) {
        for (const line of chunk) {
          s.lines++;
          if ("tooLong" in line) {
            refuse(
              line.n,
              new BrookError("BROOK_BODY_TOO_LARGE", 413, `line ${line.n} is longer than --body-limit`),
            );
            continue;
          }
          try {
            const parsed = parseOrderedJson(line.text, config.maxDepth);
            check(parsed);
            batch.push(learnLine(parsed as Record<string, unknown>, model, policy));
            numbers.push(line.n);
          } catch (err) {
            refuse(line.n, err);
          }
          if (batch.length >= STREAM_BATCH) {
            // A full batch waits for a place: the stream is read no faster than it is learned.
            while (inFlight.length >= IN_FLIGHT) await oldest();
            send();
          }
        }
        // While the writer is busy, lines keep coming into the next batch (bigger batches
        // share one write and one fsync); when there is room, what arrived goes at once.
        while (inFlight.length > 0 && inFlight[0]!.done) inFlight.shift();
        if (batch.length > 0 && inFlight.length < IN_FLIGHT) send();
        if (failure) break;
      }
    } catch {
      // The client went away (or the connection broke) in the middle of its body.
      failure ??= brookError("STREAM_CUT", "the request body stopped before its end");
    }
    if (!failure && batch.length > 0) send();
    await Promise.allSettled(inFlight.map((e) => e.sent));
    s.errors.sort((a, b) => a.line - b.line);
    if (failure) {
      const p = toProblem(failure);
      const where =
        s.last_line === null
          ? "nothing was learned"
          : `every line up to ${s.last_line} is settled (${s.learned_now} learned, last seq ${s.last_seq})`;
      throw new BrookError(p.code, p.status, `the stream stopped at line ${s.lines}: ${p.error}; ${where}`, {
        ...s,
      });
    }
    return { json: s };
  };
}
