/**
 * Messages between the primary (the single writer of every model) and the HTTP workers (read
 * replicas) of `brook serve --workers N`, over node:cluster's IPC channel. The channel keeps
 * order: a worker always receives a model's events before the reply to the learn that made them.
 */
import { BrookError, isClientError, learnErrorStatus } from "../../errors.js";
import type { ModelSnapshot } from "../../models/snapshot.js";
import type { ModelRecord } from "../../store/ports.js";
import type { FeedEvent } from "../events/feed-event.js";
import type { Call } from "./rpc.js";

/** An error, carried across the channel with its code and status. */
export interface WireError {
  code: string;
  status: number;
  message: string;
  details?: Record<string, unknown>;
}

export type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: WireError };

export type ToPrimary =
  /** A worker has started and needs every model. */
  | { t: "hello" }
  /** Calls, batched per tick. */
  | { t: "calls"; calls: Call[] }
  /** The replica has applied the model's events up to `seq`. */
  | { t: "ack"; model: string; seq: number }
  /** The worker listens for HTTP. */
  | { t: "listening"; url: string }
  /** The replica of a model failed to apply an event: it needs the writer's state again. */
  | { t: "resync"; model: string }
  /** The worker could not start (e.g. its port is taken): why, in one line. */
  | { t: "failed"; reason: string }

  /** Predictions this worker has answered so far, per model (sent about once a second when they changed). */
  | { t: "predicted"; counts: [string, number][] };

export type ToWorker =
  /** A model to serve, from this snapshot on (new model, or a worker catching up). */
  | { t: "model"; record: ModelRecord; snapshot: ModelSnapshot }
  | { t: "drop"; model: string }
  /**
   * Log events, in seq order, applied by the writer (batched per tick), as one JSON array of
   * the log's own event encoding: one string crosses the channel as a plain copy.
   */
  | { t: "events"; model: string; events: string }
  /** The writer's model jumped to a new state (rollback, import): load it. */
  | { t: "reset"; model: string; snapshot: ModelSnapshot }
  | { t: "replies"; replies: Reply[] }
  /**
   * Live feed events, numbered by the primary (learns coalesced per tick, drifts, checkpoints,
   * rollbacks, imports, models created and deleted), for the worker's event streams; `keep`
   * is how many recent events the primary keeps (the worker keeps as many).
   */
  | { t: "feed"; epoch: string; keep: number; events: FeedEvent[] }
  /** Every model has been sent: start listening. */
  | { t: "ready" }
  /** Stop accepting requests, finish the ones in flight, exit. */
  | { t: "shutdown" };

/**
 * An error as it crosses to the worker: ours with their code and message; anything else only
 * as "internal error" with an incident id, under which the primary logs it (its message never
 * reaches a client; the worker logs the failed request with the same incident id).
 */
export function errorToWire(err: unknown, incident: string): WireError {
  if (isClientError(err)) {
    const status = err instanceof BrookError ? err.statusCode : learnErrorStatus(err);
    const details = err instanceof BrookError ? err.details : undefined;
    return { code: err.code, status, message: err.message, details };
  }
  return { code: "BROOK_INTERNAL", status: 500, message: "internal error", details: { incident } };
}

export function errorFromWire(e: WireError): BrookError {
  return new BrookError(e.code, e.status, e.message, e.details);
}
