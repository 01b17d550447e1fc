/**
 * The contract every storage adapter keeps (memory and file today, Redis later): one suite,
 * run by each adapter's test file with a factory that opens (and reopens) its store. What is
 * read back is compared as encoded record bytes (`encodeRecord`), so "the same events" means
 * bit for bit, feature order and number spelling included.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { encodeRecord, type LogEvent } from "../../src/codec/events.js";
import {
  CheckpointCorruptError,
  type EventLog,
  type ModelRecord,
  type Storage,
} from "../../src/store/ports.js";

/** Opens the adapter's store over one place; calling `open` again after `close` reopens it. */
export interface StoreFactory {
  /** Called before each test: a fresh, empty place. */
  setUp(): void | Promise<void>;
  /** Called after each test. */
  tearDown(): void | Promise<void>;
  open(): Promise<Storage>;
  /** Damages the stored checkpoint of `model` at `seq` (as a failing disk would). */
  damageCheckpoint(storage: Storage, model: string, seq: number): Promise<void>;
  /** Whether data survives closing the store and opening it again (false for memory within one instance). */
  persistent: boolean;
}

/** An event with order-sensitive features, an integer-like name, strings, booleans and awkward numbers. */
export function sampleEvent(i: number): LogEvent {
  if (i % 7 === 3) {
    return {
      type: "remember",
      id: `p-${i}`,
      x: new Map<string, number | string | boolean>([
        ["z", i],
        ["2", "two"],
      ]),
      served: new Map<boolean, number>([
        [true, 0.25],
        [false, 0.75],
      ]) as never,
      version: i,
      expiresAt: 1_800_000_000_000 + i,
      at: 1_700_000_000_000 + i,
    };
  }
  return {
    type: "learn",
    x: new Map<string, number | string | boolean>([
      ["b", i],
      ["10", -i / 3],
      ["a", 0.1 + 0.2],
      ["s", `v${i % 5}`],
      ["flag", i % 2 === 0],
    ]),
    y: i % 2 === 0,
    eventId: `e${i}`,
    at: 1_700_000_000_000 + i,
  };
}

const RECORD: ModelRecord = {
  name: "m",
  spec: "StandardScaler | LogisticRegression",
  metrics: ["ROCAUC"],
  createdAt: "2024-01-01T00:00:00.000Z",
};

