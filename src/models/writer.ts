/**
 * The single ordered writer of one model: it sequences every change as an event (next seq,
 * appended to the log, applied once durable, strictly in seq order) and answers the request
 * after that. What is accepted is decided by admission.ts, recovery by recovery.ts, when to
 * checkpoint by checkpointing.ts; this file owns the order.
 */
import type { LogEvent, Stored } from "../codec/events.js";
import { BrookError, brookError, diskFault, errnoOf } from "../errors.js";
import type { Json } from "../learn/index.js";
import type { CheckpointInfo, ModelRecord, Storage } from "../store/ports.js";
import { Admission, type LearnItem, type RememberItem } from "./admission.js";
import { applyEvent, type ModelState } from "./apply.js";
import { Checkpointer, type CheckpointPolicy } from "./checkpointing.js";
import { FeatureBudget } from "./feature-budget.js";
import { LearnGuard } from "./guard.js";
import type { PendingPredictions } from "./pending.js";
import { type ModelStores, recover, replay, type StateLimits, snapshotAt } from "./recovery.js";
import type { ServedModel } from "./served-model.js";

export type { LearnItem, RememberItem };

const RESUME = "; writes resume by themselves once the disk works again";

/** How a writer checkpoints and keeps pending predictions. */
export interface WriterOptions extends CheckpointPolicy, StateLimits {
  /** How long a remembered prediction waits for its label (ms). */
  pendingTtlMs: number;
  /** Most distinct feature names the model may learn (`--max-model-features`; none: unbounded). */
  maxModelFeatures?: number;
  logger?: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

/** Told what a writer did, once it is done (the live event feed listens). */
export interface WriterObserver {
  /** An event was applied to the model. */
  applied(writer: ModelWriter, stored: Stored): void;
  /** A checkpoint was saved. */
  checkpointed(writer: ModelWriter, info: CheckpointInfo): void;
}

/** Whether a writer accepts writes, and what is wrong if not (or if its checkpoints fail). */
export interface WriterHealth {
  /** False while the log's disk refuses writes (they are answered 507/503) or the model failed. */
  writable: boolean;
  problems: { kind: "log" | "checkpoint" | "model"; code: string; message: string; since: number }[];
}

/** What a model occupies on disk. */
export interface DiskUsage {
  log_bytes: number;
  checkpoint_bytes: number;
  segments: number;
  /** Seq of the oldest event still in the log (older ones deleted by retention). */
  first_seq: number;
}

/** How a learn request is taken. */
export interface LearnOptions {
  /** Also return River's metric texts (the original route answers with them). */
  texts?: boolean;
  /** Refused items are left out and reported instead of refusing the request (streams of examples). */
  partial?: boolean;
}

export interface LearnResult {
  /** The model version after the request's last example. */
  version: number;
  /** Seq of the request's last event in the log. */
  seq: number;
  /** Examples learned by this request (retries of known event ids are not learned again). */
  learned: number;
  /** Examples in the model's history right after the request's last example (its total). */
  total: number;
  /** Retries recognised by their event id. */
  duplicates: number;
  /** With `partial`: the items that were refused (by index in the request) and why. */
  rejected?: { index: number; code: string; message: string; setting?: string }[];
  metrics: Record<string, number>;
  texts: string[];
}

/** What is known of the model right after one of its events was applied. */
interface After {
  version: number;
  seq: number;
  /** The model's total learned. */
  total: number;
  metrics: Record<string, number>;
  /** River's metric texts, when the request asked for them. */
  texts: string[];
}

interface Inflight extends Stored {
  /** Set once applied, for the event that ends a request. */
  after?: After;
  /** 0: nothing to record; 1: the request ends here; 2: and it wants the metric texts. */
  wantsAfter: 0 | 1 | 2;
}

export class ModelWriter {
  private readonly state: ModelState;
  private readonly admission: Admission;
  private readonly checkpointer: Checkpointer;
  private readonly guard: LearnGuard;
  /** Events logged (or being logged) and not yet applied, in seq order, from `inflightHead` on. */
  private inflight: Inflight[] = [];
  private inflightHead = 0;
  /** The model could not apply a durable event: it no longer matches its log (until restart). */
  private failed: Error | undefined;
  private failedAt = 0;
  private closed = false;

