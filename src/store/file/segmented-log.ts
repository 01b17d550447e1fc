import { closeSync, ftruncateSync, openSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { decodeRecord, encodeRecord, type LogEvent, recordSeq, type Stored } from "../../codec/events.js";
import { brookError } from "../../errors.js";
import { type EventLog, type FsyncPolicy, LogCorruptError, type LogFault, type LogStats } from "../ports.js";
import { frame, scan } from "../record.js";
import { type FileLayer, type LogFile, nodeFiles } from "./file-io.js";
import { syncDir } from "./fs-util.js";
import { HandlePool, type PoolMember } from "./handle-pool.js";

export interface LogOptions {
  fsync: FsyncPolicy;
  /** With `fsync: "interval"`, how often dirty data is synced (ms). */
  fsyncIntervalMs: number;
  /** A new segment starts once the current one would grow past this. */
  segmentBytes: number;
  /** After a disk fault, how long before the log tries its file again (ms; default 1000). */
  retryMs?: number;
  /** The file operations (default: node:fs/promises; tests inject faults). */
  files?: FileLayer;
  /** Shared bound on open segment files (default: a pool of its own with room for 1). */
  pool?: HandlePool;
  logger?: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

interface Segment {
  firstSeq: number;
  path: string;
}

const SEGMENT = /^(\d{20})\.seg$/;
export const segmentName = (firstSeq: number) => `${String(firstSeq).padStart(20, "0")}.seg`;

/** The segment files of a log folder, oldest first. */
export function listSegments(dir: string): Segment[] {
  return readdirSync(dir)
    .map((f) => SEGMENT.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ firstSeq: Number(m[1]), path: join(dir, m[0]) }))
    .sort((a, b) => a.firstSeq - b.firstSeq);
}

interface Pending {
  buf: Buffer;
  firstSeq: number;
  lastSeq: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** A write that made no progress: treated as a disk error (never looped on forever). */
function noProgress(): Error {
  return Object.assign(new Error("the disk accepted no bytes"), { code: "EIO" });
}

/**
 * The embedded event log: append-only segment files named by their first seq, records framed
 * with a length and a CRC32. Appends made while a write is in flight are written together and
 * share one fdatasync (group commit), off the event loop, so predictions keep flowing while
 * the disk works.
 *
 * What an append's promise means, by fsync policy:
 * - `always`: the record is written completely (short writes are continued) and fdatasync'd.
 * - `interval`: it is written completely (in the OS page cache); a timer syncs. The bytes since
 *   the last good sync are kept in memory until it succeeds, so a failed sync is repaired by
 *   writing them again; a machine crash (not a process crash) may lose them.
 * - `never`: written completely; the OS decides when it reaches the disk.
 *
 * A failed write or sync fails the appends it covered (and those queued behind them, whose
 * seqs follow), moves `head` back to the last acknowledged event, and puts the log in `fault`:
 * appends are refused until the log has cut its file back to the last known good offset (and
 * written again what was acknowledged but not yet synced), which it tries after `retryMs`, on a
 * timer and on the next append. Nothing is written after a fault before that cut succeeded, so
 * no unacknowledged bytes ever sit between acknowledged records.
 *
 * Opening checks the last segment: a provably torn final record (nothing valid after it: a
 * crash mid-write, never acknowledged) is cut off and logged; a damaged record followed by a
 * valid one is corruption, and opening fails with the file, byte and seq, changing nothing.
 */
export class FileEventLog implements EventLog, PoolMember {
  private segments: Segment[];
  private headSeq: number;
  /** The segment being written (the last one) and its size as this log wrote it. */
  private file: LogFile | undefined;
  private size: number;
  /** The last position known to be on disk (synced; with `never`, written). */
  private durable: { offset: number; seq: number };
  /** `interval`: acknowledged bytes written since the last good sync, rewritten after a fault. */
  private unsynced: { buf: Buffer; lastSeq: number }[] = [];
  /** A new segment's directory entry still needs an fsync of the folder. */
  private dirUnsynced = false;
  private queue: Pending[] = [];
  private drainScheduled = false;
  /** Every file operation runs in this chain, one at a time. */
  private io: Promise<unknown> = Promise.resolve();
  private busy = 0;
  private broken: (LogFault & { nextTry: number }) | undefined;
  private syncTimer: NodeJS.Timeout | undefined;
  private healTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly files: FileLayer;
  private readonly pool: HandlePool;
  private readonly retryMs: number;

