import assert from "node:assert/strict";
import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { LogEvent } from "../../src/codec/events.js";
import { FileEventLog, type LogOptions } from "../../src/store/file/segmented-log.js";
import { LogCorruptError } from "../../src/store/ports.js";
import { tempDir } from "../helpers/tmp.js";

const OPTIONS: LogOptions = { fsync: "always", fsyncIntervalMs: 50, segmentBytes: 64 * 1024 * 1024 };

function learn(i: number): LogEvent {
  return {
    type: "learn",
    x: new Map<string, number | string | boolean>([
      ["b", i],
      ["10", -i / 3],
      ["a", 0.5],
    ]),
    y: i % 2 === 0,
    at: 1_700_000_000_000 + i,
  };
}

async function fill(log: FileEventLog, n: number): Promise<void> {
  // Concurrent appends, as concurrent requests make them: they share writes and fsyncs.
  await Promise.all(Array.from({ length: n }, () => log.append(log.head + 1, [learn(log.head + 1)])));
}

describe("the segmented event log", () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.remove());

  it("appends with consecutive seqs and reads them back, in order, after a reopen", async () => {
    const log = await FileEventLog.open(tmp.dir, OPTIONS);
    await fill(log, 200);
    assert.equal(log.head, 200);
    await log.close();
    const again = await FileEventLog.open(tmp.dir, OPTIONS);
    assert.equal(again.head, 200);
    const events = [...again.read(1)];
    assert.deepEqual(
      events.map((e) => e.seq),
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    const e = events[9]!.event as Extract<LogEvent, { type: "learn" }>;
    assert.deepEqual(
      [...e.x.keys()],
      ["b", "10", "a"],
      "feature order survives, integer-like names included",
    );
    // Numeric features come back in the light array form; what they hold is the same.
    const sent = learn(10) as Extract<LogEvent, { type: "learn" }>;
    assert.deepEqual({ ...e, x: [...e.x] }, { ...sent, x: [...sent.x] });
    assert.deepEqual(
      [...again.read(150)].map((s) => s.seq),
      Array.from({ length: 51 }, (_, i) => i + 150),
    );
    await again.close();
  });

  it("rejects an append that skips or repeats a seq", async () => {
    const log = await FileEventLog.open(tmp.dir, OPTIONS);
    await log.append(1, [learn(1)]);
    await assert.rejects(log.append(3, [learn(3)]), /expected 2/);
    await assert.rejects(log.append(1, [learn(1)]), /expected 2/);
    await log.close();
  });

  it("rolls over to new segments and reads across them", async () => {
    const log = await FileEventLog.open(tmp.dir, { ...OPTIONS, segmentBytes: 16 * 1024 });
    for (let k = 0; k < 10; k++) await fill(log, 100);
    await log.close();
    const segments = readdirSync(tmp.dir).filter((f) => f.endsWith(".seg"));
    assert.ok(segments.length > 3, `${segments.length} segments`);
    assert.equal(segments[0], "00000000000000000001.seg");
    const again = await FileEventLog.open(tmp.dir, { ...OPTIONS, segmentBytes: 16 * 1024 });
    assert.equal(again.head, 1000);
    assert.equal([...again.read(1)].length, 1000);
    assert.deepEqual([...again.read(777)].map((s) => s.seq).slice(0, 3), [777, 778, 779]);
    await again.append(1001, [learn(1001)]);
    await again.close();
  });

  for (const [what, tail] of [
    ["a record cut short", (buf: Buffer) => buf.subarray(0, buf.length - 7)],
    ["a header cut short", (buf: Buffer) => Buffer.concat([buf, Buffer.from([12, 0, 0])])],
    ["zeros after the last record", (buf: Buffer) => Buffer.concat([buf, Buffer.alloc(64)])],
  ] as const) {
    it(`drops a torn last record (${what}): it was never acknowledged`, async () => {
      const log = await FileEventLog.open(tmp.dir, OPTIONS);
      await fill(log, 50);
      await log.close();
      const path = join(tmp.dir, "00000000000000000001.seg");
      const original = readFileSync(path);
      writeFileSync(path, tail(original));
      const again = await FileEventLog.open(tmp.dir, OPTIONS);
      const expected = tail(original).length < original.length ? 49 : 50;
      assert.equal(again.head, expected);
      assert.equal([...again.read(1)].length, expected);
      // Appending continues right after the last good record.
      await again.append(expected + 1, [learn(expected + 1)]);
      await again.close();
      const reopened = await FileEventLog.open(tmp.dir, OPTIONS);
      assert.equal(reopened.head, expected + 1);
      await reopened.close();
    });
  }

  it("refuses to open when a record in the middle is corrupt, naming the file and seq", async () => {
    const log = await FileEventLog.open(tmp.dir, OPTIONS);
    await fill(log, 50);
    await log.close();
    const path = join(tmp.dir, "00000000000000000001.seg");
    const buf = readFileSync(path);
    // Find record 20 and flip a byte of its payload.
    let offset = 0;
    for (let i = 1; i < 20; i++) offset += 8 + buf.readUInt32LE(offset);
    buf[offset + 20] = buf[offset + 20]! ^ 0xff;
    writeFileSync(path, buf);
    await assert.rejects(FileEventLog.open(tmp.dir, OPTIONS), (err: unknown) => {
      assert.ok(err instanceof LogCorruptError);
      assert.equal(err.seq, 20);
      assert.equal(err.file, path);
      assert.match(err.message, /seq 20 .*corrupt.*refusing to start/);
      return true;
    });
    // Nothing was cut off: the damage stays for an operator to look at.
    assert.equal(statSync(path).size, buf.length);
  });

  it("refuses to read past a damaged record in an older segment", async () => {
    const log = await FileEventLog.open(tmp.dir, { ...OPTIONS, segmentBytes: 16 * 1024 });
    for (let k = 0; k < 6; k++) await fill(log, 100);
    await log.close();
    const first = join(tmp.dir, "00000000000000000001.seg");
    appendFileSync(first, Buffer.from([1, 2, 3]));
    const again = await FileEventLog.open(tmp.dir, { ...OPTIONS, segmentBytes: 16 * 1024 });
    assert.throws(() => [...again.read(1)], LogCorruptError);
    await again.close();
  });

  for (const fsync of ["interval", "never"] as const) {
    it(`with --fsync ${fsync}, appends are written and sync() forces them to disk`, async () => {
      const log = await FileEventLog.open(tmp.dir, { ...OPTIONS, fsync });
      await fill(log, 100);
      await log.sync();
      await log.close();
      const again = await FileEventLog.open(tmp.dir, OPTIONS);
      assert.equal(again.head, 100);
      await again.close();
    });
  }
});
