import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadStream, type Row } from "../../src/data/datasets.js";
import {
  asSupervised,
  build,
  type Component,
  LearnError,
  type Metric,
  ParamError,
  type Prediction,
  scorePrediction,
} from "../../src/learn/index.js";
import { PAClassifier } from "../../src/learn/linear-model/passive-aggressive.js";
import type { SoftmaxRegression } from "../../src/learn/linear-model/softmax-regression.js";
import type { GaussianNB } from "../../src/learn/naive-bayes/gaussian-nb.js";
import { CrossEntropyLoss, softmax } from "../../src/learn/optim/cross-entropy.js";
import { checkEstimator } from "../helpers/estimator-checks.js";
import {
  close,
  closeMap,
  closeProba,
  closeState,
  FIXTURES,
  num,
  readCombo,
  riverState,
} from "../helpers/river.js";
import { segment as segmentStream } from "../helpers/streams.js";
import { sameMetricText } from "./metric-text.js";

const phishing = loadStream("phishing").rows;
const trump = loadStream("trump_approval").rows;
const segment = segmentStream();

/** Our state in the layout of the reference files' `state` fields. */
function stateOf(c: Component): any {
  switch (c.kind) {
    case "Pipeline":
      return Object.fromEntries(
        (c.params as { steps: Component[] }).steps.map((step) => [step.kind, stateOf(step)]),
      );
    case "GaussianNB": {
      const stats = (c as GaussianNB).statistics;
      return {
        class_counts: Object.fromEntries(stats.map((s) => [String(s.label), s.count])),
        gaussians: Object.fromEntries(
          stats.map((s) => [
            String(s.label),
            Object.fromEntries(s.features.map((f) => [f.name, { n: f.n, mu: f.mu, var: f.var }])),
          ]),
        ),
      };
    }
    case "PAClassifier":
    case "PARegressor": {
      const pa = c as PAClassifier;
      return { weights: Object.fromEntries(pa.weights), intercept: pa.intercept };
    }
    case "SoftmaxRegression": {
      const sm = c as SoftmaxRegression;
      const models = (sm.exportState() as any).models;
      return {
        weights: Object.fromEntries(
          sm.classes.map((label) => [String(label), Object.fromEntries(sm.weightsOf(label))]),
        ),
        optimizer_n_iterations: Object.fromEntries(
          sm.classes.map((label, k) => [String(label), models[k].optimizer.n_iterations]),
        ),
      };
    }
    default:
      return riverState(c);
  }
}

/** River's `{}` (nothing learned yet) is "no prediction": the metrics skip it. */
function probaOrNothing(proba: Map<unknown, number>): Prediction | undefined {
  return proba.size === 0 ? undefined : (proba as Prediction);
}

interface Combo {
  file: string;
  rows: Row[];
  spec: string;
  /** The metrics to check (default: all of the file's); the multiclass ones belong to another area. */
  metrics?: string[];
}

const COMBOS: Combo[] = [
  { file: "d_phishing_gaussiannb.json", rows: phishing, spec: "GaussianNB" },
  { file: "n1a_segment_gaussiannb.json", rows: segment, spec: "GaussianNB" },
  { file: "e1_phishing_scaler_perceptron.json", rows: phishing, spec: "StandardScaler | Perceptron" },
  { file: "e2_phishing_scaler_paclassifier.json", rows: phishing, spec: "StandardScaler | PAClassifier" },
  { file: "g2_trump_scaler_paregressor.json", rows: trump, spec: "StandardScaler | PARegressor" },
  {
    file: "h3_segment_scaler_softmax.json",
    rows: segment,
    spec: "StandardScaler | SoftmaxRegression",
  },
];

