import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadStream } from "../../src/data/datasets.js";
import { ADWIN } from "../../src/learn/drift/adwin.js";
import { PageHinkley } from "../../src/learn/drift/page-hinkley.js";
import {
  argmax,
  asSupervised,
  build,
  describe as describeSpec,
  type Label,
  LearnError,
  type Metric,
  type Prediction,
  type Proba,
  predictFor,
  restore,
  SpecError,
  StateError,
  scorePrediction,
} from "../../src/learn/index.js";
import { CrossEntropy } from "../../src/learn/metrics/cross-entropy.js";
import { ConfusionMatrixMetric, MacroF1, MicroF1 } from "../../src/learn/metrics/multiclass.js";
import type { Rolling } from "../../src/learn/metrics/rolling.js";
import { close, num, readCombo } from "../helpers/river.js";

const stateJson = (c: { toState(): unknown }) => JSON.stringify(c.toState());

/** A recorded probability map in River's key order (keys are the labels' `str`). */
function probaOf(recorded: Record<string, unknown>, labels: "bool" | "str"): Proba {
  const m: Proba = new Map();
  for (const [k, v] of Object.entries(recorded)) m.set(labels === "bool" ? k === "true" : k, num(v));
  return m;
}

describe("River conformance: rolling metrics (l1)", () => {
  it("Rolling(Accuracy, 100) and Rolling(LogLoss, 50) match on every row, with River's texts", () => {
    const combo = readCombo("l1_phishing_scaler_logreg_rolling_metrics.json");
    const { rows } = loadStream("phishing");
    assert.equal(rows.length, combo.rows.length);
    const model = asSupervised(build("StandardScaler | LogisticRegression"));
    // The reference's metric names are valid specs, and our names read the same.
    const metrics = combo.metrics.map((n: string) => build(n) as Metric);
    assert.deepEqual(
      metrics.map((m: Metric) => m.name),
      combo.metrics,
    );
    rows.forEach((row, i) => {
      const ref = combo.rows[i];
      const pred = predictFor(model, row.x, metrics) as Proba;
      close(pred.get(true)!, num(ref.y_pred_proba.true), `row ${i} P(true)`);
      scorePrediction(metrics, row.y, pred);
      metrics.forEach((m: Metric, k: number) => {
        close(m.get(), num(ref.metrics[combo.metrics[k]]), `row ${i} ${combo.metrics[k]}`);
      });
      model.learnOne(row.x, row.y);
    });
    metrics.forEach((m: Metric, k: number) => {
      const name = combo.metrics[k];
      close(m.get(), num(combo.final.metrics[name]), `final ${name}`);
      // River's utils.Rolling prints the wrapped metric's own text. A full repr shows the last
      // bits, where V8's log may differ from glibc's, so that one is compared as a number.
      const text: string = combo.final.metrics_repr[name];
      if (name.includes("LogLoss")) {
        const [label, value] = m.toString().split(": ");
        assert.equal(`${label}: `, text.slice(0, text.indexOf(": ") + 2));
        close(Number(value), Number(text.split(": ")[1]), `final text of ${name}`);
      } else {
        assert.equal(m.toString(), text);
      }
    });
  });
});

