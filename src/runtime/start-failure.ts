/**
 * Why a server could not start, as one line a person can act on: what failed, where, and what
 * to do. Used by every topology (one process, a cluster worker reporting to its primary).
 */
import type { Config } from "../config/config.js";
import { BrookError } from "../errors.js";
import { LearnError } from "../learn/index.js";
import { CheckpointCorruptError, LogCorruptError } from "../store/ports.js";

export function startFailure(err: unknown, config: Config): string {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  const where = `${config.host}:${config.port}`;
  switch (e?.code) {
    case "EADDRINUSE":
      return `cannot listen on ${where}: port ${config.port} is already in use (another Brook or service?); stop it or choose another port with --port`;
    case "EACCES":
      if (e.syscall === "listen" || e.syscall === "bind")
        return `cannot listen on ${where}: not allowed (ports below 1024 need privileges); choose another port with --port`;
      return `cannot start: permission denied on ${e.path ?? "a file"}; check the owner of the data folder (--data-dir ${config.dataDir})`;
    case "EADDRNOTAVAIL":
      return `cannot listen on ${where}: ${config.host} is not an address of this machine; check --host`;
    case "ENOSPC":
      return `cannot start: the disk of ${config.dataDir} is full; free some space`;
    case "EROFS":
      return `cannot start: ${config.dataDir} is on a read-only file system; choose a writable --data-dir`;
  }
  if (err instanceof LogCorruptError || err instanceof CheckpointCorruptError) {
    return `cannot start: ${err.message}; run "brook doctor --data-dir ${config.dataDir}" for a report`;
  }
  if (err instanceof BrookError || err instanceof LearnError) return `cannot start: ${err.message}`;
  return `cannot start: ${(err as Error)?.message ?? String(err)}`;
}