  private constructor(
    private readonly dir: string,
    private readonly options: LogOptions,
    segments: Segment[],
    head: number,
    size: number,
  ) {
    this.segments = segments;
    this.headSeq = head;
    this.size = size;
    this.durable = { offset: size, seq: head };
    this.files = options.files ?? nodeFiles;
    this.pool = options.pool ?? new HandlePool(1);
    this.retryMs = options.retryMs ?? 1000;
    if (options.fsync === "interval") {
      this.syncTimer = setInterval(() => void this.syncIfDirty(), options.fsyncIntervalMs);
      this.syncTimer.unref();
    }
  }

  /** Opens (or creates) the log in `dir`, cutting a provably torn tail (logged). */
  static async open(dir: string, options: LogOptions): Promise<FileEventLog> {
    await mkdir(dir, { recursive: true });
    const segments = listSegments(dir);
    let head = 0;
    let size = 0;
    const last = segments[segments.length - 1];
    if (last) {
      const buf = readFileSync(last.path);
      const result = scan(buf, last.firstSeq, recordSeq);
      const lastGood = result.records.length
        ? result.records[result.records.length - 1]!.seq
        : last.firstSeq - 1;
      const problem = result.problem;
      if (problem?.kind === "corrupt") {
        // Classified before anything is touched: the file stays exactly as found.
        throw new LogCorruptError(
          last.path,
          lastGood + 1,
          `${last.path}: the record of seq ${lastGood + 1} at byte ${problem.offset} is corrupt (${problem.reason}) and a valid record (seq ${problem.resumes!.seq} at byte ${problem.resumes!.offset}) follows it; refusing to start rather than lose events (nothing was changed: see brook doctor and brook repair)`,
          problem.offset,
        );
      }
      if (problem) {
        // Provably torn (nothing valid after it): a crash mid-write, never acknowledged.
        options.logger?.warn(
          {
            file: last.path,
            offset: problem.offset,
            seq: lastGood + 1,
            bytes: buf.length - problem.offset,
            reason: problem.reason,
          },
          "cutting a torn record at the end of the log (a write a crash interrupted, never acknowledged)",
        );
        const fd = openSync(last.path, "r+");
        try {
          ftruncateSync(fd, result.end);
        } finally {
          closeSync(fd);
        }
      }
      head = lastGood;
      size = result.end;
    }
    return new FileEventLog(dir, options, segments, head, size);
  }

  get head(): number {
    return this.headSeq;
  }

  get first(): number {
    return this.segments[0]?.firstSeq ?? this.headSeq + 1;
  }

  get fault(): LogFault | undefined {
    return this.broken ? { error: this.broken.error, since: this.broken.since } : undefined;
  }

  get idle(): boolean {
    return this.busy === 0 && this.queue.length === 0;
  }