describe("River conformance: drift detectors (l2b)", () => {
  const combo = readCombo("l2b_drift_synthetic_gauss.json");

  it("ADWIN and PageHinkley match River's state on every row and detect at the same rows", () => {
    const adwin = new ADWIN();
    const ph = new PageHinkley();
    const detections = { ADWIN: [] as number[], PageHinkley: [] as number[] };
    combo.rows.forEach((row: any, i: number) => {
      adwin.update(row.value);
      ph.update(row.value);
      const a = row.ADWIN;
      assert.equal(adwin.driftDetected, a.drift_detected, `row ${i} ADWIN drift`);
      close(adwin.width, a.width, `row ${i} ADWIN width`);
      close(adwin.estimation, a.estimation, `row ${i} ADWIN estimation`);
      close(adwin.variance, a.variance, `row ${i} ADWIN variance`);
      close(adwin.total, a.total, `row ${i} ADWIN total`);
      close(adwin.varianceInWindow, a.variance_in_window, `row ${i} ADWIN variance_in_window`);
      assert.equal(adwin.nDetections, a.n_detections_helper, `row ${i} ADWIN n_detections`);
      const p = row.PageHinkley;
      assert.equal(ph.driftDetected, p.drift_detected, `row ${i} PageHinkley drift`);
      close(ph.n, p.n, `row ${i} PageHinkley n`);
      close(ph.estimation, p.mean, `row ${i} PageHinkley mean`);
      const s = ph.internals;
      close(s.sumIncrease, p.sum_increase, `row ${i} sum_increase`);
      close(s.sumDecrease, p.sum_decrease, `row ${i} sum_decrease`);
      close(s.minIncrease, p.min_increase, `row ${i} min_increase`);
      close(s.maxDecrease, p.max_decrease, `row ${i} max_decrease`);
      if (adwin.driftDetected) detections.ADWIN.push(i);
      if (ph.driftDetected) detections.PageHinkley.push(i);
      assert.equal(detections.ADWIN.length, a.cumulative_detections, `row ${i} ADWIN detections`);
      assert.equal(detections.PageHinkley.length, p.cumulative_detections, `row ${i} PH detections`);
    });
    assert.deepEqual(detections, { ADWIN: [1023], PageHinkley: [696, 1012] });
    assert.deepEqual(detections, combo.final.detections);
  });

  it("a state round trip at any point (including a detection row) continues identically", () => {
    const values: number[] = combo.rows.map((r: any) => r.value);
    for (const cut of [0, 31, 500, 696, 697, 1012, 1023, 1024, 1500]) {
      for (const spec of ["ADWIN", "PageHinkley"]) {
        const a = build(spec) as ADWIN | PageHinkley;
        for (const v of values.slice(0, cut + 1)) a.update(v);
        const envelope = JSON.parse(JSON.stringify(a.toState()));
        const b = restore(envelope) as ADWIN | PageHinkley;
        const c = (build(spec) as ADWIN | PageHinkley).fromState(envelope);
        assert.equal(stateJson(b), stateJson(a), `${spec} at ${cut}`);
        for (const v of values.slice(cut + 1)) {
          a.update(v);
          b.update(v);
          c.update(v);
          assert.equal(b.driftDetected, a.driftDetected);
          assert.equal(c.driftDetected, a.driftDetected);
        }
        assert.equal(stateJson(b), stateJson(a), `${spec} from ${cut}`);
        assert.equal(stateJson(c), stateJson(a), `${spec} from ${cut} (fromState)`);
      }
    }
  });
});

/** Replays recorded multiclass predictions (no model needed) through the four metrics. */
function replayMulticlass(file: string, withMatrix: boolean) {
  const combo = readCombo(file);
  const metrics = combo.metrics.map((n: string) => build(n) as Metric);
  const cm = new ConfusionMatrixMetric();
  const all = withMatrix ? [...metrics, cm] : metrics;
  let scored = 0;
  combo.rows.forEach((ref: any, i: number) => {
    const proba = probaOf(ref.y_pred_proba, "str");
    if (proba.size > 0) {
      assert.equal(argmax(proba), ref.y_pred_label, `row ${i} label`);
      scorePrediction(all, ref.y, proba);
      scored++;
    }
    metrics.forEach((m: Metric, k: number) => {
      close(m.get(), num(ref.metrics[combo.metrics[k]]), `row ${i} ${combo.metrics[k]}`);
    });
  });
  metrics.forEach((m: Metric, k: number) => {
    const name = combo.metrics[k];
    close(m.get(), num(combo.final.metrics[name]), `final ${name}`);
    assert.equal(m.toString(), combo.final.metrics_repr[name], `final text of ${name}`);
  });
  return { combo, cm, scored };
}

