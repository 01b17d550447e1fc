import { closeSync, ftruncateSync, openSync, readdirSync, readFileSync, statSync } from "node:fs";
import { type FileHandle, mkdir, open } from "node:fs/promises";
import { join } from "node:path";
import { decodeRecord, encodeRecord, type LogEvent, recordSeq, type Stored } from "../../codec/events.js";
import { type EventLog, type FsyncPolicy, LogCorruptError } from "../ports.js";
import { frame, scan } from "../record.js";
import { syncDir } from "./fs-util.js";

export interface LogOptions {
  fsync: FsyncPolicy;
  /** With `fsync: "interval"`, how often dirty data is synced (ms). */
  fsyncIntervalMs: number;
  /** A new segment starts once the current one would grow past this. */
  segmentBytes: number;
}

interface Segment {
  firstSeq: number;
  path: string;
}

const SEGMENT = /^(\d{20})\.seg$/;
const segmentName = (firstSeq: number) => `${String(firstSeq).padStart(20, "0")}.seg`;

interface Pending {
  buf: Buffer;
  firstSeq: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * The embedded event log: append-only segment files named by their first seq, records framed
 * with a length and a CRC32. Appends made while a write is in flight are written together and
 * share one fdatasync (group commit), off the event loop, so predictions keep flowing while
 * the disk works.
 *
 * Opening checks the last segment: a torn final record (a crash mid-write, never acknowledged)
 * is cut off; a damaged record followed by valid ones is corruption, and opening fails with the
 * file and seq, instead of silently skipping events.
 */
export class FileEventLog implements EventLog {
  private segments: Segment[];
  private headSeq: number;
  private fh: FileHandle | undefined;
  private segmentSize: number;
  private queue: Pending[] = [];
  private writing = false;
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private failed: Error | undefined;
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly options: LogOptions,
    segments: Segment[],
    head: number,
    segmentSize: number,
  ) {
    this.segments = segments;
    this.headSeq = head;
    this.segmentSize = segmentSize;
    if (options.fsync === "interval") {
      this.timer = setInterval(() => void this.syncIfDirty(), options.fsyncIntervalMs);
      this.timer.unref();
    }
  }

