import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { loadStream } from "../../src/data/datasets.js";
import {
  asSupervised,
  build,
  type Pipeline,
  restore,
  type SupervisedModel,
  type Transformer,
} from "../../src/learn/index.js";
import { close, FIXTURES, num, riverState } from "../helpers/river.js";

/**
 * River's outputs on 200 hostile feature dicts (missing, unseen and shuffled keys, zeros,
 * ±1e300, 1e308, 1e-300, ±inf, NaN), for models trained by one pass over Phishing.
 */
const cases = readFileSync(join(FIXTURES, "adversarial_phishing.jsonl"), "utf8")
  .trim()
  .split("\n")
  .map((line) => JSON.parse(line));

const SPECS = {
  scaler_logreg: "StandardScaler | LogisticRegression",
  logreg: "LogisticRegression",
  // The reference's combo (c): Adam with its default rate and an L2 penalty.
  scaler_logreg_adam_l2: "StandardScaler | LogisticRegression(optimizer=Adam(), l2=0.001)",
} as const;

function xOf(c: { x: Record<string, unknown>; x_key_order: string[] }): Map<string, number> {
  return new Map(c.x_key_order.map((k) => [k, num(c.x[k])]));
}

function closeProba(actual: Map<unknown, number>, expected: Record<string, unknown>, what: string): void {
  assert.deepEqual([...actual.keys()].map(String), Object.keys(expected), `${what} class order`);
  for (const [label, p] of actual) close(p, num(expected[String(label)]), `${what} P(${label})`);
}

describe("adversarial inputs (River's outputs on hostile feature dicts)", () => {
  const trained: Record<string, SupervisedModel> = {};
  const snapshots: Record<string, string> = {};

  before(() => {
    const { rows } = loadStream("phishing");
    for (const [name, spec] of Object.entries(SPECS)) {
      const model = asSupervised(build(spec));
      for (const row of rows) model.learnOne(row.x, row.y);
      trained[name] = model;
      snapshots[name] = JSON.stringify(model.toState());
    }
  });

  it("predict_proba_one matches River for every input and model", () => {
    for (const c of cases) {
      const x = xOf(c);
      for (const name of Object.keys(SPECS)) {
        const out = c.outputs[`${name}.predict_proba_one`];
        assert.ok(out.ok, `case ${c.i}: River raised ${out.error}`);
        closeProba(trained[name]!.predictProbaOne(x), out.ok, `case ${c.i} (${c.case}) ${name}`);
      }
    }
  });

  it("StandardScaler.transform_one matches River (0 for unseen keys, only x's keys)", () => {
    const scaler = (trained.scaler_logreg as unknown as Pipeline).steps[0] as Transformer;
    for (const c of cases) {
      const expected = c.outputs["scaler_logreg.StandardScaler.transform_one"].ok;
      const actual = scaler.transformOne(xOf(c));
      // River keeps x's key order (JSON objects would put "0" first, hence x_key_order).
      assert.deepEqual([...actual.keys()], c.x_key_order, `case ${c.i} keys`);
      for (const [k, v] of actual) close(v, num(expected[k]), `case ${c.i} ${k}`);
    }
  });

  it("predicting never changes a model (exported state byte-identical)", () => {
    for (const name of Object.keys(SPECS))
      assert.equal(JSON.stringify(trained[name]!.toState()), snapshots[name]);
  });

  it("learn_one on a copy of the trained pipeline matches River, including inf/NaN poisoning", () => {
    const envelope = trained.scaler_logreg!.toState();
    for (const c of cases) {
      for (const y of [true, false]) {
        const expected = c.outputs[`scaler_logreg.learn_one(y=${y ? "True" : "False"}) on fresh copy`].ok;
        const copy = asSupervised(restore(envelope));
        const x = xOf(c);
        copy.learnOne(x, y);
        const state = riverState(copy);
        const what = `case ${c.i} y=${y}`;
        const lr = state.LogisticRegression;
        for (const [k, v] of Object.entries(expected.weights))
          close(lr.weights[k], num(v), `${what} w[${k}]`);
        close(lr.intercept, num(expected.intercept), `${what} intercept`);
        const sc = state.StandardScaler;
        assert.deepEqual(
          sc.counts,
          Object.fromEntries(Object.entries(expected.scaler_counts).map(([k, v]) => [k, num(v)])),
        );
        for (const [field, ours] of [
          ["scaler_means", sc.means],
          ["scaler_vars", sc.vars],
        ] as const) {
          for (const [k, v] of Object.entries(expected[field] as Record<string, unknown>)) {
            // River's transform inserts 0.0 for keys it was only asked to predict on; we never
            // mutate on predict, so such keys are absent here and must be 0.0 there.
            close(k in ours ? ours[k] : 0, num(v), `${what} ${field}[${k}]`);
          }
        }
        closeProba(copy.predictProbaOne(x), expected.predict_proba_one_after, `${what} after`);
      }
    }
  });
});