describe("River conformance: multiclass metrics on recorded predictions", () => {
  it("h3 (StandardScaler | SoftmaxRegression): Accuracy, MacroF1, MicroF1, CrossEntropy on every row", () => {
    const { scored } = replayMulticlass("h3_segment_scaler_softmax.json", false);
    assert.equal(scored, 2309);
  });

  it("n1a (GaussianNB): the four metrics on every row and the final confusion matrix exactly", () => {
    const { combo, cm, scored } = replayMulticlass("n1a_segment_gaussiannb.json", true);
    const ref = combo.final.confusion_matrix;
    assert.equal(scored, 2309);
    assert.equal(cm.nSamples, ref.n_samples);
    const { classes, counts } = cm.matrix();
    assert.deepEqual(classes, ref.classes);
    classes.forEach((t, i) => {
      classes.forEach((p, j) => {
        assert.equal(counts[i]![j], ref.data[t as string]?.[p as string] ?? 0, `cell ${t} -> ${p}`);
      });
    });
    assert.equal(cm.toString(), ref.repr);
  });
});

describe("River's docstring examples", () => {
  it("MacroF1 counts every class seen, as truth or as prediction", () => {
    const m = new MacroF1();
    const texts: string[] = [];
    const yTrue = [0, 1, 2, 2, 2];
    const yPred = [0, 0, 2, 2, 1];
    yTrue.forEach((y, i) => {
      m.update(y, yPred[i]!);
      texts.push(m.toString());
    });
    assert.deepEqual(texts, [
      "MacroF1: 100.00%",
      "MacroF1: 33.33%",
      "MacroF1: 55.56%",
      "MacroF1: 55.56%",
      "MacroF1: 48.89%",
    ]);
  });

  it("MicroF1", () => {
    const m = new MicroF1();
    const yPred = [0, 1, 1, 2, 1];
    [0, 1, 2, 2, 0].forEach((y, i) => {
      m.update(y, yPred[i]!);
    });
    assert.equal(m.toString(), "MicroF1: 60.00%");
  });

  it("CrossEntropy", () => {
    const m = new CrossEntropy();
    const preds = [
      [0.29450637, 0.34216758, 0.36332605],
      [0.21290077, 0.32728332, 0.45981591],
      [0.42860913, 0.33380113, 0.23758974],
      [0.44941979, 0.32962558, 0.22095463],
    ];
    const expected = [1.222454, 1.169691, 1.258864, 1.321597];
    [0, 1, 2, 2].forEach((y, i) => {
      m.update(y, new Map(preds[i]!.map((p, k) => [k, p])));
      assert.ok(Math.abs(m.get() - expected[i]!) < 1e-6, `${m.get()} vs ${expected[i]}`);
    });
  });

  it("ConfusionMatrix prints River's table", () => {
    const m = new ConfusionMatrixMetric();
    const yPred = ["ant", "ant", "cat", "cat", "ant", "cat"];
    ["cat", "ant", "cat", "cat", "ant", "bird"].forEach((y, i) => {
      m.update(y, yPred[i]!);
    });
    // River's docstring is checked with doctest's NORMALIZE_WHITESPACE; the exact layout is
    // checked against River's own output in the n1a test above.
    const lines = m.toString().split("\n");
    assert.deepEqual(
      lines.map((l) => l.trim().split(/\s+/)),
      [
        ["ant", "bird", "cat"],
        ["ant", "2", "0", "0"],
        ["bird", "0", "0", "1"],
        ["cat", "1", "0", "2"],
      ],
    );
    assert.equal(lines[0], "       ant   bird   cat  ");
    assert.equal(lines[2], "bird     0      0     1  ");
    assert.equal(m.matrix().counts[2]![0], 1);
    assert.equal(new ConfusionMatrixMetric().toString(), "");
  });

  it("utils.Rolling over a mean: 1, 2, 3, 5", () => {
    const m = build("Rolling(MAE, window_size=3)") as Metric;
    const out = [1, 3, 5, 7].map((x) => {
      m.update(x, 0);
      return m.get();
    });
    assert.deepEqual(out, [1, 2, 3, 5]);
    // River strips trailing zeros from every metric text.
    assert.equal(m.toString(), "MAE: 5.");
  });
});

