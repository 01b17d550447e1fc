/**
 * What the event log acknowledges, seen through an injectable file layer: a held datasync, a
 * short write, a failed write or sync. The files underneath are real, so every check of what
 * survived reopens the log from disk.
 *
 * What an append's promise means, per --fsync:
 * - always: its bytes were written completely AND a datasync that started after they were
 *   written has finished (so they survive a machine crash).
 * - interval: its bytes were written completely (page cache); a timer datasyncs every
 *   --fsync-interval-ms. A process crash loses nothing acknowledged; a machine crash may lose
 *   up to one interval. A failed sync is repaired by rewriting the unsynced bytes.
 * - never: written completely; the OS decides when they reach the disk.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, it } from "node:test";
import { encodeRecord, recordSeq } from "../../src/codec/events.js";
import { HandlePool } from "../../src/store/file/handle-pool.js";
import { FileEventLog, type LogOptions, listSegments } from "../../src/store/file/segmented-log.js";
import { scan } from "../../src/store/record.js";
import { tempDir } from "../helpers/tmp.js";
import { sampleEvent } from "../store/contract.js";
import { FaultyFiles, turns, until } from "./faulty-files.js";

const BASE: LogOptions = { fsync: "always", fsyncIntervalMs: 20, segmentBytes: 1 << 20, retryMs: 20 };

describe("the event log under disk faults", () => {
  let tmp: ReturnType<typeof tempDir>;
  let files: FaultyFiles;
  beforeEach(() => {
    tmp = tempDir();
    files = new FaultyFiles();
  });
  afterEach(() => tmp.remove());

  const open = (o: Partial<LogOptions> = {}) => FileEventLog.open(tmp.dir, { ...BASE, files, ...o });
  /** What a fresh open (real files, no faults) finds, as encoded records. */
  async function onDisk(): Promise<Buffer[]> {
    const log = await FileEventLog.open(tmp.dir, BASE);
    const out = [...log.read(1)].map((s) => encodeRecord(s.seq, s.event));
    await log.close();
    return out;
  }
  const expected = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => encodeRecord(from + i, sampleEvent(from + i)));

  it("fsync always: no append resolves before the datasync covering it has finished", async () => {
    const log = await open();
    const release = files.holdSyncs();
    const acks: Promise<void>[] = [];
    for (let i = 1; i <= 5; i++)
      acks.push(log.append(i, [sampleEvent(i)]).then(() => void files.log.push(`ack ${i}`)));
    await until(() => files.log.includes("sync 1 start"), "the first datasync to start");
    // Appends that arrive while the sync is held go into the next write and the next sync.
    for (let i = 6; i <= 8; i++)
      acks.push(log.append(i, [sampleEvent(i)]).then(() => void files.log.push(`ack ${i}`)));
    await turns(50);
    assert.ok(!files.log.some((l) => l.startsWith("ack")), `nothing acknowledged while held: ${files.log}`);
    release();
    await Promise.all(acks);
    const at = (l: string) => files.log.indexOf(l);
    for (let i = 1; i <= 5; i++) assert.ok(at(`ack ${i}`) > at("sync 1 done"), files.log.join(", "));
    for (let i = 6; i <= 8; i++) assert.ok(at(`ack ${i}`) > at("sync 2 done"), files.log.join(", "));
    await log.close();
    assert.deepEqual(await onDisk(), expected(1, 8));
  });

  it("a short write is continued, never acknowledged half-written", async () => {
    const log = await open();
    files.shortWrites = 7;
    await Promise.all(Array.from({ length: 20 }, (_, i) => log.append(i + 1, [sampleEvent(i + 1)])));
    assert.ok(files.writes > 20, `${files.writes} write calls for 20 events: writes were short`);
    await log.close();
    assert.deepEqual(await onDisk(), expected(1, 20));
  });

  it("a write that fails part-way is not acknowledged, cut back, and writing resumes by itself", async () => {
    const log = await open();
    await log.append(1, [sampleEvent(1), sampleEvent(2)]);
    files.partialThenFail = { bytes: 10, code: "ENOSPC" };
    await assert.rejects(log.append(3, [sampleEvent(3)]), { code: "ENOSPC" });
    assert.equal(log.head, 2, "head is back at the last acknowledged event");
    assert.equal(log.fault?.error && (log.fault.error as NodeJS.ErrnoException).code, "ENOSPC");
    // Within the backoff, appends are refused at once with the cause.
    await assert.rejects(log.append(3, [sampleEvent(3)]), { code: "ENOSPC" });
    // The disk works again: the heal timer cuts the half-written bytes and clears the fault.
    await until(() => log.fault === undefined, "the log to heal");
    await log.append(3, [sampleEvent(3)]);
    await log.close();
    assert.deepEqual(await onDisk(), expected(1, 3));
    const [seg] = listSegments(tmp.dir);
    assert.equal(
      scan(readFileSync(seg!.path), 1, recordSeq).problem,
      undefined,
      "no bytes of the failed write remain",
    );
  });

  it("a failed datasync fails exactly the appends it covered (and those queued behind them), not the acknowledged ones", async () => {
    const log = await open();
    await log.append(1, [sampleEvent(1), sampleEvent(2), sampleEvent(3)]);
    const release = files.holdSyncs();
    files.failOnce("datasync", "EIO");
    const covered = [log.append(4, [sampleEvent(4)]), log.append(5, [sampleEvent(5)])];
    await until(
      () => files.log.some((l) => l.startsWith("sync") && l.endsWith("start")),
      "the sync to start",
    );
    // Queued behind the held sync: its seq follows the failing ones, so it cannot be written.
    const queued = log.append(6, [sampleEvent(6)]);
    release();
    const results = await Promise.allSettled([...covered, queued]);
    assert.deepEqual(
      results.map((r) => r.status),
      ["rejected", "rejected", "rejected"],
    );
    assert.equal(log.head, 3);
    // Before the log heals, the file already holds only what was acknowledged: a crash now
    // cannot bring back the refused records.
    const [seg] = listSegments(tmp.dir);
    const now = scan(readFileSync(seg!.path), 1, recordSeq);
    assert.deepEqual(
      now.records.map((r) => r.seq),
      [1, 2, 3],
    );
    assert.equal(now.problem, undefined);
    await until(() => log.fault === undefined, "the log to heal");
    await log.append(4, [sampleEvent(4)]);
    await log.close();
    // 1-3 (acknowledged before) and the new 4; nothing of the failed 4-6.
    assert.deepEqual(await onDisk(), expected(1, 4));
  });

  it("a disk that stays broken keeps refusing (fast), and the first write after it works succeeds", async () => {
    const log = await open({ retryMs: 30 });
    await log.append(1, [sampleEvent(1)]);
    files.fail("write", "EROFS");
    await assert.rejects(log.append(2, [sampleEvent(2)]), { code: "EROFS" });
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 35));
      await assert.rejects(log.append(2, [sampleEvent(2)]), { code: "EROFS" });
    }
    assert.ok(log.fault);
    files.repair();
    await until(() => log.fault === undefined, "the log to heal");
    await log.append(2, [sampleEvent(2)]);
    await log.close();
    assert.deepEqual(await onDisk(), expected(1, 2));
  });

  it("EMFILE when opening a segment is a fault like any other, and heals", async () => {
    const log = await open({ segmentBytes: 200 });
    await log.append(1, [sampleEvent(1), sampleEvent(2)]);
    files.failOnce("open", "EMFILE");
    // The next write rolls to a new segment, whose open fails.
    await assert.rejects(log.append(3, [sampleEvent(3), sampleEvent(4)]), { code: "EMFILE" });
    await until(() => log.fault === undefined, "the log to heal");
    await log.append(3, [sampleEvent(3), sampleEvent(4)]);
    await log.close();
    assert.deepEqual(await onDisk(), expected(1, 4));
  });

  it("fsync interval: acknowledged once written; a failing sync keeps the bytes and rewrites them once the disk works", async () => {
    const log = await open({ fsync: "interval" });
    files.fail("datasync", "EIO");
    await Promise.all(Array.from({ length: 10 }, (_, i) => log.append(i + 1, [sampleEvent(i + 1)])));
    assert.equal(log.head, 10, "acknowledged before any sync succeeded");
    await until(() => log.fault !== undefined, "the timer's sync to fail");
    await assert.rejects(log.append(11, [sampleEvent(11)]), { code: "EIO" });
    assert.equal(log.head, 10, "acknowledged events stay (they are applied already)");
    files.repair();
    await until(() => log.fault === undefined, "the log to heal");
    await log.append(11, [sampleEvent(11)]);
    await log.close();
    assert.deepEqual(await onDisk(), expected(1, 11));
  });

  it("fsync never: acknowledged once written (no datasync at all), readable after reopen", async () => {
    const log = await open({ fsync: "never" });
    await Promise.all(Array.from({ length: 10 }, (_, i) => log.append(i + 1, [sampleEvent(i + 1)])));
    assert.equal(files.datasyncs, 0);
    await log.close();
    assert.deepEqual(await onDisk(), expected(1, 10));
  });

  it("a shared pool bounds the open segment files: 300 logs, at most 10 open, nothing lost", async () => {
    const pool = new HandlePool(10);
    const logs = await Promise.all(
      Array.from({ length: 300 }, (_, i) => FileEventLog.open(`${tmp.dir}/m${i}`, { ...BASE, pool })),
    );
    for (let round = 1; round <= 3; round++) {
      await Promise.all(logs.map((l) => l.append(round, [sampleEvent(round)])));
      assert.ok(pool.size <= 10, `${pool.size} files open`);
    }
    await Promise.all(logs.map((l) => l.close()));
    assert.equal(pool.size, 0);
    for (const i of [0, 150, 299]) {
      const again = await FileEventLog.open(`${tmp.dir}/m${i}`, BASE);
      assert.deepEqual(
        [...again.read(1)].map((s) => encodeRecord(s.seq, s.event)),
        expected(1, 3),
      );
      await again.close();
    }
  });

  it("logs whose disk refuses writes give up their place in the pool: a healthy log is not held up", {
    timeout: 10_000,
  }, async () => {
    const pool = new HandlePool(2);
    const broken = [new FaultyFiles(), new FaultyFiles()];
    const logs = await Promise.all(
      broken.map((f, i) =>
        FileEventLog.open(`${tmp.dir}/b${i}`, { ...BASE, pool, files: f, retryMs: 60_000 }),
      ),
    );
    for (const [i, log] of logs.entries()) {
      await log.append(1, [sampleEvent(1)]);
      broken[i]!.fail("datasync", "EIO");
      await assert.rejects(log.append(2, [sampleEvent(2)]), { code: "EIO" });
    }
    const healthy = await FileEventLog.open(`${tmp.dir}/h`, { ...BASE, pool });
    await healthy.append(1, [sampleEvent(1)]);
    assert.ok(pool.size <= 2);
    for (const l of [...logs, healthy]) await l.close();
  });
});