  /** Called after every applied event (replication to read replicas). */
  onApplied: ((stored: Stored) => void) | undefined;
  /** Told of applied events and saved checkpoints (event streams). */
  observer: WriterObserver | undefined;

  private constructor(
    readonly record: ModelRecord,
    private readonly stores: ModelStores,
    state: ModelState,
    checkpointSeq: number,
    private readonly options: WriterOptions,
  ) {
    this.state = state;
    const warn = (obj: object, msg: string) => options.logger?.warn(obj, msg);
    const features =
      options.maxModelFeatures === undefined
        ? undefined
        : new FeatureBudget(() => this.state.model, options.maxModelFeatures);
    this.admission = new Admission(record.name, () => this.state, options.pendingTtlMs, features);
    this.checkpointer = new Checkpointer(
      stores,
      options,
      () => this.state,
      () => !this.closed && !this.failed && !stores.log.fault,
      warn,
      (info) => this.observer?.checkpointed(this, info),
    );
    this.checkpointer.startFrom(checkpointSeq);
    this.guard = new LearnGuard(
      record,
      options.history,
      () => this.state.model,
      () => this.inflight.slice(this.inflightHead),
      (seq) => snapshotAt(this.stores, this.options, seq),
    );
  }

  /** Opens a model's writer and recovers its state: newest valid checkpoint, then the log tail. */
  static async open(record: ModelRecord, storage: Storage, options: WriterOptions): Promise<ModelWriter> {
    const log = await storage.openLog(record.name);
    const checkpoints = await storage.openCheckpoints(record.name);
    const stores: ModelStores = { record, log, checkpoints };
    try {
      const { state, checkpointSeq } = recover(stores, options, (o, m) => options.logger?.warn(o, m));
      return new ModelWriter(record, stores, state, checkpointSeq, options);
    } catch (err) {
      await log.close();
      throw err;
    }
  }

  /** The model as it is now (all applied events). */
  get model(): ServedModel {
    return this.state.model;
  }

  /** Predictions waiting for their labels. */
  get pending(): PendingPredictions {
    return this.state.pending;
  }

  // ---------------------------------------------------------------- the write path

  private assertWritable(): void {
    if (this.failed)
      throw brookError(
        "UNAVAILABLE",
        `model "${this.record.name}" cannot accept writes: ${this.failed.message}`,
      );
    if (this.closed) throw brookError("UNAVAILABLE", `model "${this.record.name}" is shutting down`);
  }

  /** Writable or not, and why: the log's disk fault, a failing checkpoint, a failed model. */
  health(): WriterHealth {
    const problems: WriterHealth["problems"] = [];
    const fault = this.stores.log.fault;
    if (fault) {
      const e = diskFault(fault.error, `model "${this.record.name}" cannot accept writes`, RESUME);
      problems.push({ kind: "log", code: e.code, message: e.message, since: fault.since });
    }
    if (this.failed)
      problems.push({
        kind: "model",
        code: "BROOK_UNAVAILABLE",
        message: this.failed.message,
        since: this.failedAt,
      });
    const cp = this.checkpointer.problem;
    if (cp) problems.push({ kind: "checkpoint", ...cp });
    return { writable: !fault && !this.failed && !this.closed, problems };
  }

  /** Bytes and segments of the model's log and checkpoints. */
  /** Seconds the last checkpoint took to take (since this process started). */
  get checkpointSeconds(): number | undefined {
    return this.checkpointer.lastDuration;
  }

  diskUsage(): DiskUsage {
    const stats = this.stores.log.stats();
    const checkpointBytes = this.checkpointer.list().reduce((n, c) => n + c.bytes, 0);
    return {
      log_bytes: stats.bytes,
      checkpoint_bytes: checkpointBytes,
      segments: stats.segments,
      first_seq: stats.first,
    };
  }

