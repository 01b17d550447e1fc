/**
 * Following streams as they grow: one blocking XREAD over the control stream and every log a
 * node serves, batched (up to `count` entries per stream per read). The read blocks on a
 * connection of its own; `interrupt` (CLIENT UNBLOCK from the command connection) makes it
 * return at once when the set of streams changes.
 */
import type { Redis } from "ioredis";
import { entryId } from "./keys.js";
import { parseEntries, type StreamEntry } from "./log.js";

/** A stream to follow from after an entry id. */
export interface Followed {
  key: string;
  /** The id of the last entry already seen (`$`: only new ones). */
  after: string;
}

/** What one read brought, per stream key (raw entries: `[id, [field, value, ...]]`). */
export type ReadBatch = Map<string, [Buffer, Buffer[]][]>;

/** The next entries of `streams`, waiting up to `blockMs` for one; an empty map when none came. */
export async function readStreams(
  redis: Redis,
  streams: readonly Followed[],
  count: number,
  blockMs: number,
): Promise<ReadBatch> {
  const keys = streams.map((s) => s.key);
  const ids = streams.map((s) => s.after);
  const reply = (await redis.xreadBuffer("COUNT", count, "BLOCK", blockMs, "STREAMS", ...keys, ...ids)) as
    | [Buffer, [Buffer, Buffer[]][]][]
    | null;
  const out: ReadBatch = new Map();
  for (const [key, entries] of reply ?? []) out.set(key.toString(), entries);
  return out;
}

/** The id to follow a log from after its event `seq`. */
export function afterSeq(seq: number): string {
  return seq <= 0 ? "0-0" : entryId(seq);
}

/** A log's entries from a read. */
export function logEntries(raw: [Buffer, Buffer[]][]): StreamEntry[] {
  return parseEntries(raw);
}

/** An entry of the control stream. */
export interface ControlEntry {
  id: string;
  op: string;
  fields: Record<string, string>;
}

export function controlEntries(raw: [Buffer, Buffer[]][]): ControlEntry[] {
  return raw.map(([id, f]) => {
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < f.length; i += 2) fields[f[i]!.toString()] = f[i + 1]!.toString();
    return { id: id.toString(), op: fields.op ?? "", fields };
  });
}

/** The id of the control stream's last entry (`0-0` when empty): following from it misses nothing later. */
export async function lastControlId(redis: Redis, key: string): Promise<string> {
  const last = (await redis.xrevrange(key, "+", "-", "COUNT", 1)) as [string, string[]][];
  return last[0]?.[0] ?? "0-0";
}

/** The connection id of a client (for CLIENT UNBLOCK). */
export async function clientId(redis: Redis): Promise<number> {
  return Number(await redis.client("ID"));
}

/** Makes a blocked read of connection `id` return now (as if it timed out). */
export async function interrupt(redis: Redis, id: number): Promise<void> {
  await redis.client("UNBLOCK", id);
}