describe("multiclass metric details", () => {
  it("a class seen only as a prediction counts in MacroF1, and drops out when reverted", () => {
    const m = new MacroF1();
    m.update("a", "b");
    m.update("a", "a");
    // a: p = 1, r = 1/2, F1 = 2/3; b: F1 = 0 -> mean over 2 classes.
    close(m.get(), 1 / 3, "MacroF1");
    m.revert("a", "b");
    assert.equal(m.get(), 1);
  });

  it("CrossEntropy: the probability of the true class, clamped; 0 when the class is missing (River)", () => {
    const m = new CrossEntropy();
    m.update(
      true,
      new Map([
        [false, 0.2],
        [true, 0.8],
      ]),
    );
    close(m.get(), -Math.log(0.8), "boolean labels");
    m.update("x", new Map([["y", 1]]));
    close(m.get(), -Math.log(0.8) / 2, "missing class costs 0");
    const c = new CrossEntropy();
    c.update("a", new Map([["a", 0]]));
    close(c.get(), -Math.log(1e-15), "clamped");
    // A bare binary probability reads as P(true).
    const b = new CrossEntropy();
    b.update(false, 0.25);
    close(b.get(), -Math.log(0.75), "P(true)");
    assert.equal(m.requiresLabels, false);
    assert.equal(m.biggerIsBetter, false);
  });

  it("the confusion matrix sorts classes as Python does and prints booleans as River", () => {
    const m = new ConfusionMatrixMetric();
    m.update(true, false);
    m.update(true, true);
    m.update(false, false);
    assert.deepEqual(m.matrix(), {
      classes: [false, true],
      counts: [
        [1, 0],
        [1, 1],
      ],
    });
    assert.equal(m.toString().split("\n")[0], "        False   True  ");
    close(m.get(), 2 / 3, "accuracy");
  });
});