describe("River conformance, row by row (progressive validation)", () => {
  for (const { file, rows, spec, metrics: only } of COMBOS) {
    it(`${file}: ${spec}`, () => {
      const combo = readCombo(file);
      assert.equal(rows.length, combo.rows.length);
      const model = asSupervised(build(spec));
      const names: string[] = only ?? combo.metrics;
      const metrics = names.map((n) => build(n) as Metric);
      // Non-empty predictions per (true label, predicted label), for n1a's confusion matrix.
      const confusion = new Map<string, Map<string, number>>();
      rows.forEach((row, i) => {
        const ref = combo.rows[i];
        assert.equal(row.y, ref.y, `row ${i} target`);
        // Classifiers: River's protocol scores probabilities (label metrics take their argmax).
        const pred =
          model.task === "regression"
            ? model.predictOne(row.x)
            : probaOrNothing(model.predictProbaOne(row.x));
        if (model.task === "regression") {
          close(pred as number, num(ref.y_pred), `row ${i} y_pred`);
        } else if (Object.keys(ref.y_pred_proba).length === 0) {
          // River's {} before anything was learned: nothing is scored.
          assert.equal(pred, undefined, `row ${i} empty prediction`);
          assert.equal(model.predictProbaOne(row.x).size, 0);
          assert.equal(model.predictOne(row.x), undefined);
        } else {
          const proba = pred as Map<unknown, number>;
          closeProba(proba, ref.y_pred_proba, `row ${i}`);
          const label = model.predictOne(row.x);
          assert.equal(label, ref.y_pred_label, `row ${i} label`);
          const cells = confusion.get(String(row.y)) ?? new Map<string, number>();
          cells.set(String(label), (cells.get(String(label)) ?? 0) + 1);
          confusion.set(String(row.y), cells);
        }
        if (pred !== undefined) scorePrediction(metrics, row.y, pred);
        const values = Object.fromEntries(metrics.map((m, k) => [names[k], m.get()]));
        closeMap(values, Object.fromEntries(names.map((n) => [n, ref.metrics[n]])), `row ${i} metrics`);
        model.learnOne(row.x, row.y);
        if (ref.state) {
          const ours = stateOf(model);
          closeState(ours, ref.state, `row ${i} state`);
          if (ref.state.class_counts) {
            // Class order is first-seen order in both.
            assert.deepEqual(Object.keys(ours.class_counts), Object.keys(ref.state.class_counts));
          }
        }
      });
      closeState(stateOf(model), combo.final.state, "final state");
      metrics.forEach((m, k) => {
        const name = names[k]!;
        close(m.get(), num(combo.final.metrics[name]), `final ${name}`);
        sameMetricText(m.toString(), combo.final.metrics_repr[name], `final text of ${name}`);
      });
      if (combo.final.confusion_matrix) {
        const expected = combo.final.confusion_matrix.data as Record<string, Record<string, number>>;
        assert.deepEqual([...confusion.keys()].sort(), Object.keys(expected).sort());
        for (const [truth, cells] of confusion) {
          const exp = Object.fromEntries(Object.entries(expected[truth]!).filter(([, v]) => v !== 0));
          assert.deepEqual(Object.fromEntries(cells), exp, `confusion row ${truth}`);
        }
      }
    });
  }
});

