/**
 * A model that follows a shared log (a Redis stream) instead of writing one: every node holds
 * one per model and applies the log's events, in seq order, with the same code as the embedded
 * writer (`applyEvent`), so every node has the same model at the same seq. A request that
 * appended events waits here until this node has applied them (by the origin tag the append
 * stored with its last event), so its answer's version and metrics are this model's own.
 */
import { decodeRecord, type Stored } from "../codec/events.js";
import { brookError } from "../errors.js";
import type { ModelRecord } from "../store/ports.js";
import { applyEvent, type ModelState, type SnapshotAt } from "./apply.js";
import { type CheckpointBody, emptyState, restoreState, type StateLimits } from "./recovery.js";
import type { ServedModel } from "./served-model.js";

/** The model right after a request's last event was applied. */
export interface Applied {
  version: number;
  seq: number;
  /** The model's total learned. */
  total: number;
  metrics: Record<string, number>;
  /** River's metric texts, when asked for. */
  texts: string[];
}

/** An event of the shared log, decoded, with the tag of the append that ended with it. */
export interface LogEntry {
  stored: Stored;
  origin: string | undefined;
}

/** Decodes a log entry's record. */
export function logEntry(record: Buffer, origin: string | undefined): LogEntry {
  return { stored: decodeRecord(record), origin };
}

/** The log skips events this model has not applied (they were trimmed): it must load a checkpoint. */
export class LogGapError extends Error {
  constructor(
    readonly model: string,
    readonly expected: number,
    readonly found: number,
  ) {
    super(`model "${model}": the log continues at seq ${found}, this node needs seq ${expected}`);
    this.name = "LogGapError";
  }
}

interface Waiter {
  texts: boolean;
  resolve(a: Applied): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class LogFollower {
  readonly state: ModelState;
  private readonly waiters = new Map<string, Waiter>();
  private seqWaiters: { seq: number; resolve(): void; reject(err: Error): void; timer: NodeJS.Timeout }[] =
    [];
  /** Told of every event applied (the live feed). */
  onApplied: ((stored: Stored) => void) | undefined;

  constructor(
    readonly record: ModelRecord,
    /** The generation of the model's keys this follows. */
    readonly gen: number,
    readonly limits: StateLimits,
    body?: CheckpointBody,
  ) {
    this.state = emptyState(record, limits);
    if (body) restoreState(this.state, body, limits);
  }

  get model(): ServedModel {
    return this.state.model;
  }

  /** Seq of the last event applied. */
  get seq(): number {
    return this.state.model.seq;
  }

  /**
   * Applies entries in seq order (those at or below the model's seq are skipped). A gap throws
   * `LogGapError` before anything of the batch past it is applied.
   */
  apply(entries: readonly LogEntry[], snapshotAt: SnapshotAt): void {
    const model = this.state.model;
    for (const e of entries) {
      const { stored } = e;
      if (stored.seq <= model.seq) continue;
      if (stored.seq !== model.seq + 1) throw new LogGapError(this.record.name, model.seq + 1, stored.seq);
      applyEvent(this.state, stored, snapshotAt);
      this.onApplied?.(stored);
      if (e.origin !== undefined) {
        const w = this.waiters.get(e.origin);
        if (w) {
          this.waiters.delete(e.origin);
          clearTimeout(w.timer);
          w.resolve({
            version: model.version,
            seq: stored.seq,
            total: model.learned,
            metrics: model.metricValues(),
            texts: w.texts ? model.metricTexts() : [],
          });
        }
      }
    }
    if (this.seqWaiters.length > 0) {
      const now = model.seq;
      const ready = this.seqWaiters.filter((w) => w.seq <= now);
      this.seqWaiters = this.seqWaiters.filter((w) => w.seq > now);
      for (const w of ready) {
        clearTimeout(w.timer);
        w.resolve();
      }
    }
  }

  /**
   * Resolves once the event appended with tag `origin` is applied (register it before the
   * append: the event may arrive before the append's reply does). Rejects with a 503 after
   * `timeoutMs`.
   */
  expect(origin: string, texts: boolean, timeoutMs: number): Promise<Applied> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(origin);
        reject(
          brookError(
            "UNAVAILABLE",
            `model "${this.record.name}": the request was logged but this node has not applied it within ${timeoutMs} ms; retrying it with the same event_id is safe`,
          ),
        );
      }, timeoutMs);
      this.waiters.set(origin, { texts, resolve, reject, timer });
    });
  }

  /** Stops waiting for `origin` (its append failed: nothing was logged, or nothing is known). */
  cancel(origin: string): void {
    const w = this.waiters.get(origin);
    if (!w) return;
    this.waiters.delete(origin);
    clearTimeout(w.timer);
    // Registered before the append: a promise nobody awaits must not reject unhandled.
    w.resolve = () => {};
  }

  /** Resolves once the model has applied `seq` (503 after `timeoutMs`). */
  reached(seq: number, timeoutMs: number): Promise<void> {
    if (this.seq >= seq) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        seq,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.seqWaiters = this.seqWaiters.filter((w) => w !== waiter);
          reject(
            brookError(
              "UNAVAILABLE",
              `model "${this.record.name}" is at seq ${this.seq} on this node and did not reach seq ${seq} within ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs),
      };
      this.seqWaiters.push(waiter);
    });
  }

  /** Fails every request waiting on this model (it was deleted, or this copy is replaced). */
  fail(err: Error): void {
    for (const w of this.waiters.values()) {
      clearTimeout(w.timer);
      w.reject(err);
    }
    this.waiters.clear();
    for (const w of this.seqWaiters) {
      clearTimeout(w.timer);
      w.reject(err);
    }
    this.seqWaiters = [];
  }

  /** Hands the requests waiting here to `next` (a copy loaded from a checkpoint replaces this one). */
  handOver(next: LogFollower): void {
    for (const [origin, w] of this.waiters) next.waiters.set(origin, w);
    this.waiters.clear();
    next.seqWaiters.push(...this.seqWaiters);
    this.seqWaiters = [];
  }

  /**
   * What a checkpoint of this model holds (as the embedded writer's): the model, the
   * predictions waiting for labels (the expired ones dropped first), the recent event ids.
   */
  checkpointBody(now = Date.now()): CheckpointBody {
    this.state.pending.sweep(now);
    return {
      model: this.state.model.snapshot(),
      pending: this.state.pending.exportState(),
      eventIds: this.state.eventIds.exportState(),
    };
  }
}
