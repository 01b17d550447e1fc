/**
 * One check suite for every estimator (River's `utils.estimator_checks` idea): clone, params
 * round trip, state round trip, feature order, new and missing features, and predictions
 * that never change a model. Call `checkEstimator(spec, rows)` from a test file; `rows`
 * should hold a few hundred examples (the first 200 train, the rest test).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Row } from "../../src/data/datasets.js";
import {
  build,
  type Component,
  describe as describeSpec,
  type Features,
  restore,
  StateError,
  type Transformer,
} from "../../src/learn/index.js";
import { close } from "./river.js";

/** What an estimator outputs for x: transform, probabilities, prediction, anomaly score or forecast. */
function output(c: Component, x: Features): number[] {
  const m = c as any;
  switch (c.family) {
    case "transformer":
      return [...(m as Transformer).transformOne(x).values()];
    case "classifier":
      return [...m.predictProbaOne(x).values()];
    case "anomaly":
      return [m.scoreOne(x)];
    case "forecaster":
      return m.forecast(3);
    default:
      return [m.predictOne(x) as number];
  }
}

/** One learning step: forecasters learn the target alone, the others (x, y) or x. Returns learnOne's result. */
function learn(c: Component, row: Row): unknown {
  const m = c as any;
  if (c.family === "forecaster") return m.learnOne(row.y as number);
  return m.learnOne(row.x, row.y);
}

function train(spec: string, rows: Row[]): Component {
  const c = build(spec);
  for (const row of rows) learn(c, row);
  return c;
}

function shuffled(x: Features, seed: number): Features {
  const entries = [...x];
  let s = seed;
  for (let i = entries.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [entries[i], entries[j]] = [entries[j]!, entries[i]!];
  }
  return new Map(entries);
}

const stateJson = (c: Component) => JSON.stringify(c.toState());

/**
 * `tiesFollowFeatureOrder`: the estimator, like River's, breaks exact ties between candidates
 * (e.g. equal split merits) by the order features first arrived, so reordering features may
 * change what it learns; the order check is skipped with that reason.
 */
