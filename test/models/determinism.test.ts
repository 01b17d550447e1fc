/**
 * A model is a function of its creation record and its log: every estimator whose params can
 * leave a seed to chance gets that seed drawn once, at creation, so that the live model, a
 * replay from scratch and an independent replica of the same record agree bit for bit.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadStream } from "../../src/data/datasets.js";
import { kinds, lookup } from "../../src/learn/index.js";
import { ServedModel } from "../../src/models/served-model.js";
import { Engine } from "../../src/runtime/engine.js";
import { MemoryStorage } from "../../src/store/memory/memory-storage.js";

const rows = loadStream("phishing").rows.slice(0, 300);

/** Every registered estimator with a seed param that `None` leaves to chance, and a spec to serve it. */
const RANDOM: Record<string, string> = {
  HalfSpaceTrees: "MinMaxScaler | HalfSpaceTrees(n_trees=5, height=4, window_size=25)",
};

const OPTIONS = {
  defaultModel: { name: "default", spec: "LogisticRegression", metrics: [] },
  checkpointEvery: 1_000_000,
  checkpointIntervalMs: 3_600_000,
  checkpointKeep: 3,
  pendingTtlMs: 60_000,
  pendingCapacity: 100,
  eventIdCapacity: 100,
};

describe("determinism of random estimators", () => {
  it("the list of random estimators is complete", () => {
    const random = kinds().filter((k) =>
      lookup(k)!.schema.some((d) => d.type.type === "number" && d.type.random === true),
    );
    assert.deepEqual(random.sort(), Object.keys(RANDOM).sort());
  });

  for (const [kind, spec] of Object.entries(RANDOM)) {
    it(`${kind}: the live model, a replay from scratch and a replica of the record agree`, async () => {
      const engine = await Engine.open(new MemoryStorage(), OPTIONS);
      try {
        const { writer } = await engine.create("m", spec, []);
        assert.ok(writer.record.seeds && Object.keys(writer.record.seeds).length > 0, "a seed is recorded");
        const items = rows.map((r) => ({ x: r.x, y: undefined }));
        for (let i = 0; i < items.length; i += 50) await writer.learn(items.slice(i, i + 50));
        const live = JSON.stringify(writer.model.export());
        assert.equal(JSON.stringify(writer.replayTo(writer.model.seq).export()), live, "replay from scratch");
        const replica = ServedModel.fromRecord(writer.record);
        for (const r of rows) replica.learnOne(r.x, undefined);
        assert.deepEqual(
          replica.estimator.toState(),
          writer.model.estimator.toState(),
          "independent replica",
        );
        // And two models created separately draw different seeds (None means random, not fixed).
        const { writer: other } = await engine.create("n", spec, []);
        assert.notDeepEqual(other.record.seeds, writer.record.seeds);
      } finally {
        await engine.close();
      }
    });
  }
});
