import assert from "node:assert/strict";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { loadStream } from "../../src/data/datasets.js";
import { asSupervised, build } from "../../src/learn/index.js";
import { type LearnItem, ModelWriter, type WriterOptions } from "../../src/models/writer.js";
import { FileStorage } from "../../src/store/file/storage.js";
import { MemoryStorage } from "../../src/store/memory/memory-storage.js";
import type { ModelRecord, Storage } from "../../src/store/ports.js";
import { tempDir } from "../helpers/tmp.js";

const rows = loadStream("phishing").rows;
const RECORD: ModelRecord = {
  name: "m",
  spec: "StandardScaler | LogisticRegression",
  metrics: ["ROCAUC", "Accuracy"],
  createdAt: "",
};
const OPTIONS: WriterOptions = {
  checkpointEvery: 100,
  checkpointIntervalMs: 3_600_000,
  checkpointKeep: 3,
  pendingTtlMs: 60_000,
  pendingCapacity: 1000,
  eventIdCapacity: 1000,
};

const items = (from: number, to: number): LearnItem[] =>
  rows.slice(from, to).map((r) => ({ x: r.x, y: r.y }));
const exported = (w: ModelWriter) => JSON.stringify({ ...w.model.export(), seq: 0 });
const fileStorage = (dir: string) =>
  new FileStorage(dir, { fsync: "always", fsyncIntervalMs: 50, segmentBytes: 32 * 1024 });

