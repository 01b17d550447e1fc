import { randomUUID } from "node:crypto";
import { brookError } from "../errors.js";
import type { Json, Label, RawFeatures } from "../learn/index.js";
import type { Prediction } from "../learn/metrics/metric.js";
import type { LogEvent, Stored } from "../store/events.js";
import type { CheckpointInfo, CheckpointStore, EventLog, ModelRecord, Storage } from "../store/ports.js";
import { applyToHost } from "./apply.js";
import { type HostSnapshot, ModelHost, type PredictOutcome } from "./model-host.js";
import { type PendingEntry, PendingPredictions, RecentEventIds } from "./pending.js";

/** How a writer checkpoints and keeps pending predictions. */
export interface WriterOptions {
  /** Checkpoint after this many events... */
  checkpointEvery: number;
  /** ...or this long after the last checkpoint when events came in (ms). */
  checkpointIntervalMs: number;
  /** Checkpoints kept (older ones are deleted). */
  checkpointKeep: number;
  /** How long a remembered prediction waits for its label (ms). */
  pendingTtlMs: number;
  /** Most remembered predictions per model (the oldest is evicted). */
  pendingCapacity: number;
  /** Event ids remembered for idempotent retries. */
  eventIdCapacity: number;
  logger?: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

/** One item of a learn request: features and target, or the id of a remembered prediction and its target. */
export interface LearnItem {
  x?: RawFeatures;
  id?: string;
  /** Absent only for anomaly detectors learning without a label. */
  y: Label | number | undefined;
  /** Client-chosen id that makes a retry of this item a no-op. */
  eid?: string;
}

export interface LearnResult {
  /** The model version after the request's last example. */
  version: number;
  /** Seq of the request's last event in the log. */
  seq: number;
  /** Examples learned by this request (retries of known event ids are not learned again). */
  learned: number;
  /** Retries recognised by their event id. */
  duplicates: number;
  metrics: Record<string, number>;
  texts: string[];
}

/** What is known of the model right after one of its events was applied. */
interface After {
  version: number;
  seq: number;
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

/** The body of a checkpoint. */
interface CheckpointBody {
  host: HostSnapshot;
  pending: Json;
  eventIds: Json;
}

/**
 * The single ordered writer of one model. Every change is an event: it gets the next seq,
 * is appended to the log, and is applied to the model once durable, strictly in seq order;
 * the request is answered after that. Checks that depend on the log (known ids, retries)
 * see the events still in flight, so concurrent requests cannot both take the same id.
 *
 * Recovery: newest valid checkpoint, then the log after it. The result equals a replay of
 * the whole log from scratch, bit for bit (`replayTo`).
 */
export class ModelWriter {
  readonly host: ModelHost;
  readonly pending: PendingPredictions;
  private readonly eventIds: RecentEventIds;
  private inflight: Inflight[] = [];
  private readonly inflightEids = new Set<string>();
  private readonly inflightLabels = new Set<string>();
  private readonly inflightRemembered = new Map<string, PendingEntry>();
  private failed: Error | undefined;
  private closed = false;
  private lastCheckpoint = { seq: 0, at: Date.now() };
  private checkpointing: Promise<CheckpointInfo> | undefined;
  private readonly timer: NodeJS.Timeout;

  private constructor(
    readonly record: ModelRecord,
    private readonly log: EventLog,
    private readonly checkpoints: CheckpointStore,
    private readonly options: WriterOptions,
  ) {
    this.host = new ModelHost(record.name, record.spec as string, record.metrics, record.drift);
    this.pending = new PendingPredictions(options.pendingCapacity);
    this.eventIds = new RecentEventIds(options.eventIdCapacity);
    this.timer = setInterval(
      () => this.maybeCheckpoint(true),
      Math.max(1000, options.checkpointIntervalMs / 4),
    );
    this.timer.unref();
  }

  /** Opens a model's writer and recovers its state: newest valid checkpoint, then the log tail. */
  static async open(record: ModelRecord, storage: Storage, options: WriterOptions): Promise<ModelWriter> {
    const log = await storage.openLog(record.name);
    const checkpoints = await storage.openCheckpoints(record.name);
    const writer = new ModelWriter(record, log, checkpoints, options);
    try {
      writer.recover();
    } catch (err) {
      clearInterval(writer.timer);
      await log.close();
      throw err;
    }
    return writer;
  }