describe("Rolling", () => {
  it("equals the wrapped metric over the last window_size updates", () => {
    const rolling = build("Rolling(Accuracy, window_size=3)") as Metric;
    const labels = ["a", "b", "c"];
    const pairs = Array.from({ length: 40 }, (_, i) => [labels[i % 3]!, labels[(i * i) % 3]!] as const);
    pairs.forEach((_, i) => {
      rolling.update(pairs[i]![0], pairs[i]![1]);
      const fresh = build("Accuracy") as Metric;
      for (const [y, p] of pairs.slice(Math.max(0, i - 2), i + 1)) fresh.update(y, p);
      assert.equal(rolling.get(), fresh.get(), `step ${i}`);
    });
  });

  it("delegates what it scores to the wrapped metric, and is named after it", () => {
    const r = build("Rolling(Accuracy(), window_size=100)") as Rolling;
    assert.equal(r.name, "Rolling(Accuracy, window_size=100)");
    assert.equal(r.requiresLabels, true);
    assert.equal(r.target, "classification");
    const l = build("Rolling(LogLoss, window_size=5)") as Rolling;
    assert.equal(l.requiresLabels, false);
    assert.equal(l.biggerIsBetter, false);
    assert.equal(
      (build("Rolling(ROCAUC(n_thresholds=20), window_size=7)") as Rolling).name,
      "Rolling(ROCAUC(n_thresholds=20), window_size=7)",
    );
    // The spec text and its JSON form, literally: a rebuild from the text gives the same tree.
    assert.equal(describeSpec(r), "Rolling(metric=Accuracy, window_size=100)");
    const expected = {
      kind: "Rolling",
      params: { metric: { kind: "Accuracy", params: {} }, window_size: 100 },
    };
    assert.deepEqual(r.toSpec(), expected);
    assert.deepEqual(build(describeSpec(r)).toSpec(), expected);
    assert.deepEqual(build(describeSpec(r)).getParams(), r.getParams());
  });

  it("needs a metric and a window size", () => {
    assert.throws(() => build("Rolling(Accuracy)"), SpecError);
    assert.throws(() => build("Rolling(window_size=3)"), SpecError);
    assert.throws(() => build("Rolling(ADWIN, window_size=3)"), SpecError);
    assert.throws(() => build("Rolling(Accuracy, window_size=0)"), SpecError);
  });

  it("keeps probability maps in its state as data", () => {
    const r = build("Rolling(CrossEntropy, window_size=2)") as Rolling;
    r.update(
      "a",
      new Map([
        ["a", 0.7],
        ["b", 0.3],
      ]),
    );
    r.update(
      "b",
      new Map([
        ["a", 0.6],
        ["b", 0.4],
      ]),
    );
    r.update(
      "a",
      new Map([
        ["a", 0.9],
        ["b", 0.1],
      ]),
    );
    const state = JSON.parse(JSON.stringify(r.toState())).state;
    assert.deepEqual(state.window, [
      [
        "b",
        {
          proba: [
            ["a", 0.6],
            ["b", 0.4],
          ],
        },
        1,
      ],
      [
        "a",
        {
          proba: [
            ["a", 0.9],
            ["b", 0.1],
          ],
        },
        1,
      ],
    ]);
    assert.deepEqual(state.evicted, [
      "a",
      {
        proba: [
          ["a", 0.7],
          ["b", 0.3],
        ],
      },
      1,
    ]);
  });

  it("refuses to revert an update that is not in its window", () => {
    const r = build("Rolling(Accuracy, window_size=2)") as Metric;
    r.update("a", "a");
    assert.throws(() => r.revert("a", "b"), LearnError);
    r.update("b", "a");
    r.update("c", "c"); // pushes ("a", "a") out
    assert.throws(() => r.revert("a", "a"), LearnError);
    close(r.get(), 0.5, "unchanged");
  });

  it("rejects a state with a longer window than its size", () => {
    const big = build("Rolling(Accuracy, window_size=3)") as Metric;
    for (const y of ["a", "b", "c"]) big.update(y, y);
    const small = build("Rolling(Accuracy, window_size=2)") as Metric;
    small.update("a", "b");
    const before = stateJson(small);
    assert.throws(() => small.importState(big.exportState()), StateError);
    assert.equal(stateJson(small), before);
  });
});

/** Streams of (truth, prediction) for a metric: labels or probabilities, booleans or strings. */
function streamFor(metric: Metric, kind: "bool" | "str", n: number): [Label | number, Prediction][] {
  const labels: Label[] = kind === "bool" ? [false, true] : ["sky", "grass", "path", "cement"];
  let s = 12345;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
  const out: [Label | number, Prediction][] = [];
  for (let i = 0; i < n; i++) {
    const y = labels[Math.floor(rand() * labels.length)]!;
    if (metric.target === "regression") {
      out.push([rand() * 10, rand() * 10]);
      continue;
    }
    const weights = labels.map(() => rand() + (rand() < 0.3 ? 0 : 0.01));
    const total = weights.reduce((a, b) => a + b, 0);
    const proba: Proba = new Map(labels.map((l, k) => [l, weights[k]! / total]));
    if (rand() < 0.15) proba.delete(labels[0]!); // classes the model has not seen yet
    out.push([y, metric.requiresLabels ? argmax(proba)! : proba]);
  }
  return out;
}