describe("the model writer", () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.remove());

  for (const kind of ["memory", "file"] as const) {
    const storage = (): Storage => (kind === "memory" ? new MemoryStorage() : fileStorage(tmp.dir));

    it(`${kind}: concurrent requests are applied one at a time in arrival order, same as learning locally`, async () => {
      const w = await ModelWriter.open(RECORD, storage(), OPTIONS);
      const results = await Promise.all(rows.slice(0, 300).map((r) => w.learn([{ x: r.x, y: r.y }])));
      assert.deepEqual(
        results.map((r) => r.version),
        Array.from({ length: 300 }, (_, i) => i + 1),
      );
      const local = asSupervised(build(RECORD.spec as string));
      for (const r of rows.slice(0, 300)) local.learnOne(r.x, r.y);
      assert.deepEqual(w.model.estimator.toState(), local.toState());
      await w.close();
    });
  }

  it("recovers (checkpoint + log tail) to exactly the state of a replay from scratch", async () => {
    const s = fileStorage(tmp.dir);
    const w = await ModelWriter.open(RECORD, s, OPTIONS);
    for (let i = 0; i < 1000; i += 50) await w.learn(items(i, i + 50));
    const before = exported(w);
    assert.ok(w.listCheckpoints().length > 0);
    await w.close({ checkpoint: false }); // a crash-like stop: no final checkpoint
    const again = await ModelWriter.open(RECORD, fileStorage(tmp.dir), OPTIONS);
    assert.equal(exported(again), before);
    assert.equal(again.model.version, 1000);
    const scratch = again.replayTo(again.model.seq, true);
    assert.deepEqual(scratch.export(), again.model.export());
    await again.close();
  });

  it("falls back to the previous checkpoint when the newest is damaged", async () => {
    const w = await ModelWriter.open(RECORD, fileStorage(tmp.dir), OPTIONS);
    for (let i = 0; i < 450; i += 50) await w.learn(items(i, i + 50));
    const before = exported(w);
    await w.close({ checkpoint: false });
    const dir = join(tmp.dir, "models", "m", "checkpoints");
    const newest = readdirSync(dir).sort().pop()!;
    writeFileSync(join(dir, newest), "damaged");
    const warnings: string[] = [];
    const again = await ModelWriter.open(RECORD, fileStorage(tmp.dir), {
      ...OPTIONS,
      logger: { warn: (_o, m) => warnings.push(m), info: () => {} },
    });
    assert.equal(exported(again), before);
    assert.match(warnings[0]!, /checkpoint unusable/);
    await again.close();
  });

  it("late labels: the label learns the remembered features and scores the prediction that was served", async () => {
    const w = await ModelWriter.open(RECORD, new MemoryStorage(), OPTIONS);
    await w.learn(items(0, 100));
    const r = rows[150]!;
    const served = w.model.predict(r.x);
    const [id] = await w.remember([{ x: r.x, outcome: served }]);
    assert.equal(w.model.version, 100, "remembering does not change the model");
    await w.learn(items(100, 120)); // the model moves on before the label arrives
    const result = await w.learn([{ id: id!, y: r.y }]);
    assert.equal(result.version, 121);
    // Same as a model that learned the same examples, scoring the served prediction.
    const twin = await ModelWriter.open({ ...RECORD, name: "twin" }, new MemoryStorage(), OPTIONS);
    await twin.learn(items(0, 120));
    twin.model.learnOne(r.x, r.y, served.probabilities);
    assert.deepEqual(w.model.estimator.toState(), twin.model.estimator.toState());
    assert.deepEqual(w.model.metricValues(), twin.model.metricValues());
    await assert.rejects(w.learn([{ id: id!, y: r.y }]), { code: "BROOK_ALREADY_LABELLED", statusCode: 409 });
    await assert.rejects(w.learn([{ id: "nope", y: true }]), { code: "BROOK_ID_NOT_FOUND", statusCode: 404 });
    assert.deepEqual({ ...w.pending.counters }, { remembered: 1, labelled: 1, expired: 0, evicted: 0 });
    await w.close();
    await twin.close();
  });

  it("expired ids are refused with 404 and counted; the oldest are evicted past capacity", async () => {
    const w = await ModelWriter.open(RECORD, new MemoryStorage(), {
      ...OPTIONS,
      pendingTtlMs: 30,
      pendingCapacity: 3,
    });
    const ids = await w.remember(rows.slice(0, 5).map((r) => ({ x: r.x, outcome: w.model.predict(r.x) })));
    assert.equal(w.pending.size, 3);
    assert.equal(w.pending.counters.evicted, 2);
    await assert.rejects(w.learn([{ id: ids[0]!, y: true }]), { code: "BROOK_ID_NOT_FOUND" });
    await new Promise((r) => setTimeout(r, 50));
    await assert.rejects(w.learn([{ id: ids[4]!, y: true }]), { code: "BROOK_ID_EXPIRED", statusCode: 404 });
    assert.equal(w.pending.counters.expired, 1);
    assert.equal(w.model.version, 0);
    await w.close();
  });

  it("a client id that is already waiting is a conflict; a batch with one bad id learns nothing", async () => {
    const w = await ModelWriter.open(RECORD, new MemoryStorage(), OPTIONS);
    await w.remember([{ x: rows[0]!.x, outcome: w.model.predict(rows[0]!.x), id: "a" }]);
    await assert.rejects(w.remember([{ x: rows[1]!.x, outcome: w.model.predict(rows[1]!.x), id: "a" }]), {
      code: "BROOK_ID_CONFLICT",
    });
    await assert.rejects(
      w.learn([
        { id: "a", y: true },
        { id: "missing", y: false },
      ]),
      { code: "BROOK_ID_NOT_FOUND" },
    );
    assert.equal(w.model.version, 0);
    assert.ok(w.pending.get("a"), "a is still waiting for its label");
    await w.close();
  });

  it("event ids make retries idempotent, also across a restart", async () => {
    const w = await ModelWriter.open(RECORD, fileStorage(tmp.dir), OPTIONS);
    const first = await w.learn([{ x: rows[0]!.x, y: true, eventId: "e1" }]);
    const retry = await w.learn([{ x: rows[0]!.x, y: true, eventId: "e1" }]);
    assert.equal(retry.learned, 0);
    assert.equal(retry.duplicates, 1);
    assert.equal(retry.version, first.version);
    const mixed = await w.learn([
      { x: rows[1]!.x, y: false, eventId: "e1" },
      { x: rows[1]!.x, y: false, eventId: "e2" },
      { x: rows[2]!.x, y: false, eventId: "e2" },
    ]);
    assert.equal(mixed.learned, 1);
    assert.equal(mixed.duplicates, 2);
    await w.close();
    const again = await ModelWriter.open(RECORD, fileStorage(tmp.dir), OPTIONS);
    assert.equal((await again.learn([{ x: rows[0]!.x, y: true, eventId: "e2" }])).learned, 0);
    assert.equal(again.model.version, 2);
    await again.close();
  });

  it("rollback returns to the newest checkpoint at or before a version, and a replay reproduces it", async () => {
    const w = await ModelWriter.open(RECORD, fileStorage(tmp.dir), OPTIONS);
    await w.learn(items(0, 100)); // checkpoint at version 100 (checkpointEvery)
    await w.checkpoint();
    const at100 = JSON.stringify(w.model.estimator.toState());
    const metricsAt100 = w.model.metricValues();
    await w.learn(items(100, 180));
    const r = await w.rollback(150);
    assert.equal(r.checkpoint.version, 100);
    assert.equal(r.version, 181, "a rollback is a new version");
    assert.equal(w.model.learned, 100);
    assert.equal(JSON.stringify(w.model.estimator.toState()), at100);
    assert.deepEqual(w.model.metricValues(), metricsAt100);
    await w.learn(items(180, 200));
    const before = exported(w);
    await w.close({ checkpoint: false });
    const again = await ModelWriter.open(RECORD, fileStorage(tmp.dir), OPTIONS);
    assert.equal(exported(again), before);
    assert.deepEqual(again.replayTo(again.model.seq, true).export(), again.model.export());
    await assert.rejects(again.rollback(50), { code: "BROOK_NO_CHECKPOINT" });
    await again.close();
  });

  it("import replaces the learned state (a warm start); a bad envelope changes nothing", async () => {
    const source = await ModelWriter.open({ ...RECORD, name: "source" }, new MemoryStorage(), OPTIONS);
    await source.learn(items(0, 300));
    const w = await ModelWriter.open(RECORD, new MemoryStorage(), OPTIONS);
    await w.learn(items(500, 520));
    const before = exported(w);
    const bad = structuredClone(source.model.export()) as any;
    bad.state.state.steps[1].weights[0] = "oops";
    await assert.rejects(w.import(bad), { code: "BROOK_INVALID_STATE" });
    await assert.rejects(w.import({ ...source.model.export().state, params: { steps: [] } }), {
      code: "BROOK_INVALID_STATE",
    });
    await assert.rejects(w.import({ hello: 1 }), { code: "BROOK_INVALID_STATE" });
    assert.equal(exported(w), before);
    const r = await w.import(source.model.export());
    assert.equal(r.version, 21);
    assert.deepEqual(w.model.estimator.toState(), source.model.estimator.toState());
    assert.deepEqual(w.model.metricValues(), source.model.metricValues());
    assert.equal(w.model.learned, 300);
    // A bare state envelope works too (metrics start afresh).
    await w.import(source.model.estimator.toState());
    assert.equal(w.model.metricValues().ROCAUC, -0);
    await w.close();
    await source.close();
  });
});
