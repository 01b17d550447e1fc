/**
 * The metric history: a point every `every` versions with the metric values the model had
 * then (checked against the values read from the model as it learns), bounded by halving its
 * resolution, marks for drifts, rollbacks and imports, and a function of the log (a replay
 * from scratch and a recovery from a checkpoint give the same history as the live writer).
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { loadStream } from "../../src/data/datasets.js";
import { MetricHistory } from "../../src/models/metric-history.js";
import { ServedModel } from "../../src/models/served-model.js";
import { type LearnItem, ModelWriter, type WriterOptions } from "../../src/models/writer.js";
import { FileStorage } from "../../src/store/file/storage.js";
import type { ModelRecord } from "../../src/store/ports.js";
import { tempDir } from "../helpers/tmp.js";

const rows = loadStream("phishing").rows;
const RECORD: ModelRecord = {
  name: "m",
  spec: "StandardScaler | LogisticRegression",
  metrics: ["ROCAUC", "Accuracy"],
  drift: "PageHinkley(threshold=5)",
  createdAt: "",
};
const OPTIONS: WriterOptions = {
  checkpointEvery: 1_000_000,
  checkpointIntervalMs: 3_600_000,
  checkpointKeep: 10,
  pendingTtlMs: 60_000,
  pendingCapacity: 1000,
  eventIdCapacity: 1000,
  history: { every: 10, capacity: 1000 },
};
const items = (from: number, to: number): LearnItem[] =>
  rows.slice(from, to).map((r) => ({ x: r.x, y: r.y }));

describe("the metric history", () => {
  it("holds, every N versions, exactly the metric values the model had at that version", () => {
    const model = new ServedModel(
      "m",
      "StandardScaler | LogisticRegression",
      ["ROCAUC", "LogLoss"],
      undefined,
      {
        every: 10,
        capacity: 1000,
      },
    );
    const seen: { version: number; learned: number; metrics: Record<string, number> }[] = [];
    for (const r of rows) {
      model.learnOne(r.x, r.y, undefined, 1_700_000_000_000 + model.version);
      if (model.version % 10 === 0)
        seen.push({ version: model.version, learned: model.learned, metrics: model.metricValues() });
    }
    const view = model.history.view();
    assert.equal(view.every, 10);
    assert.equal(view.points.length, 125);
    assert.deepEqual(
      view.points.map(({ version, learned, metrics }) => ({ version, learned, metrics })),
      seen,
    );
    assert.equal(view.points.at(-1)!.metrics.ROCAUC, model.metricValues().ROCAUC);
    assert.equal(view.points[0]!.at, new Date(1_700_000_000_000 + 9).toISOString(), "the event's own time");
    assert.deepEqual(
      model.history.view(1200).points.map((p) => p.version),
      [1210, 1220, 1230, 1240, 1250],
    );
  });

  it("stays bounded: when full, the stride doubles and only the points on the coarser grid stay", () => {
    const h = new MetricHistory({ every: 1, capacity: 16 });
    const values = new Map<number, number>();
    for (let v = 1; v <= 1000; v++) {
      const value = Math.sin(v);
      values.set(v, value);
      h.changed(v, v, 0, { metricValues: () => ({ m: value }) });
      assert.ok(h.view().points.length <= 16, `at most 16 points at version ${v}`);
    }
    const { every, points } = h.view();
    assert.equal(every, 64, "1 → 2 → ... → 64 as the history filled up");
    assert.deepEqual(
      points.map((p) => p.version),
      Array.from({ length: 15 }, (_, i) => (i + 1) * 64),
    );
    for (const p of points) assert.equal(p.metrics.m, values.get(p.version));
    // Deterministic: a second history fed the same way is the same.
    const again = new MetricHistory({ every: 1, capacity: 16 });
    for (let v = 1; v <= 1000; v++) again.changed(v, v, 0, { metricValues: () => ({ m: Math.sin(v) }) });
    assert.deepEqual(again.toState(), h.toState());
    // Marks are bounded too (the oldest go).
    for (let v = 1; v <= 40; v++) h.mark("drift", v, 0);
    assert.deepEqual(
      h.view().marks.map((m) => m.version),
      Array.from({ length: 16 }, (_, i) => 25 + i),
    );
  });

  it("keeps non-finite values as null, so that a restored history equals the live one", () => {
    const h = new MetricHistory({ every: 1, capacity: 10 });
    h.changed(1, 1, 0, { metricValues: () => ({ R2: Number.NaN, MAE: 0.5 }) });
    assert.deepEqual(h.view().points[0]!.metrics, { R2: null, MAE: 0.5 });
    const restored = new MetricHistory();
    restored.restore(JSON.parse(JSON.stringify(h.toState())));
    assert.deepEqual(restored.toState(), h.toState());
  });

  it("moves to other settings on a restart: the stride becomes a doubling of the new `every`, off-grid points go", () => {
    const h = new MetricHistory({ every: 10, capacity: 1000 });
    for (let v = 1; v <= 200; v++) h.changed(v, v, 0, { metricValues: () => ({ m: v }) });
    h.configure({ every: 25, capacity: 1000 });
    assert.equal(h.view().every, 25);
    assert.deepEqual(
      h.view().points.map((p) => p.version),
      [50, 100, 150, 200],
    );
    h.configure({ every: 25, capacity: 2 });
    assert.equal(h.view().every, 100);
    assert.deepEqual(
      h.view().points.map((p) => p.version),
      [100, 200],
    );
  });

  it("an old snapshot without a history loads, with an empty history that fills from there", () => {
    const a = new ServedModel("m", "StandardScaler | LogisticRegression", ["ROCAUC"]);
    a.learn(rows.slice(0, 55));
    const { history: _none, ...old } = a.snapshot();
    const b = new ServedModel("m", "StandardScaler | LogisticRegression", ["ROCAUC"]);
    b.restoreSnapshot(JSON.parse(JSON.stringify(old)));
    assert.equal(b.version, 55);
    assert.deepEqual(b.history.view().points, []);
    b.learn(rows.slice(55, 60));
    assert.deepEqual(
      b.history.view().points.map((p) => p.version),
      [60],
    );
    assert.equal(b.history.view().points[0]!.metrics.ROCAUC, b.metricValues().ROCAUC);
  });

  describe("is a function of the log", () => {
    let tmp: ReturnType<typeof tempDir>;
    beforeEach(() => {
      tmp = tempDir();
    });
    afterEach(() => tmp.remove());
    const storage = () =>
      new FileStorage(tmp.dir, { fsync: "never", fsyncIntervalMs: 50, segmentBytes: 64 * 1024 });

    it("replay from scratch, recovery from a checkpoint and the live writer hold the same history, marks included", async () => {
      const w = await ModelWriter.open(RECORD, storage(), OPTIONS);
      for (let i = 0; i < 700; i += 10) {
        await w.learn(items(i, i + 10));
        if (i + 10 === 300) await w.checkpoint();
      }
      const rollback = await w.rollback(450); // back to the checkpoint at 300
      assert.equal(rollback.checkpoint.version, 300);
      await w.import(w.model.export());
      await w.learn(items(700, 1000));
      await w.checkpoint(); // after the marks: recovery starts from a history that holds them
      await w.learn(items(1000, 1250));
      const live = w.model.history.toState();
      const marks = live.marks.map((m) => m.kind);
      assert.ok(marks.includes("rollback") && marks.includes("import"), JSON.stringify(marks));
      assert.ok(marks.includes("drift"), "PageHinkley saw drift in Phishing");
      const rb = live.marks.find((m) => m.kind === "rollback")!;
      assert.deepEqual({ version: rb.version, restored: rb.restored }, { version: 701, restored: 300 });
      // The version axis goes on through the rollback: no point is ever repeated.
      const versions = live.points.map((p) => p.version);
      assert.deepEqual(
        versions,
        [...new Set(versions)].sort((a, b) => a - b),
      );
      assert.equal(versions.at(-1), w.model.version - (w.model.version % 10));

      const scratch = w.replayTo(w.model.seq, true).history.toState();
      assert.deepEqual(scratch, live);
      await w.close({ checkpoint: false });
      const again = await ModelWriter.open(RECORD, storage(), OPTIONS);
      assert.equal(
        again.listCheckpoints().at(-1)!.version,
        1002,
        "recovery starts from the newest checkpoint",
      );
      assert.deepEqual(
        JSON.parse(JSON.stringify(again.model.history.toState())),
        JSON.parse(JSON.stringify(live)),
      );
      await again.close({ checkpoint: false });
    });
  });
});
