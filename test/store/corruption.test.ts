/**
 * Corruption is never repaired silently: only a provably torn final record is cut at open (and
 * logged with file, byte, seq and bytes); a record whose length field was flipped in the middle
 * of a segment is corruption, and the open is refused with file, byte and seq, changing nothing.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { FileEventLog, type LogOptions, listSegments } from "../../src/store/file/segmented-log.js";
import { LogCorruptError } from "../../src/store/ports.js";
import { tempDir } from "../helpers/tmp.js";
import { sampleEvent } from "./contract.js";
import { offsetOf } from "./segment-bytes.js";

const OPTIONS: LogOptions = { fsync: "always", fsyncIntervalMs: 50, segmentBytes: 1 << 20 };

describe("torn tail or corruption", () => {
  let tmp: ReturnType<typeof tempDir>;
  let path: string;
  beforeEach(async () => {
    tmp = tempDir();
    const log = await FileEventLog.open(tmp.dir, OPTIONS);
    for (let i = 1; i <= 50; i++) await log.append(i, [sampleEvent(i)]);
    await log.close();
    path = join(tmp.dir, "00000000000000000001.seg");
  });
  afterEach(() => tmp.remove());

  for (const [what, flip] of [
    ["its length made larger than the file", (n: number) => n + 1_000_000],
    ["its length made a little larger", (n: number) => n + 3],
    ["its length made smaller", (n: number) => n - 5],
  ] as const) {
    it(`a record in the middle with ${what} is corruption: refused, naming file, byte and seq, file untouched`, async () => {
      const buf = readFileSync(path);
      const at = offsetOf(buf, 20);
      buf.writeUInt32LE(flip(buf.readUInt32LE(at)), at);
      writeFileSync(path, buf);
      await assert.rejects(FileEventLog.open(tmp.dir, OPTIONS), (err: unknown) => {
        assert.ok(err instanceof LogCorruptError);
        assert.equal(err.code, "BROOK_LOG_CORRUPT");
        assert.equal(err.file, path);
        assert.equal(err.seq, 20);
        assert.equal(err.offset, at);
        assert.match(err.message, new RegExp(`seq 20 at byte ${at} is corrupt`));
        assert.match(err.message, /seq 21 at byte/);
        return true;
      });
      assert.deepEqual(readFileSync(path), buf, "not a byte changed");
    });
  }

  it("a torn final record is cut and logged with file, byte offset, seq and bytes cut", async () => {
    const buf = readFileSync(path);
    const at = offsetOf(buf, 50);
    writeFileSync(path, buf.subarray(0, buf.length - 4));
    const warnings: { obj: any; msg: string }[] = [];
    const logger = { warn: (obj: object, msg: string) => warnings.push({ obj, msg }), info: () => {} };
    const log = await FileEventLog.open(tmp.dir, { ...OPTIONS, logger });
    assert.equal(log.head, 49);
    await log.close();
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!.msg, /torn record/);
    assert.deepEqual(
      {
        file: warnings[0]!.obj.file,
        offset: warnings[0]!.obj.offset,
        seq: warnings[0]!.obj.seq,
        bytes: warnings[0]!.obj.bytes,
      },
      { file: path, offset: at, seq: 50, bytes: buf.length - 4 - at },
    );
    assert.equal(readFileSync(path).length, at);
  });

  it("a flipped length in the LAST record (nothing valid after it) is a torn tail", async () => {
    const buf = readFileSync(path);
    const at = offsetOf(buf, 50);
    buf.writeUInt32LE(buf.readUInt32LE(at) + 100, at);
    writeFileSync(path, buf);
    const log = await FileEventLog.open(tmp.dir, OPTIONS);
    assert.equal(log.head, 49);
    await log.close();
  });

  it("a missing segment in the middle is refused on read, never skipped", async () => {
    const small = { ...OPTIONS, segmentBytes: 1024 };
    const dir = join(tmp.dir, "multi");
    const log = await FileEventLog.open(dir, small);
    for (let i = 1; i <= 100; i++) await log.append(i, [sampleEvent(i)]);
    await log.close();
    const segs = listSegments(dir);
    assert.ok(segs.length >= 3);
    rmSync(segs[1]!.path);
    const again = await FileEventLog.open(dir, small);
    assert.throws(
      () => [...again.read(1)],
      (err: unknown) => err instanceof LogCorruptError && /missing/.test(err.message),
    );
    await again.close();
  });
});
