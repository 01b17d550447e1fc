/**
 * The append of a Brook node: events and their admission checks in one script (scripts.ts,
 * APPEND), so that what any node accepts is decided in one place, in one order: an event id
 * seen before (by any node) is a retry, a label needs its remembered prediction to exist, be
 * unexpired and unlabelled, a remembered id must be free. Redis assigns the seqs; the reply
 * says which seq each item got. Remembered predictions live in Redis as keys with a TTL, each
 * holding its remember record (so any node can build the label's learn event from it).
 */
import type { Redis } from "ioredis";
import type { ModelKeys } from "./keys.js";
import { APPEND } from "./scripts.js";

/** An item to append: `suffix` is the record after its seq (log.ts `recordSuffix`). */
export type AppendItem =
  /** A learn (or rollback, import: any event without checks but its event id). */
  | { kind: "l"; eventId?: string | undefined; suffix: Buffer }
  /** The label of a remembered prediction; `token` is the seq of the remember that was read. */
  | { kind: "b"; eventId?: string | undefined; id: string; token: string; suffix: Buffer }
  /** A remembered prediction, waiting until `expiresAt` for its label. */
  | { kind: "r"; id: string; expiresAt: number; suffix: Buffer };

export interface AppendRequest {
  gen: number;
  /** The events' time (ms); expiry is judged against it. */
  now: number;
  items: readonly AppendItem[];
  /** Stored with the last appended event: who to tell once it is applied. */
  origin?: string;
  eventIdCapacity: number;
  pendingCapacity: number;
  /** How long an expired id is still told `expired` before it is unknown (ms). */
  graceMs: number;
}

/** Why an append was refused (nothing was appended). */
export type Refusal = "gone" | "notfound" | "changed" | "expired" | "labelled" | "conflict";

export type AppendReply =
  /** Per item: the seq it got, or minus the seq that logged its event id first (a retry, not appended). */
  | { ok: true; seqs: number[] }
  /** `index`: the item refused (0-based). */
  | { ok: false; why: Refusal; index: number };

/** Runs the checked append. */
export async function appendChecked(redis: Redis, keys: ModelKeys, req: AppendRequest): Promise<AppendReply> {
  const keyList = [keys.meta, keys.stream, keys.eventIds, keys.pendingIndex];
  const args: (string | number | Buffer)[] = [
    req.gen,
    req.now,
    req.eventIdCapacity,
    req.pendingCapacity,
    req.graceMs,
    req.origin ?? "",
    "",
    keys.pendingPrefix,
    req.items.length,
  ];
  for (const item of req.items) {
    if (item.kind === "l") args.push("l", item.eventId ?? "", "", "", item.suffix);
    else if (item.kind === "b") {
      keyList.push(keys.pending(item.id));
      args.push("b", item.eventId ?? "", item.id, item.token, item.suffix);
    } else {
      keyList.push(keys.pending(item.id));
      args.push("r", "", item.id, String(item.expiresAt), item.suffix);
    }
  }
  const reply = (await APPEND.run(redis, keyList, args)) as (string | number)[];
  if (reply[0] === "ok") return { ok: true, seqs: reply.slice(1).map(Number) };
  return { ok: false, why: reply[1] as Refusal, index: Math.max(0, Number(reply[2]) - 1) };
}

/** A remembered prediction as Redis holds it. */
export interface PendingRecord {
  /** The seq of its remember (the token a label sends back). */
  token: string;
  expiresAt: number;
  /** The remember record (`decodeRecord` reads it); absent once labelled. */
  record: Buffer | undefined;
  labelled: boolean;
}

/** The remembered predictions of `ids` (undefined: unknown, evicted or long expired). */
export async function readPending(
  redis: Redis,
  keys: ModelKeys,
  ids: readonly string[],
): Promise<(PendingRecord | undefined)[]> {
  return Promise.all(
    ids.map(async (id) => {
      const [s, e, r, l] = await redis.hmgetBuffer(keys.pending(id), "s", "e", "r", "l");
      if (l) return { token: "", expiresAt: Number(e ?? 0), record: undefined, labelled: true };
      if (!s || !e) return undefined;
      return {
        token: s.toString("latin1"),
        expiresAt: Number(e.toString("latin1")),
        record: r ?? undefined,
        labelled: false,
      };
    }),
  );
}

/** Waiting remembered predictions (not expired at `now`). */
export function countPending(redis: Redis, keys: ModelKeys, now: number): Promise<number> {
  return redis.zcount(keys.pendingIndex, now, "+inf");
}
