import type { LogEvent, Stored } from "../codec/events.js";
import type { Json } from "../learn/index.js";

/** When appended events reach the disk: after every group commit, on a timer, or when the OS decides. */
export type FsyncPolicy = "always" | "interval" | "never";

/**
 * A model's ordered, durable log of events. `append` takes events with consecutive seqs
 * starting at `head + 1`; its promise resolves once they are as durable as the fsync policy
 * says (appends made in the same tick share one write and one fsync: group commit).
 */
export interface EventLog {
  /** Seq of the last appended event (0 when empty). */
  readonly head: number;
  append(firstSeq: number, events: readonly LogEvent[]): Promise<void>;
  /** Events with seq >= `fromSeq`, in order (throws `LogCorruptError` on a damaged record). */
  read(fromSeq: number): Iterable<Stored>;
  /** Resolves once everything appended so far is on disk, whatever the fsync policy. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** A model state saved at a log position. */
export interface CheckpointInfo {
  /** The seq of the last event the checkpoint includes. */
  seq: number;
  /** The model version at that point. */
  version: number;
  /** When it was taken (ISO time). */
  createdAt: string;
  bytes: number;
}

export interface CheckpointStore {
  save(info: Omit<CheckpointInfo, "bytes">, body: Json): Promise<CheckpointInfo>;
  /** Checkpoints on record, oldest first. */
  list(): CheckpointInfo[];
  /** The body of the checkpoint at `seq`; throws `CheckpointCorruptError` if it fails its checksum. */
  load(seq: number): Json;
  /** Keeps the newest `keep` checkpoints and deletes the others. */
  prune(keep: number): Promise<void>;
}

/** What the registry remembers of a model, enough to build it again. */
export interface ModelRecord {
  name: string;
  spec: Json;
  metrics: string[];
  /** Spec of a drift detector watching the model's errors. */
  drift?: string;
  /** Seeds drawn at creation for the params the spec left to chance (`None`), by param path. */
  seeds?: Record<string, number>;
  createdAt: string;
}

/** Where models live: one log and one checkpoint store per model, and the registry of models. */
export interface Storage {
  readonly kind: "file" | "memory";
  /** Where the data is, for messages. */
  readonly location: string;
  loadRegistry(): Promise<ModelRecord[]>;
  saveRegistry(models: ModelRecord[]): Promise<void>;
  openLog(model: string): Promise<EventLog>;
  openCheckpoints(model: string): Promise<CheckpointStore>;
  /** Deletes everything stored for a model. */
  dropModel(model: string): Promise<void>;
  close(): Promise<void>;
}

/** A log record failed its checksum (or broke the seq order) with valid records after it. */
export class LogCorruptError extends Error {
  constructor(
    readonly file: string,
    readonly seq: number,
    message: string,
  ) {
    super(message);
    this.name = "LogCorruptError";
  }
}

export class CheckpointCorruptError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = "CheckpointCorruptError";
  }
}
