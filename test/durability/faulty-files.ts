/**
 * A file layer for the event log that can hold a datasync, cut writes short, and fail
 * operations with an errno, over the real files (so what is on disk is real).
 */
import type { FileLayer, LogFile } from "../../src/store/file/file-io.js";
import { nodeFiles } from "../../src/store/file/file-io.js";

type Op = "open" | "write" | "datasync" | "truncate";

export function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated`), { code });
}

export class FaultyFiles implements FileLayer {
  /** Operations failing with an errno until `repair()` (a broken disk). */
  private readonly failing = new Map<Op, string>();
  /** Operations failing once. */
  private readonly once = new Map<Op, string>();
  /** Datasyncs wait for this while set. */
  private gate: { promise: Promise<void>; open: () => void } | undefined;
  /** Datasyncs started and finished, in order. */
  readonly log: string[] = [];
  /** With short writes, each write call writes at most this many bytes. */
  shortWrites = 0;
  /** With `failAfterBytes`, a write fails once after writing this many bytes of its buffer. */
  partialThenFail: { bytes: number; code: string } | undefined;
  datasyncs = 0;
  writes = 0;

  fail(op: Op, code: string): void {
    this.failing.set(op, code);
  }
  failOnce(op: Op, code: string): void {
    this.once.set(op, code);
  }
  repair(): void {
    this.failing.clear();
    this.once.clear();
  }

  /** Holds every datasync until the returned function is called. */
  holdSyncs(): () => void {
    let open!: () => void;
    const promise = new Promise<void>((r) => {
      open = r;
    });
    this.gate = { promise, open };
    return () => {
      this.gate = undefined;
      open();
    };
  }

  private check(op: Op): void {
    const code = this.once.get(op) ?? this.failing.get(op);
    this.once.delete(op);
    if (code) throw errno(code);
  }

  async open(path: string): Promise<LogFile> {
    this.check("open");
    const file = await nodeFiles.open(path);
    return {
      write: async (buf, offset, length, position) => {
        this.writes++;
        this.check("write");
        if (this.partialThenFail) {
          const { bytes, code } = this.partialThenFail;
          this.partialThenFail = undefined;
          await file.write(buf, offset, Math.min(bytes, length), position);
          throw errno(code);
        }
        const n = this.shortWrites > 0 ? Math.min(this.shortWrites, length) : length;
        return file.write(buf, offset, n, position);
      },
      datasync: async () => {
        this.datasyncs++;
        const id = this.datasyncs;
        this.log.push(`sync ${id} start`);
        if (this.gate) await this.gate.promise;
        this.check("datasync");
        await file.datasync();
        this.log.push(`sync ${id} done`);
      },
      truncate: async (length) => {
        this.check("truncate");
        await file.truncate(length);
      },
      close: () => file.close(),
    };
  }
}

/** Resolves once `cond()` holds, polling each turn of the event loop; fails after `ms`. */
export async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Lets the event loop turn a few times (pending I/O callbacks and immediates run). */
export async function turns(n = 20): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}
