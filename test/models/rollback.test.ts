/**
 * Rollback's boundary: "the newest checkpoint at or before version n" includes a checkpoint
 * taken exactly at n (writer.test.ts rolls back between checkpoints only).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadStream } from "../../src/data/datasets.js";
import { ModelWriter, type WriterOptions } from "../../src/models/writer.js";
import { MemoryStorage } from "../../src/store/memory/memory-storage.js";
import type { ModelRecord } from "../../src/store/ports.js";

const rows = loadStream("phishing").rows;
const RECORD: ModelRecord = {
  name: "m",
  spec: "StandardScaler | LogisticRegression",
  metrics: ["ROCAUC"],
  createdAt: "",
};
const OPTIONS: WriterOptions = {
  checkpointEvery: 1_000_000,
  checkpointIntervalMs: 3_600_000,
  checkpointKeep: 10,
  pendingTtlMs: 60_000,
  pendingCapacity: 100,
  eventIdCapacity: 100,
};
const items = (from: number, to: number) => rows.slice(from, to).map((r) => ({ x: r.x, y: r.y }));

describe("rollback to a version that has a checkpoint of its own", () => {
  it("takes the checkpoint at exactly that version, not the one before it", async () => {
    const w = await ModelWriter.open(RECORD, new MemoryStorage(), OPTIONS);
    try {
      await w.learn(items(0, 40));
      await w.checkpoint(); // version 40
      await w.learn(items(40, 70));
      await w.checkpoint(); // version 70
      const at70 = JSON.stringify(w.model.estimator.toState());
      await w.learn(items(70, 90));
      const r = await w.rollback(70);
      assert.equal(r.checkpoint.version, 70);
      assert.equal(w.model.learned, 70);
      assert.equal(JSON.stringify(w.model.estimator.toState()), at70);
      // One version past a checkpoint still picks it; one before picks the older one.
      assert.equal((await w.rollback(71)).checkpoint.version, 70);
      assert.equal((await w.rollback(69)).checkpoint.version, 40);
      assert.equal((await w.rollback(40)).checkpoint.version, 40);
      await assert.rejects(w.rollback(39), { code: "BROOK_NO_CHECKPOINT" });
    } finally {
      await w.close();
    }
  });
});