  /** Opens (or creates) the log in `dir`, repairing a torn tail. */
  static async open(dir: string, options: LogOptions): Promise<FileEventLog> {
    await mkdir(dir, { recursive: true });
    const segments = readdirSync(dir)
      .map((f) => SEGMENT.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ firstSeq: Number(m[1]), path: join(dir, m[0]) }))
      .sort((a, b) => a.firstSeq - b.firstSeq);
    let head = 0;
    let size = 0;
    const last = segments[segments.length - 1];
    if (last) {
      const buf = readFileSync(last.path);
      const result = scan(buf, 0);
      let seq = last.firstSeq - 1;
      // Checksums were verified by the scan; only the seqs need reading (no full decode).
      for (const r of result.records) {
        const found = recordSeq(r.payload);
        if (found !== seq + 1) {
          throw new LogCorruptError(
            last.path,
            seq + 1,
            `${last.path}: expected seq ${seq + 1} at byte ${r.offset}, found ${found}`,
          );
        }
        seq = found;
      }
      if (result.problem?.kind === "corrupt") {
        throw new LogCorruptError(
          last.path,
          seq + 1,
          `${last.path}: the record of seq ${seq + 1} at byte ${result.problem.offset} is corrupt (${result.problem.reason}) and valid records follow it; refusing to start rather than skip events`,
        );
      }
      if (result.problem) {
        // A torn tail was never acknowledged: cut it off.
        const fd = openSync(last.path, "r+");
        try {
          ftruncateSync(fd, result.end);
        } finally {
          closeSync(fd);
        }
      }
      head = seq;
      size = result.end;
    }
    return new FileEventLog(dir, options, segments, head, size);
  }

  get head(): number {
    return this.headSeq;
  }

  append(firstSeq: number, events: readonly LogEvent[]): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.closed) return Promise.reject(new Error("the log is closed"));
    const expected = this.headSeq + 1;
    if (firstSeq !== expected)
      return Promise.reject(new Error(`append at seq ${firstSeq}, expected ${expected}`));
    const frames = events.map((e, i) => frame(encodeRecord(firstSeq + i, e)));
    this.headSeq += events.length;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({
        buf: frames.length === 1 ? frames[0]! : Buffer.concat(frames),
        firstSeq,
        resolve,
        reject,
      });
      if (!this.writing) {
        this.writing = true;
        // Wait for the rest of this tick's appends: they share the write and the fsync.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        await this.write(batch);
        for (const p of batch) p.resolve();
      } catch (err) {
        // A failed write leaves the file in an unknown state: refuse everything from now on.
        this.failed = new Error(`writing the log in ${this.dir} failed: ${(err as Error).message}`);
        for (const p of [...batch, ...this.queue]) p.reject(this.failed);
        this.queue = [];
      }
    }
    this.writing = false;
  }

  private async write(batch: Pending[]): Promise<void> {
    const data = batch.length === 1 ? batch[0]!.buf : Buffer.concat(batch.map((p) => p.buf));
    const firstSeq = batch[0]!.firstSeq;
    if (!this.fh || (this.segmentSize > 0 && this.segmentSize + data.length > this.options.segmentBytes)) {
      await this.roll(firstSeq);
    }
    const fh = this.fh!;
    await fh.write(data, 0, data.length);
    this.segmentSize += data.length;
    if (this.options.fsync === "always") await fh.datasync();
    else this.dirty = true;
  }

  /** Starts a new segment at `firstSeq` (or reopens the last one for appending). */
  private async roll(firstSeq: number): Promise<void> {
    const last = this.segments[this.segments.length - 1];
    if (!this.fh && last && this.segmentSize < this.options.segmentBytes) {
      this.fh = await open(last.path, "a");
      return;
    }
    if (this.fh) {
      if (this.options.fsync !== "never") await this.fh.datasync();
      await this.fh.close();
    }
    const path = join(this.dir, segmentName(firstSeq));
    this.fh = await open(path, "a");
    this.segments.push({ firstSeq, path });
    this.segmentSize = 0;
    if (this.options.fsync !== "never") await syncDir(this.dir);
  }

  async sync(): Promise<void> {
    while (this.writing) await new Promise((r) => setImmediate(r));
    if (this.failed) throw this.failed;
    if (this.fh && this.dirty) {
      this.dirty = false;
      await this.fh.datasync();
    }
  }

  private async syncIfDirty(): Promise<void> {
    if (!this.dirty || !this.fh) return;
    this.dirty = false;
    try {
      await this.fh.datasync();
    } catch (err) {
      this.failed = err as Error;
    }
  }

  *read(fromSeq: number): Generator<Stored> {
    const start = Math.max(1, fromSeq);
    // The last segment whose first seq is <= start holds it.
    if (this.segments.length === 0) return;
    let i = this.segments.length - 1;
    while (i > 0 && this.segments[i]!.firstSeq > start) i--;
    for (; i < this.segments.length; i++) {
      const seg = this.segments[i]!;
      const buf = readFileSync(seg.path);
      const result = scan(buf, 0);
      let seq = seg.firstSeq - 1;
      for (const r of result.records) {
        seq++;
        if (seq < start) continue;
        const stored = decodeOrFail(r.payload, seg.path, seq);
        if (stored.seq !== seq) {
          throw new LogCorruptError(
            seg.path,
            seq,
            `${seg.path}: expected seq ${seq} at byte ${r.offset}, found ${stored.seq}`,
          );
        }
        yield stored;
      }
      const isLast = i === this.segments.length - 1;
      if (result.problem && (!isLast || result.problem.kind === "corrupt")) {
        throw new LogCorruptError(
          seg.path,
          seq + 1,
          `${seg.path}: the record of seq ${seq + 1} at byte ${result.problem.offset} is damaged (${result.problem.reason}); refusing to skip events`,
        );
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    while (this.writing) await new Promise((r) => setImmediate(r));
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.fh) {
      if (this.options.fsync !== "never" && !this.failed) await this.fh.datasync();
      await this.fh.close();
      this.fh = undefined;
    }
  }

  /** Bytes on disk. */
  diskBytes(): number {
    return this.segments.reduce((sum, s) => sum + statSync(s.path).size, 0);
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