const METRIC_SPECS = [
  "MacroF1",
  "MicroF1",
  "CrossEntropy",
  "ConfusionMatrix",
  "Rolling(Accuracy, window_size=5)",
  "Rolling(MacroF1, window_size=4)",
  "Rolling(MicroF1, window_size=6)",
  "Rolling(CrossEntropy, window_size=3)",
  "Rolling(LogLoss, window_size=7)",
  "Rolling(ConfusionMatrix, window_size=5)",
  "Rolling(MAE, window_size=4)",
];

describe("every new metric", () => {
  for (const spec of METRIC_SPECS) {
    const probe = build(spec) as Metric;
    const kinds: ("bool" | "str")[] =
      probe.target === "binary" ? ["bool"] : probe.target === "regression" ? ["str"] : ["bool", "str"];
    // Confusion-matrix counts revert exactly; running means up to rounding.
    const tol = /Accuracy|F1|ConfusionMatrix/.test(spec) ? 0 : 1e-12;
    for (const kind of kinds) {
      it(`${spec}: update then revert gives the previous value back (${kind} labels)`, () => {
        const m = build(spec) as Metric;
        const stream = streamFor(m, kind, 60);
        const history = [m.get()];
        for (const [y, p] of stream) {
          const before = m.get();
          m.update(y, p);
          const after = m.get();
          m.revert(y, p);
          assert.ok(Math.abs(m.get() - before) <= tol, `${spec}: ${m.get()} != ${before}`);
          m.update(y, p);
          assert.ok(Math.abs(m.get() - after) <= tol, `${spec}: ${m.get()} != ${after}`);
          history.push(m.get());
        }
        assert.ok(new Set(history).size > 2, "the value moves");
        if (!spec.startsWith("Rolling")) {
          // Reverting everything, newest first, walks the values back down to the start.
          for (let i = stream.length - 1; i >= 0; i--) {
            m.revert(stream[i]![0], stream[i]![1]);
            assert.ok(Math.abs(m.get() - history[i]!) <= Math.max(tol, 1e-9), `${spec} back at ${i}`);
          }
        }
      });

      it(`${spec}: the state round-trips and behaves identically afterwards (${kind} labels)`, () => {
        const m = build(spec) as Metric;
        const stream = streamFor(m, kind, 80);
        for (const [y, p] of stream.slice(0, 40)) m.update(y, p);
        const envelope = JSON.parse(JSON.stringify(m.toState()));
        const copies = [restore(envelope) as Metric, (build(spec) as Metric).fromState(envelope)];
        for (const c of copies) {
          assert.ok(Object.is(c.get(), m.get()));
          assert.equal(c.toString(), m.toString());
          assert.equal(stateJson(c), stateJson(m));
        }
        for (const [y, p] of stream.slice(40)) {
          m.update(y, p);
          for (const c of copies) {
            c.update(y, p);
            assert.ok(Object.is(c.get(), m.get()));
          }
        }
        const [y, p] = stream[stream.length - 1]!;
        m.revert(y, p);
        for (const c of copies) {
          c.revert(y, p);
          assert.equal(stateJson(c), stateJson(m));
        }
      });
    }

    it(`${spec}: clone is fresh, a bad state is rejected and changes nothing`, () => {
      const m = build(spec) as Metric;
      for (const [y, p] of streamFor(m, kinds[0]!, 10)) m.update(y, p);
      assert.equal(stateJson(m.clone()), stateJson(build(spec)));
      const before = stateJson(m);
      assert.throws(() => m.importState(null), StateError);
      assert.throws(() => m.importState({ broken: true }), StateError);
      assert.throws(() => m.fromState({ ...m.toState(), kind: "Nope" }), StateError);
      assert.equal(stateJson(m), before);
      assert.deepEqual(build(describeSpec(m)).getParams(), m.getParams());
    });
  }
});

