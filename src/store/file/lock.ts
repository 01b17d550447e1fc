/**
 * One owner per data folder: `<dataDir>/LOCK`, created atomically (a complete file hard-linked
 * into place, so nobody ever reads a half-written lock) and holding who owns the folder (PID,
 * host, start time, the process's kernel start time, its address once known). A second process
 * is refused with the holder's PID and address; a lock whose process is gone (not alive on this
 * host, or its PID now belongs to another process) is taken over: renamed aside atomically and
 * checked to be the very lock judged stale before it is removed.
 */
import { randomBytes } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { brookError } from "../../errors.js";
import type { LockOwner } from "../ports.js";

const FORMAT = "brook.lock";
export const LOCK_FILE = "LOCK";

/** What a LOCK file holds. */
export interface LockContent extends LockOwner {
  format: typeof FORMAT;
  /** The kernel's start time of the process (Linux: /proc/<pid>/stat field 22), to detect PID reuse. */
  procStart?: string;
  /** Random: tells this lock apart from a later one of the same PID. */
  token: string;
}

/** The kernel start time and state of a process, where /proc has them. */
function procInfo(pid: number): { start: string; zombie: boolean } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { start: fields[19] ?? "", zombie: fields[0] === "Z" || fields[0] === "X" };
  } catch {
    return undefined;
  }
}

/** Whether the lock's process may still be running (unknown counts as alive). */
export function holderAlive(holder: LockContent): boolean {
  if (holder.hostname !== hostname()) return true; // another host: cannot tell, never steal
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ESRCH") return false;
    return true; // EPERM: alive, someone else's
  }
  const info = procInfo(holder.pid);
  if (!info) return true;
  if (info.zombie) return false;
  return holder.procStart === undefined || holder.procStart === info.start;
}

function parse(text: string): LockContent | undefined {
  try {
    const v = JSON.parse(text) as LockContent;
    return v && v.format === FORMAT && Number.isInteger(v.pid) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the LOCK of a data folder, if any (for `brook doctor` and messages). */
export function readLock(dataDir: string): LockContent | "unreadable" | undefined {
  try {
    return parse(readFileSync(join(dataDir, LOCK_FILE), "utf8")) ?? "unreadable";
  } catch {
    return undefined;
  }
}

/** One line naming the holder. */
export function describeHolder(dataDir: string, h: LockContent): string {
  const where = h.address ? `, listening on ${h.address}` : "";
  return `the data folder ${dataDir} is in use by Brook PID ${h.pid} on ${h.hostname}${where} (since ${h.startedAt}); stop it first, or use another --data-dir`;
}

const errCode = (err: unknown) => (err as NodeJS.ErrnoException).code;

function writeDurably(path: string, text: string, flags: string): void {
  const fd = openSync(path, flags, 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export class DataDirLock {
  private constructor(
    private readonly dataDir: string,
    private content: LockContent,
  ) {}

  private get path(): string {
    return join(this.dataDir, LOCK_FILE);
  }

  /**
   * Takes the folder, or throws `BROOK_DATA_DIR_LOCKED` naming the live holder. A stale lock is
   * taken over (and logged).
   */
  static acquire(
    dataDir: string,
    address: string | undefined,
    logger?: { warn(obj: object, msg: string): void },
  ): DataDirLock {
    mkdirSync(dataDir, { recursive: true });
    const content: LockContent = {
      format: FORMAT,
      pid: process.pid,
      hostname: hostname(),
      startedAt: new Date().toISOString(),
      token: randomBytes(8).toString("hex"),
    };
    const start = procInfo(process.pid)?.start;
    if (start !== undefined) content.procStart = start;
    if (address !== undefined) content.address = address;
    const text = `${JSON.stringify(content)}\n`;
    const lockPath = join(dataDir, LOCK_FILE);
    const mine = join(dataDir, `${LOCK_FILE}.${process.pid}.${content.token}`);
    writeDurably(mine, text, "wx");
    try {
      for (let attempt = 0; attempt < 20; attempt++) {
        try {
          linkSync(mine, lockPath);
          return new DataDirLock(dataDir, content);
        } catch (err) {
          if (errCode(err) !== "EEXIST") {
            // No hard links here (some network or FUSE file systems): an exclusive create instead.
            if (errCode(err) === "EPERM" || errCode(err) === "ENOTSUP" || errCode(err) === "EXDEV") {
              try {
                writeDurably(lockPath, text, "wx");
                return new DataDirLock(dataDir, content);
              } catch (e) {
                if (errCode(e) !== "EEXIST") throw e;
              }
            } else {
              throw err;
            }
          }
        }
        let found: string;
        try {
          found = readFileSync(lockPath, "utf8");
        } catch (err) {
          if (errCode(err) === "ENOENT") continue; // released meanwhile: try again
          throw err;
        }
        const holder = parse(found);
        if (!holder) {
          throw brookError(
            "DATA_DIR_LOCKED",
            `${lockPath} exists but is not a Brook lock; if no Brook uses ${dataDir}, remove it`,
            { path: lockPath },
          );
        }
        if (holderAlive(holder)) {
          throw brookError("DATA_DIR_LOCKED", describeHolder(dataDir, holder), {
            pid: holder.pid,
            hostname: holder.hostname,
            address: holder.address,
          });
        }
        // Stale. Move it aside atomically, then make sure it is the lock judged stale (not a
        // fresh one another process took in between): if not, put that one back.
        const aside = join(dataDir, `${LOCK_FILE}.stale.${process.pid}.${content.token}`);
        try {
          renameSync(lockPath, aside);
        } catch (err) {
          if (errCode(err) === "ENOENT") continue;
          throw err;
        }
        const moved = readFileSync(aside, "utf8");
        if (moved !== found) {
          try {
            linkSync(aside, lockPath);
          } catch {
            // a third process took the folder meanwhile; it holds it now
          }
          unlinkSync(aside);
          continue;
        }
        unlinkSync(aside);
        logger?.warn(
          { dataDir, pid: holder.pid, since: holder.startedAt },
          `took over the lock of Brook PID ${holder.pid}, which is no longer running`,
        );
      }
      throw brookError("DATA_DIR_LOCKED", `could not take ${lockPath}: it keeps changing hands`);
    } finally {
      try {
        unlinkSync(mine);
      } catch {
        // already gone
      }
    }
  }

  /** Records the address the owner listens on (rewrites LOCK atomically). */
  setAddress(address: string): void {
    this.content = { ...this.content, address };
    const tmp = `${this.path}.${process.pid}.${this.content.token}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.content)}\n`);
    renameSync(tmp, this.path);
  }

  /** Removes LOCK, if it is still this process's. */
  release(): void {
    const current = readLock(this.dataDir);
    if (typeof current === "object" && current.token === this.content.token) {
      try {
        unlinkSync(this.path);
      } catch {
        // already gone
      }
    }
  }
}
