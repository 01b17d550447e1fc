import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { FileCheckpointStore } from "../../src/store/file/checkpoints.js";
import { CheckpointCorruptError } from "../../src/store/ports.js";
import { tempDir } from "../helpers/tmp.js";

describe("checkpoint files", () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.remove());

  const body = (seq: number) => ({ seq, weights: [0.5, -0.25, seq / 7], nested: { ok: true } });

  it("saves, lists (oldest first) and loads checkpoints, across a reopen", async () => {
    const store = await FileCheckpointStore.open(tmp.dir);
    for (const seq of [100, 200, 300])
      await store.save({ seq, version: seq, createdAt: new Date(seq).toISOString() }, body(seq));
    const again = await FileCheckpointStore.open(tmp.dir);
    assert.deepEqual(
      again.list().map((c) => [c.seq, c.version]),
      [
        [100, 100],
        [200, 200],
        [300, 300],
      ],
    );
    assert.deepEqual(again.load(200), body(200));
    assert.ok(again.list().every((c) => c.bytes > 0));
  });

  it("detects a damaged or truncated checkpoint by its checksum", async () => {
    const store = await FileCheckpointStore.open(tmp.dir);
    await store.save({ seq: 5, version: 5, createdAt: "" }, body(5));
    const path = join(tmp.dir, "00000000000000000005.ckpt");
    const text = readFileSync(path, "utf8");
    writeFileSync(path, text.replace("0.5", "0.6"));
    assert.throws(() => store.load(5), CheckpointCorruptError);
    writeFileSync(path, text.slice(0, text.length - 5));
    assert.throws(() => store.load(5), /fails its checksum/);
    writeFileSync(path, "garbage");
    assert.throws(() => store.load(5), /no valid header/);
  });

  it("keeps only the newest K", async () => {
    const store = await FileCheckpointStore.open(tmp.dir);
    for (let seq = 1; seq <= 7; seq++) await store.save({ seq, version: seq, createdAt: "" }, body(seq));
    await store.prune(3);
    assert.deepEqual(
      store.list().map((c) => c.seq),
      [5, 6, 7],
    );
    assert.deepEqual(readdirSync(tmp.dir).sort(), [
      "00000000000000000005.ckpt",
      "00000000000000000006.ckpt",
      "00000000000000000007.ckpt",
    ]);
  });
});
