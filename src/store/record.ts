import { crc32 } from "node:zlib";

/**
 * Log records on disk: `[payload length: u32 LE][crc32 of payload: u32 LE][payload]`.
 * A record cut short by a crash (or filled with zeros by the file system) is "torn"; a record
 * whose checksum fails while valid records follow it is "corrupt".
 */
export const HEADER_BYTES = 8;
/** No single event is this big; a larger length field is garbage. */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;

export function frame(payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt32LE(crc32(payload), 4);
  payload.copy(out, HEADER_BYTES);
  return out;
}

export interface Problem {
  /** Byte offset of the first record that is not valid. */
  offset: number;
  /**
   * `torn`: nothing valid follows (a crash mid-write: never acknowledged, safe to cut);
   * `corrupt`: a valid record with a later seq follows the damage (or a valid record breaks the
   * seq order), so events would be lost by cutting.
   */
  kind: "torn" | "corrupt";
  reason: string;
  /** With `corrupt`: where the next valid record starts and its seq. */
  resumes?: { offset: number; seq: number };
}

export interface Scan {
  /** Offsets, seqs and payloads of the valid records before the first problem, in order. */
  records: { offset: number; seq: number; payload: Buffer }[];
  /** Byte offset just after the last valid record. */
  end: number;
  problem: Problem | undefined;
}

/** Length of a valid record at `offset`, or a reason it is not one. */
function check(buf: Buffer, offset: number): number | string {
  if (offset + HEADER_BYTES > buf.length) return "incomplete header";
  const len = buf.readUInt32LE(offset);
  if (len === 0) return "empty record";
  if (len > MAX_RECORD_BYTES) return `impossible length ${len}`;
  if (offset + HEADER_BYTES + len > buf.length) return "incomplete payload";
  const crc = buf.readUInt32LE(offset + 4);
  if (crc32(buf.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + len)) !== crc)
    return "checksum mismatch";
  return len;
}

/**
 * The first valid record after `from` whose seq is above `lastSeq` (a plausible continuation),
 * found by trying every byte offset. Cheap checks first (length, the payload's `{"s":` prefix),
 * the CRC last, so a long torn tail costs little.
 */
export function findValidAfter(
  buf: Buffer,
  from: number,
  lastSeq: number,
  seqOf: (payload: Buffer) => number,
): { offset: number; seq: number } | undefined {
  for (let off = from; off + HEADER_BYTES < buf.length; off++) {
    const len = buf.readUInt32LE(off);
    if (len === 0 || len > MAX_RECORD_BYTES || off + HEADER_BYTES + len > buf.length) continue;
    const payload = buf.subarray(off + HEADER_BYTES, off + HEADER_BYTES + len);
    const seq = seqOf(payload);
    if (seq <= lastSeq) continue;
    if (crc32(payload) !== buf.readUInt32LE(off + 4)) continue;
    return { offset: off, seq };
  }
  return undefined;
}

/**
 * Reads every valid record of a segment whose first record has seq `firstSeq`, checking the
 * seq order too, and classifies the first bad spot. The classification is final before anyone
 * acts on it: a bad record is `torn` only if no valid record with a later seq exists anywhere
 * after it (a flipped length field in the middle of a segment is told apart from a crash that
 * cut the last write).
 */
export function scan(buf: Buffer, firstSeq: number, seqOf: (payload: Buffer) => number): Scan {
  const records: Scan["records"] = [];
  let offset = 0;
  let seq = firstSeq - 1;
  while (offset < buf.length) {
    const len = check(buf, offset);
    if (typeof len === "string") {
      const resumes = findValidAfter(buf, offset + 1, seq, seqOf);
      const kind = resumes ? "corrupt" : "torn";
      return { records, end: offset, problem: { offset, kind, reason: len, ...(resumes && { resumes }) } };
    }
    const payload = buf.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + len);
    const found = seqOf(payload);
    if (found !== seq + 1) {
      const problem: Problem = {
        offset,
        kind: "corrupt",
        reason: `expected seq ${seq + 1}, found ${found}`,
        resumes: { offset, seq: found },
      };
      return { records, end: offset, problem };
    }
    seq = found;
    records.push({ offset, seq, payload });
    offset += HEADER_BYTES + len;
  }
  return { records, end: offset, problem: undefined };
}