describe("drift detector checks", () => {
  const values = readCombo("l2b_drift_synthetic_gauss.json").rows.map((r: any) => r.value as number);

  for (const spec of [
    "ADWIN",
    "ADWIN(delta=0.01)",
    "ADWIN(clock=1, max_buckets=2, grace_period=0)",
    "PageHinkley",
    'PageHinkley(mode="up")',
    "PageHinkley(threshold=20, alpha=1)",
  ]) {
    it(`${spec}: params round trip, fresh clone, bad states rejected`, () => {
      const d = build(spec) as ADWIN | PageHinkley;
      assert.equal(d.family, "drift");
      assert.deepEqual(build(describeSpec(d)).getParams(), d.getParams());
      assert.deepEqual(build(JSON.parse(JSON.stringify(d.toSpec()))).getParams(), d.getParams());
      for (const v of values.slice(0, 300)) d.update(v);
      assert.equal(stateJson(d.clone()), stateJson(build(spec)));
      const before = stateJson(d);
      assert.throws(() => d.importState(null), StateError);
      assert.throws(() => d.importState({ drift_detected: false }), StateError);
      assert.throws(() => d.fromState({ ...d.toState(), params: { delta: 0.5 } }), StateError);
      assert.equal(stateJson(d), before);
    });

    it(`${spec}: detects the change at row 1000 and restarts after each detection`, () => {
      const d = build(spec) as ADWIN | PageHinkley;
      const hits: number[] = [];
      values.forEach((v: number, i: number) => {
        d.update(v);
        if (d.driftDetected) hits.push(i);
      });
      assert.ok(
        hits.some((i) => i >= 1000 && i < 1100),
        `${spec} detected at ${hits.join(", ")}`,
      );
    });
  }

  it("ADWIN's window holds every value until a cut, and restarts after a detection", () => {
    const d = new ADWIN();
    for (let i = 0; i < 500; i++) d.update(i % 2);
    assert.equal(d.width, 500);
    assert.equal(d.total, 250);
    assert.equal(d.estimation, 0.5);
    close(d.variance, 125, "sum of squared deviations");
    let i = 0;
    while (!d.driftDetected) d.update(10 + (i++ % 2));
    assert.ok(d.width < 500 + i);
    d.update(3);
    assert.equal(d.width, 1);
    assert.equal(d.total, 3);
  });

  it("ADWIN rejects a state whose buckets do not add up to its width", () => {
    const d = new ADWIN();
    for (const v of values.slice(0, 100)) d.update(v);
    const before = stateJson(d);
    const state = JSON.parse(JSON.stringify(d.exportState()));
    state.window.width += 1;
    assert.throws(() => d.importState(state), StateError);
    state.window.width -= 1;
    state.window.rows[0].totals.push(1);
    assert.throws(() => d.importState(state), StateError);
    assert.equal(stateJson(d), before);
  });

  it("PageHinkley's modes watch increases, decreases or both", () => {
    const run = (mode: string, sign: number) => {
      const d = build(`PageHinkley(mode="${mode}")`) as PageHinkley;
      const hits: number[] = [];
      values.forEach((v: number, i: number) => {
        d.update(sign * v);
        if (d.driftDetected) hits.push(i);
      });
      return hits;
    };
    // The both-mode false alarm at 696 is a decrease; the change at 1000 is an increase.
    assert.deepEqual(run("both", 1), [696, 1012]);
    assert.ok(run("up", 1).every((i) => i >= 1000) && run("up", 1).length > 0);
    assert.ok(!run("down", 1).some((i) => i >= 1000 && i < 1100));
    assert.deepEqual(run("down", -1), run("up", 1));
  });

  it("rejects invalid params", () => {
    for (const spec of [
      "ADWIN(delta=0)",
      "ADWIN(clock=0)",
      "ADWIN(max_buckets=1)",
      'PageHinkley(mode="sideways")',
      "PageHinkley(alpha=2)",
    ]) {
      assert.throws(() => build(spec), SpecError, spec);
    }
  });
});