export function checkEstimator(
  spec: string,
  rows: Row[],
  options: { tiesFollowFeatureOrder?: string } = {},
): void {
  describe(`estimator checks: ${spec}`, () => {
    const train200 = rows.slice(0, 200);
    const test = rows.slice(200);

    it("learnOne returns nothing and predictions are finite", () => {
      const c = build(spec);
      for (const row of train200) {
        assert.equal(learn(c, row), undefined);
      }
      for (const row of test) for (const v of output(c, row.x)) assert.ok(Number.isFinite(v), `${v}`);
    });

    it("clone gives a fresh, unfitted copy with the same params", () => {
      const trained = train(spec, train200);
      const copy = trained.clone();
      assert.deepEqual(copy.getParams(), trained.getParams());
      assert.equal(stateJson(copy), stateJson(build(spec)));
      // Nested components are not shared: training the copy leaves the original alone.
      const before = stateJson(trained);
      learn(copy, rows[0]!);
      assert.equal(stateJson(trained), before);
    });

    it("params round-trip through JSON and through the spec string", () => {
      const c = build(spec);
      assert.deepEqual(build(c.toSpec()).getParams(), c.getParams());
      assert.deepEqual(build(JSON.parse(JSON.stringify(c.toSpec()))).getParams(), c.getParams());
      assert.deepEqual(build(describeSpec(c)).getParams(), c.getParams());
    });

    it("a state round trip gives identical predictions and an identical state", () => {
      const trained = train(spec, train200);
      const envelope = JSON.parse(JSON.stringify(trained.toState()));
      const copy = restore(envelope);
      assert.equal(stateJson(copy), stateJson(trained));
      for (const row of test) assert.deepEqual(output(copy, row.x), output(trained, row.x));
      // Both keep learning identically.
      for (const row of test) {
        learn(copy, row);
        learn(trained, row);
      }
      assert.equal(stateJson(copy), stateJson(trained));
      // fromState on a fresh instance does the same.
      const fresh = build(spec).fromState(envelope);
      assert.equal(JSON.stringify(fresh.exportState()), JSON.stringify(envelope.state));
    });

    it("a bad or foreign state is rejected and changes nothing", () => {
      const trained = train(spec, train200);
      const before = stateJson(trained);
      const envelope = trained.toState();
      assert.throws(() => trained.fromState({ ...envelope, kind: "Nope" }), StateError);
      assert.throws(() => trained.fromState({ ...envelope, version: 99 }), StateError);
      assert.throws(() => trained.fromState({ ...envelope, params: { bogus: 1 } }), StateError);
      assert.throws(() => trained.importState({ broken: true }), StateError);
      assert.throws(() => trained.importState(null), StateError);
      assert.equal(stateJson(trained), before);
    });

    it("its state is finite while it learns ordinary data, and a NaN in it is seen or refused", () => {
      const c = build(spec);
      assert.ok(c.stateIsFinite(), "fresh");
      for (const row of train200) learn(c, row);
      assert.ok(c.stateIsFinite(), "trained");
      // Each number of the state in turn (up to 40) made NaN: the load refuses it, or the
      // loaded state reports itself non-finite (what the server's guard relies on).
      const envelope = c.toState();
      // (A tree's nominal split values are data, not numbers: "NaN" there is a string value.)
      const paths = numberPaths(envelope.state)
        .filter((p) => !p.includes("test") && !p.includes("values"))
        .slice(0, 40);
      for (const path of paths) {
        const bad = JSON.parse(JSON.stringify(envelope));
        setAt(bad.state, path, "NaN");
        let loaded: Component | undefined;
        try {
          loaded = build(spec).fromState(bad);
        } catch (err) {
          assert.ok(err instanceof StateError, String(err));
          continue;
        }
        assert.equal(loaded.stateIsFinite(), false, `NaN at ${path.join(".")} went unnoticed`);
      }
    });

    it("the order of features does not matter", { skip: options.tiesFollowFeatureOrder }, () => {
      const a = build(spec);
      const b = build(spec);
      train200.forEach((row, i) => {
        learn(a, row);
        learn(b, { x: shuffled(row.x, i + 1), y: row.y });
      });
      for (const [i, row] of test.entries()) {
        const oa = output(a, row.x);
        const ob = output(b, shuffled(row.x, i + 7));
        if (a.family === "transformer") {
          // The transform keeps x's order: compare by feature.
          const ta = (a as Transformer).transformOne(row.x);
          const tb = (b as Transformer).transformOne(shuffled(row.x, i + 7));
          for (const [k, v] of ta) close(tb.get(k)!, v, `feature ${k}`);
        } else {
          for (const [k, v] of oa.entries()) close(ob[k]!, v, `row ${i} output ${k}`);
        }
      }
    });

    it("new and missing features are handled", () => {
      const c = train(spec, train200);
      const [first, ...others] = [...test[0]!.x.keys()];
      const missing = new Map(test[0]!.x);
      missing.delete(first!);
      const withNew = new Map([...test[0]!.x, ["brand_new_feature", 3.5]]);
      for (const x of [missing, withNew, new Map<string, number>(), new Map([["only_unseen", 1]])]) {
        for (const v of output(c, x)) assert.ok(Number.isFinite(v));
      }
      learn(c, { x: withNew, y: test[0]!.y });
      learn(c, { x: missing, y: test[1]!.y });
      for (const v of output(c, test[2]!.x)) assert.ok(Number.isFinite(v));
      assert.ok(others.length > 0);
    });

    it("predicting never changes the state", () => {
      const c = train(spec, train200);
      const before = stateJson(c);
      for (const row of test) output(c, new Map([...row.x, ["unseen_feature", 1]]));
      assert.equal(stateJson(c), before);
    });
  });
}

type Path = (string | number)[];

/** Paths of the numbers in a JSON value. */
function numberPaths(v: unknown, at: Path = []): Path[] {
  if (typeof v === "number") return [at];
  if (Array.isArray(v)) return v.flatMap((item, i) => numberPaths(item, [...at, i]));
  if (typeof v === "object" && v !== null)
    return Object.entries(v).flatMap(([k, item]) => numberPaths(item, [...at, k]));
  return [];
}

function setAt(root: unknown, path: Path, value: unknown): void {
  let o = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) o = o[key] as Record<string | number, unknown>;
  o[path[path.length - 1]!] = value;
}
