/**
 * The few file operations the event log makes while it runs, behind one small interface so
 * that tests can hold a datasync, cut a write short or make the disk fail, and see what the log
 * acknowledges. The default is node:fs/promises.
 */
import { constants } from "node:fs";
import { open } from "node:fs/promises";

/** An open segment file, written at explicit positions. */
export interface LogFile {
  /** Writes `length` bytes of `buf` from `offset` at file `position`; may write fewer (returns how many). */
  write(buf: Buffer, offset: number, length: number, position: number): Promise<number>;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

/** Opens segment files for the log (read/write, created if missing, never truncated). */
export interface FileLayer {
  open(path: string): Promise<LogFile>;
}

/** The real file system. */
export const nodeFiles: FileLayer = {
  async open(path: string): Promise<LogFile> {
    const fh = await open(path, constants.O_RDWR | constants.O_CREAT, 0o644);
    return {
      write: async (buf, offset, length, position) =>
        (await fh.write(buf, offset, length, position)).bytesWritten,
      datasync: () => fh.datasync(),
      truncate: (length) => fh.truncate(length),
      close: () => fh.close(),
    };
  },
};