  private recover(): void {
    for (const info of this.checkpoints.list().reverse()) {
      try {
        this.restore(this.checkpoints.load(info.seq) as unknown as CheckpointBody);
        this.lastCheckpoint = { seq: info.seq, at: Date.now() };
        break;
      } catch (err) {
        this.options.logger?.warn(
          { model: this.record.name, seq: info.seq, err: (err as Error).message },
          "checkpoint unusable, trying the one before",
        );
      }
    }
    if (this.host.seq > this.log.head) {
      throw new Error(
        `model "${this.record.name}": its checkpoint includes events up to seq ${this.host.seq} but the log ends at ${this.log.head}; the log lost events, refusing to start`,
      );
    }
    for (const stored of this.log.read(this.host.seq + 1)) this.apply(stored);
  }

  private restore(body: CheckpointBody): void {
    this.host.restoreSnapshot(body.host);
    this.pending.importState(body.pending);
    this.eventIds.importState(body.eventIds);
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

  /** Appends events (seqs assigned now, in call order) and resolves once they are applied. */
  private async submit(events: LogEvent[], texts = false): Promise<After> {
    const first = this.log.head + 1;
    const end: 1 | 2 = texts ? 2 : 1;
    const records: Inflight[] = events.map((event, i) => ({
      seq: first + i,
      event,
      wantsAfter: i === events.length - 1 ? end : 0,
    }));
    this.inflight.push(...records);
    try {
      await this.log.append(first, events);
    } catch (err) {
      this.failed ??= err as Error;
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
    while (this.inflight.length > 0 && this.inflight[0]!.seq <= seq) {
      const rec = this.inflight.shift()!;
      try {
        this.apply(rec);
      } catch (err) {
        // The model could not apply a durable event: it no longer matches its log.
        this.failed ??= err as Error;
        throw brookError(
          "INTERNAL",
          `model "${this.record.name}" failed to apply event ${rec.seq}: ${(err as Error).message}`,
        );
      }
      if (rec.wantsAfter !== 0) {
        rec.after = {
          version: this.host.version,
          seq: rec.seq,
          metrics: this.host.metricValues(),
          texts: rec.wantsAfter === 2 ? this.host.metricTexts() : [],
        };
      }
    }
    this.maybeCheckpoint(false);
  }

  /** Applies one event: the deterministic heart of replay, recovery and the live path. */
  private apply(stored: Stored): void {
    const { event } = stored;
    applyToHost(this.host, stored, (ckpt) => this.checkpointBody(ckpt).host);
    switch (event.type) {
      case "learn":
        if (event.id !== undefined) {
          this.pending.consume(event.id);
          this.inflightLabels.delete(event.id);
        }
        if (event.eid !== undefined) {
          this.eventIds.add(event.eid, this.host.version);
          this.inflightEids.delete(event.eid);
        }
        break;
      case "remember":
        this.pending.add({ id: event.id, x: event.x, p: event.p, v: event.v, exp: event.exp });
        this.inflightRemembered.delete(event.id);
        break;
    }
    this.onApplied?.(stored);
  }

  /** Called after every applied event (replication to read replicas). */
  onApplied: ((stored: Stored) => void) | undefined;

  /**
   * Learns examples, in order, as one request: all are checked before any is logged.
   * `texts`: also return River's metric texts (the original route answers with them).
   */
  async learn(items: readonly LearnItem[], options: { texts?: boolean } = {}): Promise<LearnResult> {
    this.assertWritable();
    const now = Date.now();
    const events: LogEvent[] = [];
    // Ids seen earlier in this request (only requests of several items need them).
    let batchEids: Set<string> | undefined;
    let batchIds: Set<string> | undefined;
    let duplicates = 0;
    let duplicateVersion = 0;
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (item.eid !== undefined) {
        const known = this.eventIds.get(item.eid);
        if (known !== undefined || this.inflightEids.has(item.eid) || batchEids?.has(item.eid)) {
          duplicates++;
          duplicateVersion = Math.max(duplicateVersion, known ?? this.host.version);
          continue;
        }
        batchEids ??= new Set();
        batchEids.add(item.eid);
      }
      if (item.id !== undefined) {
        const entry = this.takeable(item.id, now, items.length > 1 ? `instances[${i}]` : "", batchIds);
        batchIds ??= new Set();
        batchIds.add(item.id);
        events.push({
          type: "learn",
          x: entry.x,
          y: item.y,
          p: entry.p,
          id: item.id,
          eid: item.eid,
          at: now,
        });
      } else {
        events.push({ type: "learn", x: item.x!, y: item.y, eid: item.eid, at: now });
      }
    }
    if (events.length === 0) {
      return {
        version: duplicateVersion,
        seq: this.host.seq,
        learned: 0,
        duplicates,
        metrics: this.host.metricValues(),
        texts: options.texts ? this.host.metricTexts() : [],
      };
    }
    for (const e of events) {
      if (e.type !== "learn") continue;
      if (e.eid !== undefined) this.inflightEids.add(e.eid);
      if (e.id !== undefined) this.inflightLabels.add(e.id);
    }
    const after = await this.submit(events, options.texts);
    return { ...after, learned: events.length, duplicates };
  }

  /** The remembered prediction `id`, if a label may be learned for it now (404/409 otherwise). */
  private takeable(id: string, now: number, where: string, batchIds: Set<string> | undefined): PendingEntry {
    const path = where ? `${where}.id` : "id";
    if (this.inflightLabels.has(id) || batchIds?.has(id) || this.pending.wasLabelled(id, now)) {
      throw brookError("ALREADY_LABELLED", `${path} "${id}" already has its label`, { path, id });
    }
    const entry = this.pending.get(id) ?? this.inflightRemembered.get(id);
    if (!entry) {
      throw brookError(
        "ID_NOT_FOUND",
        `${path} "${id}" is not a remembered prediction of model "${this.record.name}" (unknown, evicted, or expired long ago)`,
        { path, id },
      );
    }
    if (entry.exp < now) {
      this.pending.expire(id);
      throw brookError(
        "ID_EXPIRED",
        `${path} "${id}" expired: its label came after the ${this.options.pendingTtlMs / 1000} s the prediction was kept`,
        { path, id },
      );
    }
    return entry;
  }

  /**
   * Remembers served predictions so that their labels can come later. Ids are the client's or
   * generated; a client id that is still waiting for its label is a conflict (409).
   */
  async remember(
    items: readonly { x: RawFeatures; outcome: PredictOutcome; id?: string }[],
  ): Promise<string[]> {
    this.assertWritable();
    const now = Date.now();
    const seen = new Set<string>();
    const ids = items.map((item, i) => {
      const id = item.id ?? randomUUID();
      if (
        item.id !== undefined &&
        (this.pending.get(id) ||
          this.inflightRemembered.has(id) ||
          seen.has(id) ||
          this.pending.wasLabelled(id, now))
      ) {
        const path = items.length > 1 ? `instances[${i}].id` : "id";
        throw brookError("ID_CONFLICT", `${path} "${id}" is already in use by a remembered prediction`, {
          path,
          id,
        });
      }
      seen.add(id);
      return id;
    });
    const events: LogEvent[] = items.map((item, i) => ({
      type: "remember",
      id: ids[i]!,
      x: item.x,
      p: servedPrediction(item.outcome),
      v: this.host.version,
      exp: now + this.options.pendingTtlMs,
      at: now,
    }));
    for (const e of events)
      if (e.type === "remember")
        this.inflightRemembered.set(e.id, { id: e.id, x: e.x, p: e.p, v: e.v, exp: e.exp });
    await this.submit(events);
    return ids;
  }

  /** Returns the model to the newest checkpoint at or before `version`, as a logged event. */
  async rollback(version: number): Promise<{ version: number; checkpoint: CheckpointInfo }> {
    this.assertWritable();
    const target = this.checkpoints
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
    // Fail before logging anything if the checkpoint cannot be read.
    this.checkpointBody(target.seq);
    const after = await this.submit([{ type: "rollback", ckpt: target.seq, at: Date.now() }]);
    return { version: after.version, checkpoint: target };
  }

  /** Replaces the model's learned state by an exported one (a warm start), as a logged event. */
  async import(doc: unknown): Promise<{ version: number }> {
    this.assertWritable();
    const checked = this.host.checkImport(doc);
    const after = await this.submit([{ type: "import", state: checked as unknown as Json, at: Date.now() }]);
    return { version: after.version };
  }

  // ---------------------------------------------------------------- checkpoints

  private checkpointBody(seq: number): CheckpointBody {
    try {
      return this.checkpoints.load(seq) as unknown as CheckpointBody;
    } catch {
      // Gone (pruned) or damaged: the state at that seq is still a function of the log.
      return { host: this.replayTo(seq).snapshot(), pending: null, eventIds: null };
    }
  }

  /**
   * The model as it was after event `seq`, rebuilt from the log alone (from scratch, or from the
   * newest readable checkpoint at or before `seq` when `fromScratch` is false).
   */
  replayTo(seq: number, fromScratch = true): ModelHost {
    const replica = new ModelWriter(this.record, this.log, this.checkpoints, this.options);
    clearInterval(replica.timer);
    if (!fromScratch) {
      const base = this.checkpoints
        .list()
        .filter((c) => c.seq <= seq)
        .pop();
      if (base) replica.restore(this.checkpoints.load(base.seq) as unknown as CheckpointBody);
    }
    for (const stored of this.log.read(replica.host.seq + 1)) {
      if (stored.seq > seq) break;
      replica.apply(stored);
    }
    return replica.host;
  }

  private maybeCheckpoint(timer: boolean): void {
    if (this.checkpointing || this.closed || this.failed) return;
    const since = this.host.seq - this.lastCheckpoint.seq;
    if (since <= 0) return;
    const due =
      since >= this.options.checkpointEvery ||
      (timer && Date.now() - this.lastCheckpoint.at >= this.options.checkpointIntervalMs);
    if (due) {
      this.checkpoint().catch((err: Error) =>
        this.options.logger?.warn({ model: this.record.name, err: err.message }, "checkpoint failed"),
      );
    }
  }

  /** Takes a checkpoint of the applied state now (the log is synced first, so it never runs ahead of it). */
  async checkpoint(): Promise<CheckpointInfo> {
    while (this.checkpointing) await this.checkpointing.catch(() => undefined);
    const existing = this.checkpoints.list().find((c) => c.seq === this.host.seq);
    if (existing) return existing;
    const body: CheckpointBody = {
      host: this.host.snapshot(),
      pending: this.pending.exportState(),
      eventIds: this.eventIds.exportState(),
    };
    const info = { seq: this.host.seq, version: this.host.version, createdAt: new Date().toISOString() };
    this.checkpointing = (async () => {
      await this.log.sync();
      const saved = await this.checkpoints.save(info, body as unknown as Json);
      await this.checkpoints.prune(this.options.checkpointKeep);
      this.lastCheckpoint = { seq: info.seq, at: Date.now() };
      return saved;
    })();
    try {
      return await this.checkpointing;
    } finally {
      this.checkpointing = undefined;
    }
  }

  listCheckpoints(): CheckpointInfo[] {
    return this.checkpoints.list();
  }

  /** The log's head seq (events appended, applied or not). */
  get logHead(): number {
    return this.log.head;
  }

  /** Stops accepting writes, waits for the ones in flight, checkpoints, closes the log. */
  async close(options: { checkpoint?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    while (this.inflight.length > 0 && !this.failed) await new Promise((r) => setImmediate(r));
    if (options.checkpoint !== false && !this.failed && this.host.seq > this.lastCheckpoint.seq)
      await this.checkpoint();
    await this.checkpointing?.catch(() => undefined);
    await this.log.close();
  }
}

/** What a remembered prediction keeps to score its label: probabilities, a number, or nothing. */
function servedPrediction(outcome: PredictOutcome): Prediction | null {
  if (outcome.probabilities) return outcome.probabilities.size > 0 ? outcome.probabilities : null;
  return outcome.prediction === undefined ? null : (outcome.prediction as Prediction);
}