  /** Appends events (seqs assigned now, in call order) and resolves once they are applied. */
  private async submit(events: LogEvent[], texts = false): Promise<After> {
    const { log } = this.stores;
    const first = log.head + 1;
    const end: 1 | 2 = texts ? 2 : 1;
    const records: Inflight[] = events.map((event, i) => ({
      seq: first + i,
      event,
      wantsAfter: i === events.length - 1 ? end : 0,
    }));
    this.admission.hold(events);
    for (const r of records) this.inflight.push(r);
    try {
      await log.append(first, events);
    } catch (err) {
      // Not durable, so never applied: the log is back at its last acknowledged event, and these
      // (with any queued behind them) leave the queue. Writes resume once the disk works again.
      this.inflight = this.inflight.slice(this.inflightHead).filter((r) => r.seq <= log.head);
      this.inflightHead = 0;
      for (const e of events) this.admission.release(e);
      this.guard.reset();
      if (errnoOf(err) || this.stores.log.fault)
        throw diskFault(err, `model "${this.record.name}": not stored`, RESUME);
      if (err instanceof BrookError) throw err;
      throw brookError(
        "UNAVAILABLE",
        `model "${this.record.name}": the log write failed (${(err as Error).message})`,
      );
    }
    const last = records[records.length - 1]!;
    this.applyUpTo(last.seq);
    return last.after!;
  }

  private applyUpTo(seq: number): void {
    const model = this.state.model;
    const queue = this.inflight;
    while (this.inflightHead < queue.length && queue[this.inflightHead]!.seq <= seq) {
      // An index, not shift(): a batch of thousands of events must not cost their square.
      const rec = queue[this.inflightHead++]!;
      try {
        this.apply(rec);
      } catch (err) {
        // The model could not apply a durable event: it no longer matches its log.
        this.failed ??= err as Error;
        this.failedAt ||= Date.now();
        throw brookError(
          "INTERNAL",
          `model "${this.record.name}" failed to apply event ${rec.seq}: ${(err as Error).message}`,
        );
      }
      if (rec.wantsAfter !== 0) {
        rec.after = {
          version: model.version,
          seq: rec.seq,
          total: model.learned,
          metrics: model.metricValues(),
          texts: rec.wantsAfter === 2 ? model.metricTexts() : [],
        };
      }
    }
    if (this.inflightHead === queue.length) {
      this.inflight = [];
      this.inflightHead = 0;
    } else if (this.inflightHead > 1024) {
      this.inflight = queue.slice(this.inflightHead);
      this.inflightHead = 0;
    }
    this.checkpointer.maybe(false);
  }

  private apply(stored: Stored): void {
    applyEvent(this.state, stored, (seq) => snapshotAt(this.stores, this.options, seq));
    this.admission.release(stored.event);
    this.onApplied?.(stored);
    this.observer?.applied(this, stored);
  }

  /**
   * Learns examples, in order, as one request: all are checked before any is logged.
   * `texts`: also return River's metric texts (the original route answers with them).
   */
  async learn(items: readonly LearnItem[], options: LearnOptions = {}): Promise<LearnResult> {
    this.assertWritable();
    const admitted = this.admission.learn(items, Date.now(), options.partial);
    const { duplicates, duplicateVersion } = admitted;
    const batch = items.length > 1;
    const guarded = this.guard.admit(
      admitted.events,
      this.stores.log.head + 1,
      options.partial === true,
      (i) => (batch ? `instances[${admitted.indexes[i]!}]` : ""),
    );
    const events = guarded.events;
    let rejected = admitted.rejected;
    if (guarded.refused.length > 0) {
      rejected = [
        ...(rejected ?? []),
        ...guarded.refused.map(({ at, error }) => ({
          index: admitted.indexes[at]!,
          code: error.code,
          message: error.message,
        })),
      ].sort((a, b) => a.index - b.index);
    }
    if (events.length === 0) {
      const model = this.state.model;
      return {
        version: Math.max(duplicateVersion, rejected ? model.version : 0),
        seq: model.seq,
        learned: 0,
        total: model.learned,
        duplicates,
        rejected,
        metrics: model.metricValues(),
        texts: options.texts ? model.metricTexts() : [],
      };
    }
    const after = await this.submit(events, options.texts);
    return { ...after, learned: events.length, duplicates, rejected };
  }