/** Runs the contract for one adapter. */
export function storeContract(name: string, factory: StoreFactory): void {
  describe(`store contract: ${name}`, () => {
    let storage: Storage | undefined;
    beforeEach(() => factory.setUp());
    afterEach(async () => {
      await storage?.close();
      storage = undefined;
      await factory.tearDown();
    });

    /** Appends events 1..n in batches of 1 to 4 (a model's log is opened once at a time). */
    async function appendBatches(s: Storage, model: string, n: number, opened?: EventLog) {
      const log = opened ?? (await s.openLog(model));
      const originals: Buffer[] = [];
      while (log.head < n) {
        const first = log.head + 1;
        const count = Math.min(1 + (first % 4), n - log.head);
        const events = Array.from({ length: count }, (_, k) => sampleEvent(first + k));
        for (const [k, e] of events.entries()) originals.push(encodeRecord(first + k, e));
        await log.append(first, events);
      }
      return { log, originals };
    }

    it("appends with consecutive seqs: head, first, read from any seq, in order", async () => {
      storage = await factory.open();
      const log = await storage.openLog("m");
      assert.equal(log.head, 0);
      assert.equal(log.first, 1);
      assert.deepEqual([...log.read(1)], []);
      const { originals } = await appendBatches(storage, "m", 60, log);
      assert.equal(log.head, 60);
      const all = [...log.read(1)];
      assert.deepEqual(
        all.map((s) => s.seq),
        Array.from({ length: 60 }, (_, i) => i + 1),
      );
      assert.deepEqual(
        all.map((s) => encodeRecord(s.seq, s.event)),
        originals,
        "read back bit for bit",
      );
      assert.deepEqual(
        [...log.read(45)].map((s) => s.seq),
        Array.from({ length: 16 }, (_, i) => i + 45),
      );
      assert.deepEqual([...log.read(61)], []);
      assert.equal(log.stats().first, 1);
      assert.ok(log.stats().bytes > 0);
      await log.sync();
      await log.close();
    });

    it("enforces the seq order: a gap or a repeat is refused and changes nothing", async () => {
      storage = await factory.open();
      const log = await storage.openLog("m");
      await log.append(1, [sampleEvent(1), sampleEvent(2)]);
      await assert.rejects(log.append(4, [sampleEvent(4)]), /expected 3/);
      await assert.rejects(log.append(2, [sampleEvent(2)]), /expected 3/);
      assert.equal(log.head, 2);
      await log.append(3, [sampleEvent(3)]);
      assert.equal([...log.read(1)].length, 3);
      await log.close();
    });

    it("after close and reopen, the same events bit for bit, and appending goes on", async () => {
      storage = await factory.open();
      const { log, originals } = await appendBatches(storage, "m", 40);
      await log.sync();
      await log.close();
      await storage.close();
      storage = await factory.open();
      const again = await storage.openLog("m");
      assert.equal(again.head, 40);
      assert.deepEqual(
        [...again.read(1)].map((s) => encodeRecord(s.seq, s.event)),
        originals,
      );
      await again.append(41, [sampleEvent(41)]);
      assert.equal(again.head, 41);
      await again.close();
    });

    it("checkpoints: save, list oldest first, load, prune to the newest K, across a reopen", async () => {
      storage = await factory.open();
      const cps = await storage.openCheckpoints("m");
      const body = (seq: number) => ({ seq, weights: [0.1 + 0.2, -1e-300, seq / 3], nested: { ok: true } });
      for (const seq of [10, 20, 30, 40])
        await cps.save({ seq, version: seq + 1, createdAt: new Date(seq).toISOString() }, body(seq));
      assert.deepEqual(
        cps.list().map((c) => [c.seq, c.version]),
        [
          [10, 11],
          [20, 21],
          [30, 31],
          [40, 41],
        ],
      );
      assert.ok(cps.list().every((c) => c.bytes > 0));
      assert.deepEqual(cps.load(30), body(30));
      await cps.prune(2);
      assert.deepEqual(
        cps.list().map((c) => c.seq),
        [30, 40],
      );
      assert.throws(() => cps.load(10), CheckpointCorruptError, "a pruned checkpoint is gone");
      await storage.close();
      storage = await factory.open();
      const again = await storage.openCheckpoints("m");
      assert.deepEqual(
        again.list().map((c) => c.seq),
        [30, 40],
      );
      assert.deepEqual(again.load(40), body(40));
    });

    it("a damaged checkpoint fails load (and the others still load)", async () => {
      storage = await factory.open();
      const cps = await storage.openCheckpoints("m");
      await cps.save({ seq: 5, version: 5, createdAt: "" }, { w: [1, 2, 3] });
      await cps.save({ seq: 9, version: 9, createdAt: "" }, { w: [4, 5, 6] });
      await factory.damageCheckpoint(storage, "m", 9);
      const fresh = factory.persistent
        ? await (async () => {
            await storage!.close();
            storage = await factory.open();
            return storage.openCheckpoints("m");
          })()
        : cps;
      assert.throws(() => fresh.load(9), CheckpointCorruptError);
      assert.deepEqual(fresh.load(5), { w: [1, 2, 3] });
    });

    it("registry: save and load, across a reopen", async () => {
      storage = await factory.open();
      assert.deepEqual(await storage.loadRegistry(), []);
      const second: ModelRecord = {
        ...RECORD,
        name: "n",
        drift: "ADWIN",
        createdAt: "2024-01-02T00:00:00.000Z",
      };
      await storage.openLog("m").then((l) => l.close());
      await storage.openLog("n").then((l) => l.close());
      await storage.saveModelRecord(RECORD);
      await storage.saveModelRecord(second);
      await storage.saveRegistry([RECORD, second]);
      assert.deepEqual(await storage.loadRegistry(), [RECORD, second]);
      await storage.close();
      storage = await factory.open();
      assert.deepEqual(await storage.loadRegistry(), [RECORD, second]);
    });

    it("dropModel deletes the model's log and checkpoints, and only that model's", async () => {
      storage = await factory.open();
      const { log } = await appendBatches(storage, "m", 10);
      await log.close();
      const other = await appendBatches(storage, "o", 5);
      await other.log.close();
      await (await storage.openCheckpoints("m")).save({ seq: 10, version: 10, createdAt: "" }, { a: 1 });
      await storage.dropModel("m");
      const fresh = await storage.openLog("m");
      assert.equal(fresh.head, 0);
      assert.deepEqual([...fresh.read(1)], []);
      assert.deepEqual((await storage.openCheckpoints("m")).list(), []);
      await fresh.close();
      const kept = await storage.openLog("o");
      assert.equal(kept.head, 5);
      await kept.close();
    });

    it("compact deletes old events only (never the newest), and a read before them is refused", async () => {
      storage = await factory.open();
      const { log, originals } = await appendBatches(storage, "m", 400);
      await log.compact(300);
      const first = log.first;
      assert.ok(first > 1 && first <= 301, `first ${first}`);
      assert.equal(log.head, 400);
      assert.deepEqual(
        [...log.read(first)].map((s) => encodeRecord(s.seq, s.event)),
        originals.slice(first - 1),
      );
      assert.throws(() => [...log.read(1)], { code: "BROOK_HISTORY_PRUNED" });
      await log.compact(1_000_000);
      assert.ok(log.head === 400 && log.first <= 400, "the newest event is kept");
      await log.append(401, [sampleEvent(401)]);
      await log.close();
      if (factory.persistent) {
        await storage.close();
        storage = await factory.open();
        const again = await storage.openLog("m");
        assert.equal(again.head, 401);
        assert.equal([...again.read(again.first)].at(-1)!.seq, 401);
        await again.close();
      }
    });
  });
}
