/**
 * A model's log as a Redis Stream: one entry per event, id `<seq>-0`, field `r` the record's
 * bytes (`encodeRecord`: the same bytes the file log frames), and `o` on the last event of a
 * request (which node and request appended it, so that node can answer once it applied it).
 * The stream assigns nothing by itself: the append script gives the next seqs, atomically with
 * the checks (scripts.ts). Here: reading entries, and `RedisEventLog`, the `EventLog` port.
 */

import type { Redis } from "ioredis";
import { encodeRecord, type LogEvent, type Stored } from "../../codec/events.js";
import { brookError } from "../../errors.js";
import { readHeldRecords } from "../in-memory-records.js";
import type { EventLog, LogFault, LogStats } from "../ports.js";
import { entryId, type ModelKeys, seqOfEntry } from "./keys.js";
import { APPEND, TRIM } from "./scripts.js";

/** An entry of a log stream. */
export interface StreamEntry {
  seq: number;
  /** The record's bytes (`decodeRecord` reads them). */
  record: Buffer;
  /** The append's origin tag, on the last event of a request. */
  origin: string | undefined;
}

/** Bytes of `encodeRecord(0, e)` that precede what the append script is sent: `\x01{"s":0`. */
const SEQ_PREFIX = 7;

/** The bytes of an event's record after its seq: the script puts `\x01{"s":<seq>` in front. */
export function recordSuffix(event: LogEvent): Buffer {
  return encodeRecord(0, event).subarray(SEQ_PREFIX);
}

/** Entries as XRANGE / XREAD give them (`[id, [field, value, ...]]`, as buffers). */
export function parseEntries(raw: [Buffer, Buffer[]][]): StreamEntry[] {
  const out: StreamEntry[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const [id, fields] = raw[i]!;
    let record: Buffer | undefined;
    let origin: string | undefined;
    for (let f = 0; f + 1 < fields.length; f += 2) {
      const name = fields[f]!;
      if (name.length === 1 && name[0] === 114)
        record = fields[f + 1]; // "r"
      else if (name.length === 1 && name[0] === 111) origin = fields[f + 1]!.toString("latin1"); // "o"
    }
    if (!record) throw new Error(`log entry ${id.toString("latin1")} has no record`);
    out[i] = { seq: seqOfEntry(id), record, origin };
  }
  return out;
}

/** Up to `count` entries with seq >= `fromSeq`, in order. */
export async function readEntries(
  redis: Redis,
  stream: string,
  fromSeq: number,
  count: number,
): Promise<StreamEntry[]> {
  const raw = (await redis.xrangeBuffer(stream, entryId(Math.max(1, fromSeq)), "+", "COUNT", count)) as [
    Buffer,
    Buffer[],
  ][];
  return parseEntries(raw);
}

/** The head (last seq) and first (oldest seq kept) of a model generation's log. */
export async function logBounds(redis: Redis, keys: ModelKeys): Promise<{ head: number; first: number }> {
  const [head, first] = await redis.hmget(keys.meta, "head", "first");
  return { head: Number(head ?? 0), first: Number(first ?? 1) };
}

/**
 * The `EventLog` port over a stream, for what reads a log synchronously (recovery, replays,
 * the store contract): the entries are read once when it is opened and kept in this process
 * with what it appends. A Brook node does not use it to follow a log (it reads the stream as
 * it grows: see runtime/redis/).
 */
export class RedisEventLog implements EventLog {
  readonly fault: LogFault | undefined = undefined;

  private constructor(
    private readonly redis: Redis,
    private readonly keys: ModelKeys,
    private readonly gen: number,
    private records: Buffer[],
    private base: number,
    private readonly pendingPrefix: string,
  ) {}

  /** Opens the log of a model generation and reads every entry it holds. */
  static async open(redis: Redis, keys: ModelKeys, gen: number): Promise<RedisEventLog> {
    const { head, first } = await logBounds(redis, keys);
    const records: Buffer[] = [];
    let next = first;
    while (next <= head) {
      const batch = await readEntries(redis, keys.stream, next, 10_000);
      if (batch.length === 0) break;
      for (const e of batch) {
        if (e.seq !== first + records.length)
          throw new Error(
            `the log of ${keys.stream} skips from seq ${first + records.length - 1} to ${e.seq}`,
          );
        records.push(e.record);
      }
      next = batch[batch.length - 1]!.seq + 1;
    }
    if (first + records.length - 1 !== head)
      throw new Error(
        `the log of ${keys.stream} ends at seq ${first + records.length - 1}, its head says ${head}`,
      );
    return new RedisEventLog(redis, keys, gen, records, first, keys.pendingPrefix);
  }

  get head(): number {
    return this.base + this.records.length - 1;
  }

  get first(): number {
    return this.base;
  }

  async append(firstSeq: number, events: readonly LogEvent[]): Promise<void> {
    const args: (string | number | Buffer)[] = [
      this.gen,
      Date.now(),
      1,
      1,
      0,
      "",
      firstSeq,
      this.pendingPrefix,
    ];
    args.push(events.length);
    const suffixes = events.map(recordSuffix);
    for (const s of suffixes) args.push("e", "", "", "", s);
    const keys = [this.keys.meta, this.keys.stream, this.keys.eventIds, this.keys.pendingIndex];
    const reply = (await APPEND.run(this.redis, keys, args)) as [string, ...(string | number)[]];
    if (reply[0] !== "ok") {
      if (reply[1] === "order") throw new Error(`append at seq ${firstSeq}, expected ${reply[2]}`);
      throw brookError("MODEL_NOT_FOUND", `the log ${this.keys.stream} is gone`);
    }
    for (const [i, e] of events.entries()) this.records.push(encodeRecord(firstSeq + i, e));
  }

  read(fromSeq: number): Generator<Stored> {
    return readHeldRecords(this.records, this.base, this.head, fromSeq);
  }

  /** Redis' own persistence decides durability (see README, Redis persistence): nothing to wait for. */
  async sync(): Promise<void> {}

  async compact(seq: number): Promise<number> {
    const keys = [
      this.keys.lease,
      this.keys.meta,
      this.keys.stream,
      this.keys.checkpoints,
      this.keys.pendingIndex,
    ];
    const first = Number(await TRIM.run(this.redis, keys, ["", this.gen, seq, "0", this.pendingPrefix]));
    if (first < 0) throw brookError("MODEL_NOT_FOUND", `the log ${this.keys.stream} is gone`);
    const drop = first - this.base;
    if (drop <= 0) return 0;
    this.records = this.records.slice(drop);
    this.base = first;
    return 1;
  }

  stats(): LogStats {
    return {
      bytes: this.records.reduce((n, r) => n + r.length, 0),
      segments: this.records.length ? 1 : 0,
      first: this.base,
    };
  }

  async close(): Promise<void> {}
}