describe("GaussianNB", () => {
  it("matches River's predict_proba_one on 200 hostile inputs after a pass over Phishing", () => {
    const cases = readFileSync(join(FIXTURES, "adversarial_phishing.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const model = asSupervised(build("GaussianNB"));
    for (const row of phishing) model.learnOne(row.x, row.y);
    const before = JSON.stringify(model.toState());
    for (const c of cases) {
      const x = new Map<string, number>(c.x_key_order.map((k: string) => [k, num(c.x[k])]));
      const expected = c.outputs["gaussiannb.predict_proba_one"].ok;
      const proba = model.predictProbaOne(x);
      assert.deepEqual([...proba.keys()].map(String), Object.keys(expected), `case ${c.i} order`);
      for (const [label, p] of proba) close(p, num(expected[String(label)]), `case ${c.i} P(${label})`);
    }
    // River inserts empty Gaussians for unseen keys here; we compute the same numbers without.
    assert.equal(JSON.stringify(model.toState()), before);
  });

  it("an unseen feature adds log(1e-9) to every class; an empty x gives the priors", () => {
    const nb = build("GaussianNB") as GaussianNB;
    for (const row of phishing.slice(0, 100)) nb.learnOne(row.x, row.y);
    const x = phishing[100]!.x;
    const base = nb.jointLogLikelihood(x);
    const withUnseen = nb.jointLogLikelihood(new Map([...x, ["never_seen", 42]]));
    for (let c = 0; c < base.length; c++)
      close(withUnseen[c]! - base[c]!, Math.log(1e-9), `class ${c}`, 1e-12);
    const counts = nb.statistics.map((s) => s.count);
    const priors = nb.predictProbaOne(new Map());
    nb.classes.forEach((label, c) => {
      close(priors.get(label)!, counts[c]! / 100, `prior ${label}`, 1e-15);
    });
  });

  it("lists a class only once it came with features, but counts it in the priors (as River)", () => {
    const nb = build("GaussianNB") as GaussianNB;
    nb.learnOne(new Map(), "empty");
    assert.equal(nb.predictProbaOne(new Map([["a", 1]])).size, 0);
    nb.learnOne(new Map([["a", 1]]), "x");
    nb.learnOne(new Map([["a", 2]]), "x");
    // Only "x" is listed; its prior is 2/3, and alone it gets probability 1.
    assert.deepEqual([...nb.predictProbaOne(new Map([["a", 1]]))], [["x", 1]]);
    close(nb.jointLogLikelihood(new Map())[0]!, Math.log(2 / 3), "log prior", 1e-15);
    nb.learnOne(new Map([["a", 3]]), "y");
    nb.learnOne(new Map([["a", 5]]), "empty");
    assert.deepEqual(nb.classes, ["x", "y", "empty"]);
    assert.deepEqual(
      nb.statistics.map((s) => [s.label, s.count]),
      [
        ["empty", 2],
        ["x", 2],
        ["y", 1],
      ],
    );
    const copy = build("GaussianNB").fromState(JSON.parse(JSON.stringify(nb.toState())));
    assert.deepEqual(copy.exportState(), nb.exportState());
  });

  it("takes string, number and boolean labels", () => {
    const nb = build("GaussianNB") as GaussianNB;
    nb.learnOne(new Map([["a", 1]]), "x");
    nb.learnOne(new Map([["a", 2]]), 3);
    nb.learnOne(new Map([["a", 3]]), false);
    assert.deepEqual(nb.classes, ["x", 3, false]);
    assert.equal(nb.task, "multiclass");
  });
});

describe("CrossEntropyLoss and softmax", () => {
  // The examples of River's optim.losses.CrossEntropy docstring.
  const yTrue = [0, 1, 2, 2];
  const yPred = [
    [0.29450637, 0.34216758, 0.36332605],
    [0.21290077, 0.32728332, 0.45981591],
    [0.42860913, 0.33380113, 0.23758974],
    [0.44941979, 0.32962558, 0.22095463],
  ];
  const losses = [1.222454, 1.116929, 1.437209, 1.509797];
  const gradients = [
    [-0.70549363, 0.34216758, 0.36332605],
    [0.21290077, -0.67271668, 0.45981591],
    [0.42860913, 0.33380113, -0.76241026],
    [0.44941979, 0.32962558, -0.77904537],
  ];
  const loss = new CrossEntropyLoss();

  it("gives River's documented loss values and gradients", () => {
    yTrue.forEach((y, i) => {
      const p = new Map(yPred[i]!.map((v, c) => [c, v]));
      close(loss.loss(y, p), losses[i]!, `loss ${i}`, 1e-6);
      const g = loss.gradient(y, p);
      gradients[i]!.forEach((v, c) => {
        close(g.get(c)!, v, `gradient ${i}[${c}]`, 1e-8);
      });
    });
  });

  it("an unseen true class gets the gradient 1e-15 - 1", () => {
    const g = loss.gradient("new", new Map([["old", 1]]));
    assert.deepEqual([...g.keys()], ["old", "new"]);
    assert.equal(g.get("new"), 1e-15 - 1);
    assert.equal(g.get("old"), 1 - 1e-15);
    assert.equal(loss.loss("new", new Map([["old", 1]])), 0);
  });

  it("softmax subtracts the first maximum and keeps the class order", () => {
    const p = softmax(
      new Map<string, number>([
        ["b", 1000],
        ["a", 1001],
        ["c", 1001],
      ]),
    );
    assert.deepEqual([...p.keys()], ["b", "a", "c"]);
    close(p.get("a")!, 1 / (2 + Math.exp(-1)), "a", 1e-15);
    assert.equal(p.get("a"), p.get("c"));
    assert.equal(softmax(new Map()).size, 0);
  });

  it("is rejected where a binary or regression loss is expected, and vice versa", () => {
    const rejects = (spec: string, message: RegExp) =>
      assert.throws(
        () => build(spec),
        (e: Error) => e instanceof LearnError && message.test(e.message),
        spec,
      );
    rejects("LogisticRegression(loss=CrossEntropyLoss())", /must be a binary loss/);
    rejects("LinearRegression(loss=CrossEntropyLoss())", /must be a regression loss/);
    rejects("Optimal(loss=CrossEntropyLoss())", /multiclass loss/);
    rejects("SoftmaxRegression(loss=Log())", /must be a multiclass loss/);
  });
});

describe("SoftmaxRegression", () => {
  it("predicts {} before learning and adds classes in first-seen order", () => {
    const sm = build("SoftmaxRegression") as SoftmaxRegression;
    assert.equal(sm.predictProbaOne(segment[0]!.x).size, 0);
    for (const row of segment.slice(0, 20)) sm.learnOne(row.x, row.y);
    const seen: unknown[] = [];
    for (const row of segment.slice(0, 20)) if (!seen.includes(row.y)) seen.push(row.y);
    assert.deepEqual(sm.classes, seen);
  });

  it("gives each class its own optimizer (iteration counts differ from the shared template)", () => {
    const sm = build("SoftmaxRegression(optimizer=AdaGrad())") as SoftmaxRegression;
    sm.learnOne(new Map([["a", 1]]), "x");
    sm.learnOne(new Map([["a", 1]]), "y");
    const state = sm.exportState() as any;
    assert.deepEqual(
      state.models.map((m: any) => m.optimizer.n_iterations),
      [2, 1],
    );
    assert.equal((sm.params.optimizer as any).nIterations, 0);
  });

  it("learns boolean labels too", () => {
    const model = asSupervised(build("StandardScaler | SoftmaxRegression"));
    let correct = 0;
    for (const row of phishing) {
      if (model.predictOne(row.x) === row.y) correct++;
      model.learnOne(row.x, row.y);
    }
    assert.ok(correct / phishing.length > 0.8, `accuracy ${correct / phishing.length}`);
  });
});

describe("Passive-aggressive models", () => {
  it("the three modes give River's step sizes", () => {
    // x = {a: 3, b: 4}: ||x||² = 25; hinge loss at 0 with y = true is 1.
    const x = new Map([
      ["a", 3],
      ["b", 4],
    ]);
    const expected: Record<number, number> = { 0: 1 / 25, 1: 1 / 25, 2: 1 / (25 + 0.5 / 0.01) };
    for (const mode of [0, 1, 2]) {
      const pa = build(`PAClassifier(mode=${mode}, C=0.01)`) as PAClassifier;
      pa.learnOne(x, true);
      // Mode 1 caps the step at C.
      const tau = mode === 1 ? 0.01 : expected[mode]!;
      close(pa.intercept, tau, `mode ${mode} intercept`, 1e-15);
      close(Object.fromEntries(pa.weights).a!, 3 * tau, `mode ${mode} w_a`, 1e-15);
    }
  });

  it("reject sample weights other than 1 and invalid modes", () => {
    const pa = asSupervised(build("PAClassifier"));
    assert.throws(() => pa.learnOne(new Map([["a", 1]]), true, 2), LearnError);
    pa.learnOne(new Map([["a", 1]]), true, 1);
    assert.throws(() => build("PAClassifier(mode=3)"), /mode must be an integer >= 0 <= 2/);
    assert.throws(() => build("PARegressor(C=0)"), /C must be a number > 0/);
    assert.throws(() => build("Perceptron(optimizer=SGD())"), /Perceptron has no parameter "optimizer"/);
    assert.throws(() => new PAClassifier({ mode: 1.5 }), ParamError);
  });

  it("PARegressor moves toward y with the step size of the 2y-1 target (River's quirk)", () => {
    const pa = asSupervised(build("PARegressor(mode=0, eps=0)"));
    // ŷ = 0, y = 10: the loss River uses is |0 - 19| = 19, ||x||² = 1, so the step is +19.
    pa.learnOne(new Map([["a", 1]]), 10);
    close(pa.predictOne(new Map([["a", 1]])) as number, 38, "prediction", 1e-12);
  });
});

// The shared check suite, for each estimator alone and behind a scaler.
const binary = phishing.slice(0, 300);
const regression = trump.slice(0, 300);
// Segment's first rows hold every class (all 7 appear within 13 rows); a spread-out slice.
const multiclass = segment.filter((_, i) => i % 7 === 0).slice(0, 300);

const ESTIMATORS = [
  { spec: "GaussianNB", rows: binary },
  { spec: "GaussianNB", rows: multiclass },
  { spec: "StandardScaler | GaussianNB", rows: multiclass },
  { spec: "Perceptron", rows: binary },
  { spec: "StandardScaler | Perceptron(l2=0.01, clip_gradient=5)", rows: binary },
  { spec: "PAClassifier", rows: binary },
  { spec: "StandardScaler | PAClassifier(C=0.5, mode=2)", rows: binary },
  { spec: "StandardScaler | PAClassifier(mode=0, learn_intercept=False)", rows: binary },
  { spec: "PARegressor", rows: regression },
  { spec: "StandardScaler | PARegressor(C=0.1, mode=2, eps=0.5)", rows: regression },
  { spec: "SoftmaxRegression", rows: binary },
  { spec: "StandardScaler | SoftmaxRegression", rows: multiclass },
  { spec: "StandardScaler | SoftmaxRegression(optimizer=AdaGrad(), l2=0.001)", rows: multiclass },
  { spec: "StandardScaler | SoftmaxRegression(optimizer=Adam(0.01))", rows: multiclass },
];

for (const { spec, rows } of ESTIMATORS) checkEstimator(spec, rows);