  append(firstSeq: number, events: readonly LogEvent[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error("the log is closed"));
    if (this.broken && Date.now() < this.broken.nextTry) return Promise.reject(this.broken.error);
    const expected = this.headSeq + 1;
    if (firstSeq !== expected)
      return Promise.reject(new Error(`append at seq ${firstSeq}, expected ${expected}`));
    const frames = events.map((e, i) => frame(encodeRecord(firstSeq + i, e)));
    this.headSeq += events.length;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({
        buf: frames.length === 1 ? frames[0]! : Buffer.concat(frames),
        firstSeq,
        lastSeq: this.headSeq,
        resolve,
        reject,
      });
      if (!this.drainScheduled) {
        this.drainScheduled = true;
        // Wait for the rest of this tick's appends: they share the write and the fsync.
        setImmediate(() => void this.serial(() => this.drain()));
      }
    });
  }

  /** Runs `fn` after every file operation before it (one at a time). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.io.then(async () => {
      this.busy++;
      try {
        return await fn();
      } finally {
        this.busy--;
        if (this.idle) this.pool.idle();
      }
    });
    this.io = run.catch(() => undefined);
    return run;
  }

  private async drain(): Promise<void> {
    this.drainScheduled = false;
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        await this.writeBatch(batch);
        for (const p of batch) p.resolve();
      } catch (err) {
        // The queued appends' seqs follow the failed ones: they fail too, never written.
        const failed = [...batch, ...this.queue];
        this.queue = [];
        this.fail(err as Error);
        await this.cutUnacknowledged();
        for (const p of failed) p.reject(this.broken!.error);
      }
    }
  }

  /**
   * Right after a failed write, cuts the file back to the end of the last acknowledged byte
   * (best effort), so that a crash before the log heals cannot bring back records whose
   * appends were refused. Acknowledged-but-unsynced bytes (`interval`) stay: the heal rewrites
   * them anyway, and until then the page cache may still save them from a process crash.
   */
  private async cutUnacknowledged(): Promise<void> {
    if (!this.file) return;
    const end = this.unsynced.reduce((n, u) => n + u.buf.length, this.durable.offset);
    try {
      await this.file.truncate(end);
      this.size = end;
    } catch {
      // the heal will cut it before anything else is written
    }
  }

  /** The seq of the last acknowledged event. */
  private get ackedSeq(): number {
    return this.unsynced.length ? this.unsynced[this.unsynced.length - 1]!.lastSeq : this.durable.seq;
  }

  private fail(err: Error): void {
    const now = Date.now();
    if (!this.broken) {
      this.options.logger?.warn(
        { dir: this.dir, err: err.message, code: (err as NodeJS.ErrnoException).code },
        "the log cannot write to its disk: refusing appends until it works again",
      );
      this.broken = { error: err, since: now, nextTry: now + this.retryMs };
    } else {
      this.broken = { ...this.broken, error: err, nextTry: now + this.retryMs };
    }
    this.headSeq = this.ackedSeq;
    if (!this.healTimer && !this.closed) {
      this.healTimer = setInterval(() => {
        if (this.broken && Date.now() >= this.broken.nextTry && this.idle)
          void this.serial(() => this.heal()).catch(() => undefined);
      }, this.retryMs);
      this.healTimer.unref();
    }
  }

  /**
   * Puts the current segment back in a known good state: cut to the last durable offset,
   * acknowledged-but-unsynced bytes written again, synced. Throws if the disk still fails.
   */
  private async heal(): Promise<void> {
    if (!this.broken) return;
    try {
      const file = await this.openFile();
      await file.truncate(this.durable.offset);
      this.size = this.durable.offset;
      for (const u of this.unsynced) {
        await this.writeFully(file, u.buf);
      }
      await file.datasync();
      if (this.dirUnsynced) {
        await syncDir(this.dir);
        this.dirUnsynced = false;
      }
    } catch (err) {
      this.fail(err as Error);
      throw this.broken!.error;
    }
    this.durable = { offset: this.size, seq: this.ackedSeq };
    this.unsynced = [];
    const down = Date.now() - this.broken.since;
    this.broken = undefined;
    if (this.healTimer) clearInterval(this.healTimer);
    this.healTimer = undefined;
    this.options.logger?.info({ dir: this.dir, downMs: down }, "the log writes to its disk again");
  }

  private async openFile(): Promise<LogFile> {
    if (this.file) {
      this.pool.touch(this);
      return this.file;
    }
    const seg = this.segments[this.segments.length - 1];
    if (!seg) throw new Error("the log has no segment");
    await this.pool.admit(this);
    try {
      this.file = await this.files.open(seg.path);
    } catch (err) {
      this.pool.closed(this);
      throw err;
    }
    return this.file;
  }

  /** Writes all of `buf` at the end of the segment, continuing short writes. */
  private async writeFully(file: LogFile, buf: Buffer): Promise<void> {
    let done = 0;
    while (done < buf.length) {
      const n = await file.write(buf, done, buf.length - done, this.size + done);
      if (n <= 0) throw noProgress();
      done += n;
    }
    this.size += buf.length;
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    if (this.broken) {
      if (Date.now() < this.broken.nextTry) throw this.broken.error;
      await this.heal();
    }
    const data = batch.length === 1 ? batch[0]!.buf : Buffer.concat(batch.map((p) => p.buf));
    const lastSeq = batch[batch.length - 1]!.lastSeq;
    if (
      this.segments.length === 0 ||
      (this.size > 0 && this.size + data.length > this.options.segmentBytes)
    ) {
      await this.roll(batch[0]!.firstSeq);
    }
    const file = await this.openFile();
    await this.writeFully(file, data);
    if (this.options.fsync === "always") {
      await file.datasync();
      this.durable = { offset: this.size, seq: lastSeq };
    } else if (this.options.fsync === "interval") {
      this.unsynced.push({ buf: data, lastSeq });
    } else {
      this.durable = { offset: this.size, seq: lastSeq };
    }
  }

  /** Starts a new segment at `firstSeq`, the current one synced and closed first. */
  private async roll(firstSeq: number): Promise<void> {
    if (this.file) {
      if (this.options.fsync !== "never") await this.syncNow();
      await this.closeFile();
    }
    const path = join(this.dir, segmentName(firstSeq));
    this.segments.push({ firstSeq, path });
    this.size = 0;
    this.durable = { offset: 0, seq: firstSeq - 1 };
    this.unsynced = [];
    this.dirUnsynced = this.options.fsync !== "never";
    await this.openFile();
    if (this.dirUnsynced) {
      await syncDir(this.dir);
      this.dirUnsynced = false;
    }
  }

  private async syncNow(): Promise<void> {
    if (!this.file || this.unsynced.length === 0) return;
    const seq = this.ackedSeq;
    await this.file.datasync();
    this.durable = { offset: this.size, seq };
    this.unsynced = [];
  }

  private async closeFile(): Promise<void> {
    const file = this.file;
    if (!file) return;
    this.file = undefined;
    this.pool.closed(this);
    await file.close();
  }

  async sync(): Promise<void> {
    await this.serial(async () => {
      await this.drain();
      if (this.broken) {
        if (Date.now() < this.broken.nextTry) throw this.broken.error;
        await this.heal();
      }
      try {
        await this.syncNow();
      } catch (err) {
        this.fail(err as Error);
        throw this.broken!.error;
      }
    });
  }

  private async syncIfDirty(): Promise<void> {
    if (this.unsynced.length === 0 || this.broken || this.closed) return;
    await this.serial(async () => {
      try {
        await this.syncNow();
      } catch (err) {
        this.fail(err as Error);
      }
    }).catch(() => undefined);
  }

  /** Closes the file to make room in the pool (syncing unsynced data first); false while it is writing. */
  release(): Promise<boolean> {
    if (!this.idle) return Promise.resolve(false);
    return this.serial(async () => {
      if (this.queue.length > 0) return false;
      // A log in fault closes too: its heal reopens the file, and rewrites from memory what
      // was acknowledged but not synced, so no fd is held by a disk that refuses writes.
      if (!this.broken) {
        try {
          await this.syncNow();
        } catch (err) {
          this.fail(err as Error);
        }
      }
      await this.closeFile().catch(() => undefined);
      return true;
    });
  }

  *read(fromSeq: number): Generator<Stored> {
    const start = Math.max(1, fromSeq);
    if (start > this.headSeq) return;
    if (this.segments.length === 0 || start < this.segments[0]!.firstSeq) {
      throw brookError(
        "HISTORY_PRUNED",
        `${this.dir}: events from seq ${start} were deleted by retention (the log starts at seq ${this.first})`,
        { seq: start, first: this.first },
      );
    }
    // The last segment whose first seq is <= start holds it.
    let i = this.segments.length - 1;
    while (i > 0 && this.segments[i]!.firstSeq > start) i--;
    let expected = this.segments[i]!.firstSeq;
    for (; i < this.segments.length; i++) {
      const seg = this.segments[i]!;
      if (seg.firstSeq !== expected) {
        throw new LogCorruptError(
          seg.path,
          expected,
          `${this.dir}: events ${expected} to ${seg.firstSeq - 1} are missing (a segment file is gone before ${seg.path}); refusing to skip events`,
        );
      }
      const isLast = i === this.segments.length - 1;
      let buf: Buffer;
      try {
        buf = readFileSync(seg.path);
      } catch (err) {
        // A segment just started whose file the disk did not let us create yet holds nothing.
        if (!isLast || (err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
        buf = Buffer.alloc(0);
      }
      // The last segment is read up to what this log wrote (a write in flight is not an event yet).
      const result = scan(isLast ? buf.subarray(0, this.size) : buf, seg.firstSeq, recordSeq);
      for (const r of result.records) {
        if (r.seq < start) continue;
        if (r.seq > this.headSeq) return;
        yield decodeOrFail(r.payload, seg.path, r.seq);
      }
      const lastSeq = result.records.length
        ? result.records[result.records.length - 1]!.seq
        : seg.firstSeq - 1;
      if (result.problem) {
        throw new LogCorruptError(
          seg.path,
          lastSeq + 1,
          `${seg.path}: the record of seq ${lastSeq + 1} at byte ${result.problem.offset} is damaged (${result.problem.reason}); refusing to skip events`,
          result.problem.offset,
        );
      }
      expected = lastSeq + 1;
    }
  }

  /** Deletes the segments whose events are all at or below `seq` (never the one being written). */
  compact(seq: number): Promise<number> {
    return this.serial(async () => {
      let n = 0;
      while (this.segments.length > 1 && this.segments[1]!.firstSeq <= seq + 1) {
        const seg = this.segments[0]!;
        rmSync(seg.path, { force: true });
        this.segments.shift();
        n++;
      }
      if (n > 0 && this.options.fsync !== "never") await syncDir(this.dir).catch(() => undefined);
      return n;
    });
  }

  stats(): LogStats {
    let bytes = 0;
    for (const s of this.segments) {
      try {
        bytes += statSync(s.path).size;
      } catch {
        // deleted meanwhile
      }
    }
    return { bytes, segments: this.segments.length, first: this.first };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.syncTimer) clearInterval(this.syncTimer);
    if (this.healTimer) clearInterval(this.healTimer);
    this.healTimer = undefined;
    await this.serial(async () => {
      await this.drain();
      // Acknowledged bytes not yet synced get one more chance to reach the disk.
      if (this.broken) await this.heal().catch(() => undefined);
      if (!this.broken && this.options.fsync !== "never") await this.syncNow().catch(() => undefined);
      await this.closeFile().catch(() => undefined);
    });
    if (this.healTimer) clearInterval(this.healTimer);
  }

  /** Bytes on disk. */
  diskBytes(): number {
    return this.stats().bytes;
  }
}

function decodeOrFail(payload: Buffer, file: string, seq: number): Stored {
  try {
    return decodeRecord(payload);
  } catch (err) {
    throw new LogCorruptError(
      file,
      seq,
      `${file}: the record of seq ${seq} cannot be decoded (${(err as Error).message})`,
    );
  }
}
