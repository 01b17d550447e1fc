import { createHash } from "node:crypto";
import { encodeRecord, type LogEvent, type Stored } from "../../codec/events.js";
import type { Json } from "../../learn/index.js";
import { readHeldRecords } from "../in-memory-records.js";
import {
  CheckpointCorruptError,
  type CheckpointInfo,
  type CheckpointStore,
  type EventLog,
  type LogFault,
  type LogStats,
  type ModelRecord,
  type Storage,
} from "../ports.js";

/**
 * An event log in memory (tests, and `--store memory` when nothing must survive a restart).
 * It keeps each event as the same record bytes the file log writes, so what is read back has
 * been through the same encoding (nothing aliases the live objects that were appended).
 */
export class MemoryEventLog implements EventLog {
  private records: Buffer[] = [];
  /** Events before this seq were compacted away. */
  private base = 1;
  readonly fault: LogFault | undefined = undefined;

  get head(): number {
    return this.base + this.records.length - 1;
  }

  get first(): number {
    return this.base;
  }

  async append(firstSeq: number, events: readonly LogEvent[]): Promise<void> {
    if (firstSeq !== this.head + 1) throw new Error(`append at seq ${firstSeq}, expected ${this.head + 1}`);
    for (const [i, event] of events.entries()) this.records.push(encodeRecord(firstSeq + i, event));
  }

  /** The record bytes of `seq`, as the file log would frame them (for the store contract tests). */
  recordBytes(seq: number): Buffer | undefined {
    return this.records[seq - this.base];
  }

  read(fromSeq: number): Generator<Stored> {
    return readHeldRecords(this.records, this.base, this.head, fromSeq);
  }

  async sync(): Promise<void> {}

  async compact(seq: number): Promise<number> {
    // Keeps the newest event, like the file log keeps the segment it writes.
    const drop = Math.min(seq - this.base + 1, this.records.length - 1);
    if (drop <= 0) return 0;
    this.records = this.records.slice(drop);
    this.base += drop;
    return 1;
  }

  stats(): LogStats {
    return {
      bytes: this.records.reduce((n, r) => n + r.length + 8, 0),
      segments: this.records.length ? 1 : 0,
      first: this.base,
    };
  }

  async close(): Promise<void> {}
}

/**
 * Checkpoints in memory, kept as JSON text so they cannot alias live state, with a SHA-256 like
 * the file store's, so that a damaged one fails `load` the same way.
 */
export class MemoryCheckpointStore implements CheckpointStore {
  private readonly saved = new Map<number, { info: CheckpointInfo; text: string; sha256: string }>();

  async save(info: Omit<CheckpointInfo, "bytes">, body: Json): Promise<CheckpointInfo> {
    const text = JSON.stringify(body);
    const full = { ...info, bytes: text.length };
    this.saved.set(info.seq, { info: full, text, sha256: sha256(text) });
    return full;
  }

  list(): CheckpointInfo[] {
    return [...this.saved.values()].map((s) => s.info).sort((a, b) => a.seq - b.seq);
  }

  load(seq: number): Json {
    const s = this.saved.get(seq);
    if (!s) throw new CheckpointCorruptError(`memory:${seq}`, `no checkpoint at seq ${seq}`);
    if (sha256(s.text) !== s.sha256)
      throw new CheckpointCorruptError(`memory:${seq}`, `the checkpoint at seq ${seq} fails its checksum`);
    return JSON.parse(s.text) as Json;
  }

  /** Flips a character of a saved checkpoint, as a failing disk would (for the store contract tests). */
  damage(seq: number): void {
    const s = this.saved.get(seq);
    if (s) s.text = `${s.text.slice(0, -2)}#${s.text.slice(-1)}`;
  }

  async prune(keep: number): Promise<void> {
    const infos = this.list();
    for (const c of infos.slice(0, Math.max(0, infos.length - keep))) this.saved.delete(c.seq);
  }
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** Everything in this process's memory: nothing survives a restart. */
export class MemoryStorage implements Storage {
  readonly kind = "memory" as const;
  readonly location = "memory";
  private registry: ModelRecord[] = [];
  private readonly logs = new Map<string, MemoryEventLog>();
  private readonly checkpoints = new Map<string, MemoryCheckpointStore>();

  async lock(): Promise<void> {}

  async setAddress(): Promise<void> {}

  async saveModelRecord(): Promise<void> {}

  async loadRegistry(): Promise<ModelRecord[]> {
    return structuredClone(this.registry);
  }

  async saveRegistry(models: ModelRecord[]): Promise<void> {
    this.registry = structuredClone(models);
  }

  async openLog(model: string): Promise<EventLog> {
    let log = this.logs.get(model);
    if (!log) {
      log = new MemoryEventLog();
      this.logs.set(model, log);
    }
    return log;
  }

  async openCheckpoints(model: string): Promise<CheckpointStore> {
    let store = this.checkpoints.get(model);
    if (!store) {
      store = new MemoryCheckpointStore();
      this.checkpoints.set(model, store);
    }
    return store;
  }

  async dropModel(model: string): Promise<void> {
    this.logs.delete(model);
    this.checkpoints.delete(model);
  }

  async setAside(model: string): Promise<string | undefined> {
    await this.dropModel(model);
    return undefined;
  }

  async close(): Promise<void> {}
}
