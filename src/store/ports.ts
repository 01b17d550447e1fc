import type { LogEvent, Stored } from "../codec/events.js";
import { BrookError, codes } from "../errors.js";
import type { Json } from "../learn/index.js";

/** When appended events reach the disk: after every group commit, on a timer, or when the OS decides. */
export type FsyncPolicy = "always" | "interval" | "never";

/** A storage fault that makes a log refuse appends until the disk works again. */
export interface LogFault {
  /** The error the disk gave (its `code` is the errno: ENOSPC, EIO...). */
  error: Error;
  /** When it started (ms since the epoch). */
  since: number;
}

/** What a log occupies. */
export interface LogStats {
  /** Bytes of the log (all segments). */
  bytes: number;
  segments: number;
  /** Seq of the oldest event still stored (`head + 1` when none is). */
  first: number;
}

/**
 * A model's ordered, durable log of events. `append` takes events with consecutive seqs
 * starting at `head + 1`; its promise resolves once they are as durable as the fsync policy
 * says (appends made in the same tick share one write and one fsync: group commit), and
 * rejects if the disk failed them: then `head` is back at the last acknowledged event, and the
 * log refuses appends (`fault`) until it has put its file back in a known good state.
 */
export interface EventLog {
  /** Seq of the last appended event (0 when empty). */
  readonly head: number;
  /** Seq of the oldest stored event (older ones were deleted by retention); `head + 1` when empty. */
  readonly first: number;
  /** Set while the disk refuses the log's writes; cleared by itself once it works again. */
  readonly fault: LogFault | undefined;
  append(firstSeq: number, events: readonly LogEvent[]): Promise<void>;
  /**
   * Events with seq >= `fromSeq`, in order (throws `LogCorruptError` on a damaged record, and a
   * `BROOK_HISTORY_PRUNED` error if events from `fromSeq` on were deleted by retention).
   */
  read(fromSeq: number): Iterable<Stored>;
  /** Resolves once everything appended so far is on disk, whatever the fsync policy. */
  sync(): Promise<void>;
  /**
   * Deletes stored events that are all at or below `seq` where the storage can (whole
   * segments, never the one being written); returns how many segments it deleted.
   */
  compact(seq: number): Promise<number>;
  stats(): LogStats;
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

/** Who holds a data folder: written in its LOCK file. */
export interface LockOwner {
  pid: number;
  hostname: string;
  /** When the process took the folder (ISO time). */
  startedAt: string;
  /** Where it listens, once known (`http://127.0.0.1:8080`). */
  address?: string;
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

/** Where a storage reports what it repaired, rebuilt or took over. */
export interface StorageLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/** Where models live: one log and one checkpoint store per model, and the registry of models. */
export interface Storage {
  readonly kind: "file" | "memory" | "redis";
  /** Where the data is, for messages. */
  readonly location: string;
  /** Set by whoever opens the storage (the engine gives its own when none was). */
  logger?: StorageLogger | undefined;
  /**
   * Takes the data folder for this process (one owner at a time; `BROOK_DATA_DIR_LOCKED` if a
   * live process holds it); released by `close`. Storage without a folder does nothing.
   */
  lock(address?: string): Promise<void>;
  /** Records the address the owner listens on, once known (shown to a second process refused). */
  setAddress(address: string): Promise<void>;
  /**
   * The models on record. A file storage whose registry is missing or damaged rebuilds it
   * from the models' own records, or refuses (`BROOK_REGISTRY_DAMAGED`); it never drops data.
   */
  loadRegistry(): Promise<ModelRecord[]>;
  saveRegistry(models: ModelRecord[]): Promise<void>;
  /** Stores a new model's creation record next to its data (before it enters the registry). */
  saveModelRecord(record: ModelRecord): Promise<void>;
  openLog(model: string): Promise<EventLog>;
  openCheckpoints(model: string): Promise<CheckpointStore>;
  /** Deletes everything stored for a model. */
  dropModel(model: string): Promise<void>;
  /**
   * Moves whatever is stored under a name the registry does not list out of the way (kept,
   * never deleted: it may be a model a restored registry forgot); returns where it went.
   */
  setAside(model: string): Promise<string | undefined>;
  close(): Promise<void>;
}

/**
 * A log record failed its checksum (or broke the seq order) with valid records after it, or a
 * segment is missing: events would be lost by going on, so nothing is changed and the start is
 * refused (`brook doctor` shows it, `brook repair` cuts it explicitly).
 */
export class LogCorruptError extends BrookError {
  constructor(
    readonly file: string,
    readonly seq: number,
    message: string,
    /** Byte offset of the damage in `file`. */
    readonly offset = -1,
  ) {
    super(codes.LOG_CORRUPT[0], codes.LOG_CORRUPT[1], message, { file, seq, offset });
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
