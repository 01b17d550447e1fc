/**
 * `brook repair`: the one way Brook ever cuts a log on purpose — explicit, for one model, at a
 * seq the operator names, under the data folder's lock (never while a server holds it), and
 * keeping a copy of every byte it cuts next to where it was (`<file>.cut-<seq>-<time>`).
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { recordSeq } from "../../codec/events.js";
import { UsageError } from "../../errors.js";
import { scan } from "../record.js";
import { FileCheckpointStore } from "./checkpoints.js";
import { syncDir } from "./fs-util.js";
import { DataDirLock } from "./lock.js";
import { listSegments } from "./segmented-log.js";

export interface RepairResult {
  /** Events removed from the log (seq `truncateAt` to the old end). */
  cutEvents: number;
  cutBytes: number;
  /** Where the cut bytes, segments and checkpoints were kept. */
  kept: string[];
  /** The log's last seq now. */
  headSeq: number;
}

/**
 * Cuts model `model`'s log so that it ends at seq `truncateAt - 1`: the rest of the segment
 * holding `truncateAt` is copied aside then cut, later segments and checkpoints past the new
 * end are renamed aside. Refuses a cut past damage it cannot read through, or one that would
 * leave the model unrecoverable (retention deleted its start and no checkpoint would remain).
 */
export async function truncateLog(dataDir: string, model: string, truncateAt: number): Promise<RepairResult> {
  const folder = join(dataDir, "models", model);
  if (!existsSync(folder)) throw new UsageError(`there is no model folder ${folder}`);
  if (!Number.isSafeInteger(truncateAt) || truncateAt < 1)
    throw new UsageError(`--truncate-at must be a seq >= 1, got ${truncateAt}`);
  const lock = DataDirLock.acquire(dataDir, undefined);
  try {
    const logDir = join(folder, "log");
    const segments = existsSync(logDir) ? listSegments(logDir) : [];
    const holder = [...segments].reverse().find((s) => s.firstSeq <= truncateAt);
    if (!holder) {
      throw new UsageError(
        `model "${model}": the log starts at seq ${segments[0]?.firstSeq ?? 1} (older events were deleted by retention); --truncate-at ${truncateAt} is before it`,
      );
    }
    const buf = readFileSync(holder.path);
    const result = scan(buf, holder.firstSeq, recordSeq);
    const lastValid = result.records.length
      ? result.records[result.records.length - 1]!.seq
      : holder.firstSeq - 1;
    const at = result.records.find((r) => r.seq === truncateAt);
    const isLast = holder === segments[segments.length - 1];
    let cutOffset: number;
    if (at) cutOffset = at.offset;
    else if (truncateAt === lastValid + 1 && (result.problem || isLast)) cutOffset = result.end;
    else if (truncateAt > lastValid + 1 && result.problem)
      throw new UsageError(
        `model "${model}": the record of seq ${lastValid + 1} at byte ${result.end} of ${holder.path} is damaged; --truncate-at must be at most ${lastValid + 1}`,
      );
    else
      throw new UsageError(
        `model "${model}": the log ends at seq ${lastValid}; there is nothing to cut at ${truncateAt}`,
      );
    const later = segments.filter((s) => s.firstSeq > holder.firstSeq);
    if (cutOffset === buf.length && later.length === 0)
      throw new UsageError(
        `model "${model}": the log ends at seq ${lastValid}; there is nothing to cut at ${truncateAt}`,
      );

    const ckptDir = join(folder, "checkpoints");
    const checkpoints = existsSync(ckptDir) ? (await FileCheckpointStore.open(ckptDir)).list() : [];
    const first = segments[0]!.firstSeq;
    const remaining = checkpoints.filter((c) => c.seq < truncateAt);
    if (first > 1 && !remaining.some((c) => c.seq >= first - 1)) {
      throw new UsageError(
        `model "${model}": cutting at seq ${truncateAt} would leave no checkpoint the log continues from (it starts at seq ${first}); nothing was changed`,
      );
    }

    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    const suffix = `.cut-${truncateAt}-${stamp}`;
    const kept: string[] = [];
    // 1. A copy of the cut bytes first, synced, so nothing is ever only in the cut.
    if (cutOffset < buf.length) {
      const copy = `${holder.path}${suffix}`;
      writeFileSync(copy, buf.subarray(cutOffset));
      const fd = openSync(copy, "r+");
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      kept.push(copy);
    }
    // 2. Later segments and checkpoints past the new end, renamed aside (kept whole).
    for (const s of later) {
      renameSync(s.path, `${s.path}${suffix}`);
      kept.push(`${s.path}${suffix}`);
    }
    for (const c of checkpoints.filter((c) => c.seq >= truncateAt)) {
      const path = join(ckptDir, `${String(c.seq).padStart(20, "0")}.ckpt`);
      renameSync(path, `${path}${suffix}`);
      kept.push(`${path}${suffix}`);
    }
    // 3. The cut itself.
    const fd = openSync(holder.path, "r+");
    try {
      ftruncateSync(fd, cutOffset);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    await syncDir(logDir);
    if (existsSync(ckptDir)) await syncDir(ckptDir);
    const cutEvents =
      result.records.filter((r) => r.seq >= truncateAt).length +
      later.reduce(
        (n, s) => n + scan(readFileSync(`${s.path}${suffix}`), s.firstSeq, recordSeq).records.length,
        0,
      );
    const cutBytes =
      buf.length - cutOffset + later.reduce((n, s) => n + readFileSync(`${s.path}${suffix}`).length, 0);
    return { cutEvents, cutBytes, kept, headSeq: truncateAt - 1 };
  } finally {
    lock.release();
  }
}
