/**
 * Bounded disk: after each checkpoint, log segments wholly below the oldest kept checkpoint are
 * deleted (`--retain checkpoints`, the default); remembered predictions whose `remember` events
 * were in deleted segments still take their labels (their entries are in every checkpoint).
 * Restart is bit-identical; rollback works to kept checkpoints and is a clear 404 before them;
 * a replay "from scratch" starts at the oldest kept checkpoint. `--retain all` keeps everything.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { loadStream } from "../../src/data/datasets.js";
import { describeWriter } from "../../src/models/describe.js";
import { type DiskUsage, ModelWriter, type WriterOptions } from "../../src/models/writer.js";
import { FileStorage } from "../../src/store/file/storage.js";
import type { ModelRecord } from "../../src/store/ports.js";
import { tempDir } from "../helpers/tmp.js";

const rows = loadStream("phishing").rows;
const RECORD: ModelRecord = {
  name: "m",
  spec: "StandardScaler | LogisticRegression",
  metrics: ["ROCAUC"],
  createdAt: "",
};
const OPTIONS: WriterOptions = {
  checkpointEvery: 60,
  checkpointIntervalMs: 3_600_000,
  checkpointKeep: 2,
  pendingTtlMs: 3_600_000,
  pendingCapacity: 10_000,
  eventIdCapacity: 10_000,
};

describe("retention", () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.remove());

  const storage = () =>
    new FileStorage(tmp.dir, { fsync: "always", fsyncIntervalMs: 50, segmentBytes: 4096 });
  const segments = () => readdirSync(join(tmp.dir, "models", "m", "log")).filter((f) => f.endsWith(".seg"));
  const exported = (w: ModelWriter) => JSON.stringify(w.model.export());

  /** 900 examples, with predictions remembered early whose labels come only at the end. */
  async function drive(w: ModelWriter): Promise<string[]> {
    const early = await w.remember(rows.slice(0, 5).map((r) => ({ x: r.x, outcome: w.model.predict(r.x) })));
    for (let i = 0; i < 900; i += 3) await w.learn(rows.slice(i, i + 3).map((r) => ({ x: r.x, y: r.y })));
    return early;
  }

  it("deletes old segments, keeps a bit-identical restart, late labels, rollbacks to kept checkpoints", async () => {
    const w = await ModelWriter.open(RECORD, storage(), OPTIONS);
    const early = await drive(w);
    const segs = segments();
    const kept = w.listCheckpoints();
    assert.equal(kept.length, 2);
    assert.ok(!segs.includes("00000000000000000001.seg"), "the first segment is gone");
    const firstSeq = Number(segs[0]!.slice(0, 20));
    assert.ok(
      firstSeq <= kept[0]!.seq + 1,
      `the log (from ${firstSeq}) still covers the oldest kept checkpoint (${kept[0]!.seq})`,
    );
    const disk = describeWriter(w).disk as DiskUsage;
    assert.equal(disk.segments, segs.length);
    assert.equal(disk.first_seq, firstSeq);
    assert.ok(disk.log_bytes > 0 && disk.log_bytes <= (segs.length + 1) * 4096, JSON.stringify(disk));
    assert.equal(
      disk.checkpoint_bytes,
      kept.reduce((n, c) => n + c.bytes, 0),
    );

    // A replay "from scratch" now starts at the oldest kept checkpoint, and agrees.
    assert.deepEqual(w.replayTo(w.model.seq, true).export(), w.model.export());
    const before = exported(w);
    await w.close({ checkpoint: false });

    const again = await ModelWriter.open(RECORD, storage(), OPTIONS);
    assert.equal(exported(again), before, "restart is bit-identical");
    // Labels for predictions remembered in a deleted segment still arrive.
    const labelled = await again.learn(early.map((id, i) => ({ id, y: rows[i]!.y })));
    assert.equal(labelled.learned, 5);
    // Rollback to a kept checkpoint works; before the oldest kept one is a clear 404.
    const oldest = again.listCheckpoints()[0]!;
    const r = await again.rollback(oldest.version);
    assert.equal(r.checkpoint.seq, oldest.seq);
    await assert.rejects(again.rollback(10), { code: "BROOK_NO_CHECKPOINT", statusCode: 404 });
    const afterRollback = exported(again);
    await again.close({ checkpoint: false });
    const third = await ModelWriter.open(RECORD, storage(), OPTIONS);
    assert.equal(exported(third), afterRollback);
    await third.close();
  });

  it("the state at a deleted point is a 409 naming retention, not a crash", async () => {
    const w = await ModelWriter.open(RECORD, storage(), OPTIONS);
    await drive(w);
    assert.throws(() => w.replayTo(5, true), { code: "BROOK_HISTORY_PRUNED", statusCode: 409 });
    await w.close();
  });

  it("--retain all keeps every segment", async () => {
    const w = await ModelWriter.open(RECORD, storage(), { ...OPTIONS, retain: "all" });
    await drive(w);
    assert.ok(segments().includes("00000000000000000001.seg"));
    assert.equal((describeWriter(w).disk as DiskUsage).first_seq, 1);
    assert.deepEqual(w.replayTo(w.model.seq, true).export(), w.model.export());
    assert.ok(w.replayTo(5, true));
    await w.close();
  });
});
