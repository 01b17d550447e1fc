import { decodeRecord, type Stored } from "../codec/events.js";
import { brookError } from "../errors.js";

/**
 * Reads events from `fromSeq` out of a log's records held in memory, where `records[0]` is
 * seq `base` and `head` the newest seq (the memory store, and a Redis node's copy of a stream).
 * Asking for events that retention deleted is an error, not a silent gap.
 */
export function* readHeldRecords(
  records: readonly Buffer[],
  base: number,
  head: number,
  fromSeq: number,
): Generator<Stored> {
  const start = Math.max(1, fromSeq);
  if (start > head) return;
  if (start < base)
    throw brookError("HISTORY_PRUNED", `events from seq ${start} were deleted by retention`, {
      seq: start,
      first: base,
    });
  for (let i = start - base; i < records.length; i++) yield decodeRecord(records[i]!);
}
