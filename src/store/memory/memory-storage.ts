import { decodeRecord, encodeRecord, type LogEvent, type Stored } from "../../codec/events.js";
import type { Json } from "../../learn/index.js";
import type { CheckpointInfo, CheckpointStore, EventLog, ModelRecord, Storage } from "../ports.js";

/**
 * An event log in memory (tests, and `--store memory` when nothing must survive a restart).
 * It keeps each event as the same record bytes the file log writes, so what is read back has
 * been through the same encoding (nothing aliases the live objects that were appended).
 */
export class MemoryEventLog implements EventLog {
  private readonly records: Buffer[] = [];

  get head(): number {
    return this.records.length;
  }

  async append(firstSeq: number, events: readonly LogEvent[]): Promise<void> {
    if (firstSeq !== this.head + 1) throw new Error(`append at seq ${firstSeq}, expected ${this.head + 1}`);
    for (const [i, event] of events.entries()) this.records.push(encodeRecord(firstSeq + i, event));
  }

  *read(fromSeq: number): Generator<Stored> {
    for (let i = Math.max(0, fromSeq - 1); i < this.records.length; i++) yield decodeRecord(this.records[i]!);
  }

  async sync(): Promise<void> {}

  async close(): Promise<void> {}
}

/** Checkpoints in memory, kept as JSON text so they cannot alias live state. */
export class MemoryCheckpointStore implements CheckpointStore {
  private readonly saved = new Map<number, { info: CheckpointInfo; text: string }>();

  async save(info: Omit<CheckpointInfo, "bytes">, body: Json): Promise<CheckpointInfo> {
    const text = JSON.stringify(body);
    const full = { ...info, bytes: text.length };
    this.saved.set(info.seq, { info: full, text });
    return full;
  }

  list(): CheckpointInfo[] {
    return [...this.saved.values()].map((s) => s.info).sort((a, b) => a.seq - b.seq);
  }

  load(seq: number): Json {
    const s = this.saved.get(seq);
    if (!s) throw new Error(`no checkpoint at seq ${seq}`);
    return JSON.parse(s.text) as Json;
  }

  async prune(keep: number): Promise<void> {
    const infos = this.list();
    for (const c of infos.slice(0, Math.max(0, infos.length - keep))) this.saved.delete(c.seq);
  }
}

/** Everything in this process's memory: nothing survives a restart. */
export class MemoryStorage implements Storage {
  readonly kind = "memory" as const;
  readonly location = "memory";
  private registry: ModelRecord[] = [];
  private readonly logs = new Map<string, MemoryEventLog>();
  private readonly checkpoints = new Map<string, MemoryCheckpointStore>();

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

  async close(): Promise<void> {}
}
