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
  offset: number;
  kind: "torn" | "corrupt";
  reason: string;
}

export interface Scan {
  /** Offsets and payloads of the valid records, in order. */
  records: { offset: number; payload: Buffer }[];
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

/** Reads every valid record from `start`; stops at the first invalid one and classifies it. */
export function scan(buf: Buffer, start: number): Scan {
  const records: Scan["records"] = [];
  let offset = start;
  while (offset < buf.length) {
    const len = check(buf, offset);
    if (typeof len === "string") {
      // Torn if nothing valid follows (a crash mid-write); corrupt if a valid record comes next.
      const declared = offset + HEADER_BYTES <= buf.length ? buf.readUInt32LE(offset) : 0;
      const next = offset + HEADER_BYTES + declared;
      const followed =
        declared > 0 &&
        declared <= MAX_RECORD_BYTES &&
        next < buf.length &&
        typeof check(buf, next) === "number";
      return { records, end: offset, problem: { offset, kind: followed ? "corrupt" : "torn", reason: len } };
    }
    records.push({ offset, payload: buf.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + len) });
    offset += HEADER_BYTES + len;
  }
  return { records, end: offset, problem: undefined };
}
