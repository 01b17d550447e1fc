/**
 * The checks that live in Redis, raced from several connections at once (as several nodes
 * would): an event id is appended once whoever sends it; a remembered prediction takes one
 * label; a client id is remembered once. And the leases: one holder at a time, a renewal only
 * by the holder, and fencing: a former holder (its lease expired while it was paused) can
 * neither checkpoint, prune nor trim over the new holder's work.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { decodeRecord, type LogEvent } from "../../src/codec/events.js";
import { appendChecked, readPending } from "../../src/store/redis/append.js";
import { FencedError, RedisCheckpointStore } from "../../src/store/redis/checkpoints.js";
import { parseRedisUrl } from "../../src/store/redis/connection.js";
import type { ModelKeys } from "../../src/store/redis/keys.js";
import { Lease } from "../../src/store/redis/lease.js";
import { recordSuffix } from "../../src/store/redis/log.js";
import { CHECKPOINT_SAVE, TRIM } from "../../src/store/redis/scripts.js";
import { RedisStorage } from "../../src/store/redis/storage.js";
import { dropPrefix, SHARED_REDIS, testPrefix } from "../helpers/redis.js";

const RECORD = {
  name: "m",
  spec: "StandardScaler | LogisticRegression",
  metrics: ["ROCAUC"],
  createdAt: "2024-01-01",
};
const learn = (i: number, eventId?: string): LogEvent => ({
  type: "learn",
  x: new Map([["a", i]]),
  y: i % 2 === 0,
  ...(eventId !== undefined && { eventId }),
  at: 1_700_000_000_000 + i,
});
const caps = { eventIdCapacity: 1000, pendingCapacity: 1000, graceMs: 60_000 };

describe("admission in Redis, raced", () => {
  const prefix = testPrefix("admission");
  const nodes: RedisStorage[] = [];
  let keys: ModelKeys;
  let gen: number;
  before(async () => {
    for (let i = 0; i < 4; i++)
      nodes.push(await RedisStorage.open(parseRedisUrl(SHARED_REDIS), prefix, "test"));
    const created = await nodes[0]!.createModel(RECORD);
    assert.ok(created.created);
    gen = created.gen;
    keys = nodes[0]!.keys.model("m", gen);
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    await dropPrefix(SHARED_REDIS, prefix);
  });

  it("the same event id sent by every connection at once is appended once", async () => {
    const now = Date.now();
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        appendChecked(nodes[i % 4]!.redis, keys, {
          gen,
          now,
          items: [{ kind: "l", eventId: "same", suffix: recordSuffix(learn(i, "same")) }],
          ...caps,
        }),
      ),
    );
    const seqs = replies.map((r) => (r.ok ? r.seqs[0]! : 0));
    const appended = seqs.filter((s) => s > 0);
    assert.equal(appended.length, 1, "one append");
    assert.ok(
      seqs.every((s) => s === appended[0] || s === -appended[0]!),
      "the others are told the seq of the first",
    );
    // In one request, the second item with an event id already in it is a retry too.
    const batch = await appendChecked(nodes[0]!.redis, keys, {
      gen,
      now,
      items: [
        { kind: "l", eventId: "b1", suffix: recordSuffix(learn(1, "b1")) },
        { kind: "l", eventId: "b1", suffix: recordSuffix(learn(2, "b1")) },
      ],
      ...caps,
    });
    assert.ok(batch.ok);
    assert.equal(batch.seqs[1], -batch.seqs[0]!);
  });

  it("a remembered prediction takes one label, and a client id is remembered once", async () => {
    const now = Date.now();
    const remember = (i: number): LogEvent => ({
      type: "remember",
      id: "p1",
      x: new Map([["a", i]]),
      served: null,
      version: 0,
      expiresAt: now + 60_000,
      at: now,
    });
    const remembers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        appendChecked(nodes[i % 4]!.redis, keys, {
          gen,
          now,
          items: [{ kind: "r", id: "p1", expiresAt: now + 60_000, suffix: recordSuffix(remember(i)) }],
          ...caps,
        }),
      ),
    );
    assert.equal(remembers.filter((r) => r.ok).length, 1);
    assert.ok(remembers.every((r) => r.ok || r.why === "conflict"));
    const [pending] = await readPending(nodes[0]!.redis, keys, ["p1"]);
    assert.ok(pending && !pending.labelled);
    assert.equal(decodeRecord(pending.record!).event.type, "remember");
    const labels = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        appendChecked(nodes[i % 4]!.redis, keys, {
          gen,
          now,
          items: [{ kind: "b", id: "p1", token: pending.token, suffix: recordSuffix(learn(i)) }],
          ...caps,
        }),
      ),
    );
    assert.equal(labels.filter((r) => r.ok).length, 1, "one label");
    assert.ok(labels.every((r) => r.ok || r.why === "labelled"));
    const unknown = await appendChecked(nodes[0]!.redis, keys, {
      gen,
      now,
      items: [{ kind: "b", id: "nope", token: "", suffix: Buffer.alloc(0) }],
      ...caps,
    });
    assert.deepEqual(unknown, { ok: false, why: "notfound", index: 0 });
    const later = await appendChecked(nodes[0]!.redis, keys, {
      gen,
      now: now + 120_000,
      items: [{ kind: "r", id: "p2", expiresAt: now + 1000, suffix: recordSuffix(remember(0)) }],
      ...caps,
    });
    assert.ok(later.ok);
    const expired = await appendChecked(nodes[0]!.redis, keys, {
      gen,
      now: now + 2000,
      items: [{ kind: "b", id: "p2", token: String(later.seqs[0]), suffix: recordSuffix(learn(0)) }],
      ...caps,
    });
    assert.deepEqual(expired, { ok: false, why: "expired", index: 0 });
  });

  it("a refused batch appends nothing (all or nothing)", async () => {
    const head = Number(await nodes[0]!.redis.hget(keys.meta, "head"));
    const r = await appendChecked(nodes[0]!.redis, keys, {
      gen,
      now: Date.now(),
      items: [
        { kind: "l", eventId: "fresh-1", suffix: recordSuffix(learn(1, "fresh-1")) },
        { kind: "b", id: "nope", token: "", suffix: Buffer.alloc(0) },
      ],
      ...caps,
    });
    assert.deepEqual(r, { ok: false, why: "notfound", index: 1 });
    assert.equal(Number(await nodes[0]!.redis.hget(keys.meta, "head")), head);
    assert.equal(await nodes[0]!.redis.zscore(keys.eventIds, "fresh-1"), null);
  });

  it("a deleted model's appends are refused as gone", async () => {
    const other = await nodes[0]!.createModel({ ...RECORD, name: "gone" });
    assert.ok(other.created);
    const k = nodes[0]!.keys.model("gone", other.gen);
    await nodes[1]!.deleteModel("gone");
    const r = await appendChecked(nodes[2]!.redis, k, {
      gen: other.gen,
      now: Date.now(),
      items: [{ kind: "l", suffix: recordSuffix(learn(0)) }],
      ...caps,
    });
    assert.deepEqual(r, { ok: false, why: "gone", index: 0 });
  });
});

describe("trimming the log", () => {
  const prefix = testPrefix("trim");
  let storage: RedisStorage;
  before(async () => {
    storage = await RedisStorage.open(parseRedisUrl(SHARED_REDIS), prefix, "test");
  });
  after(async () => {
    await storage.close();
    await dropPrefix(SHARED_REDIS, prefix);
  });

  it("only below the oldest kept checkpoint and the oldest waiting prediction, never the newest event", async () => {
    const created = await storage.createModel(RECORD);
    assert.ok(created.created);
    const { gen } = created;
    const k = storage.keys.model("m", gen);
    const now = Date.now();
    const append = (items: Parameters<typeof appendChecked>[2]["items"]) =>
      appendChecked(storage.redis, k, { gen, now, items, ...caps });
    for (let i = 1; i <= 5; i++)
      assert.ok((await append([{ kind: "l", suffix: recordSuffix(learn(i)) }])).ok);
    const remember: LogEvent = {
      type: "remember",
      id: "w",
      x: new Map([["a", 1]]),
      served: null,
      version: 5,
      expiresAt: now + 60_000,
      at: now,
    };
    const r = await append([{ kind: "r", id: "w", expiresAt: now + 60_000, suffix: recordSuffix(remember) }]);
    assert.ok(r.ok && r.seqs[0] === 6);
    for (let i = 7; i <= 30; i++)
      assert.ok((await append([{ kind: "l", suffix: recordSuffix(learn(i)) }])).ok);
    const checkpoints = new RedisCheckpointStore(storage.redis, k, gen);
    const trim = async (upTo: number) =>
      Number(
        await TRIM.run(
          storage.redis,
          [k.lease, k.meta, k.stream, k.checkpoints, k.pendingIndex],
          ["", gen, upTo, "1", k.pendingPrefix],
        ),
      );
    assert.equal(await trim(30), 1, "no checkpoint: nothing trimmed");
    await checkpoints.save({ seq: 20, version: 19, createdAt: "" }, { a: 1 });
    assert.equal(await trim(30), 6, "the waiting prediction's remember (seq 6) is kept");
    const [p] = await readPending(storage.redis, k, ["w"]);
    const label = await append([{ kind: "b", id: "w", token: p!.token, suffix: recordSuffix(learn(31)) }]);
    assert.ok(label.ok);
    assert.equal(await trim(30), 21, "then up to the oldest kept checkpoint (seq 20)");
    await checkpoints.save({ seq: 31, version: 30, createdAt: "" }, { a: 2 });
    await checkpoints.prune(1);
    assert.equal(await trim(1000), 31, "never the newest event");
    const first = (await storage.redis.xrange(k.stream, "-", "+", "COUNT", 1))[0]![0];
    assert.equal(first, "31-0");
  });
});

describe("leases and fencing", () => {
  const prefix = testPrefix("fencing");
  let a: RedisStorage;
  let b: RedisStorage;
  let keys: ModelKeys;
  let gen: number;
  before(async () => {
    a = await RedisStorage.open(parseRedisUrl(SHARED_REDIS), prefix, "a");
    b = await RedisStorage.open(parseRedisUrl(SHARED_REDIS), prefix, "b");
    const created = await a.createModel(RECORD);
    assert.ok(created.created);
    gen = created.gen;
    keys = a.keys.model("m", gen);
  });
  after(async () => {
    await a.close();
    await b.close();
    await dropPrefix(SHARED_REDIS, prefix);
  });

  it("one holder at a time; a paused holder whose lease expired cannot overwrite the new holder's checkpoint", async () => {
    const TTL = 300;
    const first = new Lease(a.redis, keys, "node-a", TTL);
    const second = new Lease(b.redis, keys, "node-b", TTL);
    assert.equal(await first.acquire(), 0);
    const wait = await second.acquire();
    assert.ok(wait > 0 && wait <= TTL, "held: the other is told how long until it expires");
    const old = first.current()!;
    const storeA = new RedisCheckpointStore(a.redis, keys, gen, () => first.current());
    await storeA.save({ seq: 5, version: 5, createdAt: "" }, { w: 1 });
    // A pauses past its TTL: its own view lets the lease go before Redis does...
    await new Promise((r) => setTimeout(r, TTL + 50));
    assert.equal(first.current(), undefined);
    await assert.rejects(storeA.save({ seq: 6, version: 6, createdAt: "" }, { w: 2 }), FencedError);
    // ...and B takes it, with a newer fencing token.
    assert.equal(await second.acquire(), 0);
    assert.ok(second.current()!.fence > old.fence);
    assert.equal(await first.renew(), false, "the former holder cannot renew");
    const storeB = new RedisCheckpointStore(b.redis, keys, gen, () => second.current());
    await storeB.save({ seq: 10, version: 10, createdAt: "" }, { w: 3 });
    // A paused holder that still believes it holds the lease: its write reaches Redis with the old token.
    const stale = await CHECKPOINT_SAVE.run(
      a.redis,
      [keys.lease, keys.checkpoints, keys.latest, keys.checkpoint(12), keys.meta],
      [old.value, old.fence, 12, "{}", "x", gen],
    );
    assert.equal(stale, "fenced");
    // Even once nobody holds the lease, an older token never goes over a newer checkpoint.
    await second.release();
    const unheld = await CHECKPOINT_SAVE.run(
      a.redis,
      [keys.lease, keys.checkpoints, keys.latest, keys.checkpoint(12), keys.meta],
      ["", old.fence, 12, "{}", "x", gen],
    );
    assert.equal(unheld, "fenced");
    assert.equal(await a.redis.get(keys.latest), `10|${second.current()?.fence ?? old.fence + 1}`);
    assert.equal(await a.redis.exists(keys.checkpoint(12)), 0);
  });
});