  /**
   * Remembers served predictions so that their labels can come later. Ids are the client's or
   * generated; a client id that is still waiting for its label is a conflict (409).
   */
  async remember(items: readonly RememberItem[]): Promise<string[]> {
    this.assertWritable();
    const { ids, events } = this.admission.remember(items, Date.now());
    this.guard.admit(events, this.stores.log.head + 1, false, () => "");
    await this.submit(events);
    return ids;
  }

  /** Returns the model to the newest checkpoint at or before `version`, as a logged event. */
  async rollback(version: number): Promise<{ version: number; checkpoint: CheckpointInfo }> {
    this.assertWritable();
    const target = this.checkpointer
      .list()
      .filter((c) => c.version <= version)
      .pop();
    if (!target) {
      throw brookError(
        "NO_CHECKPOINT",
        `model "${this.record.name}" has no checkpoint at or before version ${version}`,
        { version },
      );
    }
    // Fail before logging anything if the state at that checkpoint cannot be had.
    snapshotAt(this.stores, this.options, target.seq);
    const events: LogEvent[] = [{ type: "rollback", checkpoint: target.seq, at: Date.now() }];
    this.guard.admit(events, this.stores.log.head + 1, false, () => "");
    const after = await this.submit(events);
    // Checkpoint the rolled-back state now, so that recovering from the newest checkpoint never
    // needs the target again (retention may delete it and the events before it later).
    await this.checkpointer
      .take()
      .catch((err: Error) =>
        this.options.logger?.warn(
          { model: this.record.name, err: err.message },
          "checkpoint after rollback failed",
        ),
      );
    return { version: after.version, checkpoint: target };
  }

  /** Replaces the model's learned state by an exported one (a warm start), as a logged event. */
  async import(doc: unknown): Promise<{ version: number }> {
    this.assertWritable();
    const checked = this.state.model.checkImport(doc);
    const events: LogEvent[] = [{ type: "import", state: checked as unknown as Json, at: Date.now() }];
    this.guard.admit(events, this.stores.log.head + 1, false, () => "");
    const after = await this.submit(events);
    return { version: after.version };
  }

  // ---------------------------------------------------------------- checkpoints and replays

  /** Takes a checkpoint of the applied state now (the log is synced first, so it never runs ahead of it). */
  checkpoint(): Promise<CheckpointInfo> {
    return this.checkpointer.take();
  }

  listCheckpoints(): CheckpointInfo[] {
    return this.checkpointer.list();
  }

  /**
   * The model as it was after event `seq`, rebuilt from the log alone (from scratch, or from the
   * newest readable checkpoint at or before `seq` when `fromScratch` is false).
   */
  replayTo(seq: number, fromScratch = true): ServedModel {
    return replay(this.stores, this.options, seq, fromScratch ? "scratch" : "checkpoint").model;
  }

  /** The log's head seq (events appended, applied or not). */
  get logHead(): number {
    return this.stores.log.head;
  }

  /** Stops accepting writes, waits for the ones in flight, checkpoints, closes the log. */
  async close(options: { checkpoint?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.inflightHead < this.inflight.length && !this.failed)
      await new Promise((r) => setImmediate(r));
    if (options.checkpoint !== false && !this.failed && this.checkpointer.behind) {
      // The log holds every acknowledged event already: a checkpoint the disk refuses only
      // makes the next start replay more.
      await this.checkpointer
        .take()
        .catch((err: Error) =>
          this.options.logger?.warn({ model: this.record.name, err: err.message }, "final checkpoint failed"),
        );
    }
    await this.checkpointer.stop();
    await this.stores.log.close();
  }
}
