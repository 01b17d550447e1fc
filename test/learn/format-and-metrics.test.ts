import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Accuracy, ExactROCAUC, F1, LogLoss, MAE, R2, RMSE, ROCAUC } from "../../src/learn/index.js";
import { pairwiseSum } from "../../src/learn/math/functions.js";
import { pyFixed, pyGroupedInt, pyPercent, pyRepr } from "../../src/learn/math/py-format.js";
import { close, num, readCombo } from "../helpers/river.js";

describe("Python float formatting", () => {
  it("repr: shortest round trip, scientific below 1e-4 and from 1e16", () => {
    const cases: [number, string][] = [
      [0.3301120464388312, "0.3301120464388312"],
      [1, "1.0"],
      [-0, "-0.0"],
      [1e-5, "1e-05"],
      [0.0001, "0.0001"],
      [1e16, "1e+16"],
      [123456789012345.6, "123456789012345.6"],
      [1.5e-7, "1.5e-07"],
      [2.5e300, "2.5e+300"],
      [Number.NaN, "nan"],
      [-Infinity, "-inf"],
    ];
    for (const [x, s] of cases) assert.equal(pyRepr(x), s, String(x));
  });

  it("fixed and percent: correctly rounded, ties to even, -0 keeps its sign", () => {
    assert.equal(pyFixed(0.125, 2), "0.12");
    assert.equal(pyFixed(0.375, 2), "0.38");
    assert.equal(pyFixed(2.5, 0), "2");
    assert.equal(pyFixed(1.005, 2), "1.00"); // 1.005 is really 1.00499999...
    assert.equal(pyFixed(-0, 2), "-0.00");
    assert.equal(pyFixed(1234567.891, 6, true), "1,234,567.891000");
    assert.equal(pyPercent(0.9506961340902946, 2), "95.07%");
    assert.equal(pyPercent(-0, 2), "-0.00%");
    assert.equal(pyGroupedInt(1250), "1,250");
    assert.equal(pyGroupedInt(200), "200");
  });

  it("metric texts read like River's", () => {
    const roc = new ROCAUC();
    assert.equal(roc.toString(), "ROCAUC: -0.00%");
    const mae = new MAE();
    mae.update(1, 2.5);
    assert.equal(mae.toString(), "MAE: 1.5"); // River strips trailing zeros of the whole text
    mae.update(0, 0.5);
    assert.equal(mae.toString(), "MAE: 1.");
    // River's LogLoss docstring: y_true = [True, False, False, True], y_pred = [0.9, 0.1, 0.2, 0.65]
    // prints 0.105360, 0.105360, 0.144621, 0.216161 and `LogLoss: 0.216162` (its doctests compare
    // numbers to the digits shown). River's repr is the full float repr; the literals below are
    // Python's own, from the same running mean:
    //   m = 0.0; n = 0
    //   for y, p in zip(ys, ps): n += 1; m += (1.0 / n) * ((-math.log(p) if y else -math.log(1 - p)) - m)
    //   repr(m)  # after each step
    const ll = new LogLoss();
    const steps: [boolean, number, string][] = [
      [true, 0.9, "0.10536051565782628"],
      [false, 0.1, "0.10536051565782628"],
      [false, 0.2, "0.14462152754328741"],
      [true, 0.65, "0.21616187468057912"],
    ];
    for (const [y, p, repr] of steps) {
      ll.update(y, p);
      assert.equal(ll.toString(), `LogLoss: ${repr}`);
    }
    assert.equal(ll.get().toFixed(6), "0.216162");
  });
});

describe("numpy pairwise summation", () => {
  it("matches plain sums on exact data and keeps numpy's block order", () => {
    const a = Array.from({ length: 300 }, (_, i) => i);
    assert.equal(pairwiseSum(a), (299 * 300) / 2);
    // 9 terms: eight partial sums combined as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)), then the 9th.
    const t = [1e16, 1, -1e16, 1, 1, 1, 1, 1, 1];
    const expected = 1e16 + 1 + (-1e16 + 1) + (1 + 1 + (1 + 1)) + 1;
    assert.equal(pairwiseSum(t), expected);
  });
});

describe("metrics", () => {
  it("ROCAUC matches River's documented example", () => {
    const m = new ROCAUC();
    const m20 = new ROCAUC({ n_thresholds: 20 });
    for (const [y, p] of [
      [0, 0.1],
      [0, 0.4],
      [1, 0.35],
      [1, 0.8],
    ] as const) {
      m.update(y === 1, p);
      m20.update(y === 1, p);
    }
    assert.equal(m.toString(), "ROCAUC: 87.50%");
    assert.equal(m20.toString(), "ROCAUC: 75.00%");
  });

  it("ExactROCAUC equals the brute-force Mann-Whitney statistic, ties counting 1/2", () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const m = new ExactROCAUC();
    const seen: [boolean, number][] = [];
    for (let i = 0; i < 400; i++) {
      const y = rand() < 0.4;
      const p = Math.round((y ? rand() * 0.8 + 0.2 : rand() * 0.8) * 20) / 20; // many ties
      m.update(y, p);
      seen.push([y, p]);
    }
    let u = 0;
    let pos = 0;
    let neg = 0;
    for (const [y, p] of seen) {
      if (y) pos++;
      else neg++;
      if (!y) continue;
      for (const [y2, p2] of seen) if (!y2) u += p > p2 ? 1 : p === p2 ? 0.5 : 0;
    }
    assert.ok(Math.abs(m.get() - u / (pos * neg)) < 1e-12);
    // revert takes examples back out exactly.
    const copy = new ExactROCAUC().fromState(m.toState());
    for (const [y, p] of seen.slice(300)) m.revert(y, p);
    const first = new ExactROCAUC();
    for (const [y, p] of seen.slice(0, 300)) first.update(y, p);
    assert.ok(Math.abs(m.get() - first.get()) < 1e-12);
    assert.notEqual(copy.get(), m.get());
  });

  it("update then revert restores every metric", () => {
    const make = () => [
      new Accuracy(),
      new F1(),
      new LogLoss(),
      new ROCAUC(),
      new MAE(),
      new RMSE(),
      new R2(),
    ];
    const ms = make();
    const pairs: [boolean, number][] = [
      [true, 0.8],
      [false, 0.3],
      [true, 0.4],
      [false, 0.6],
      [true, 0.9],
    ];
    const feed = (m: any, y: boolean, p: number, revert = false) => {
      const f = revert ? m.revert.bind(m) : m.update.bind(m);
      if (m.target === "regression") f(y ? 1 : 0, p);
      else f(y, m.requiresLabels ? p > 0.5 : p);
    };
    for (const m of ms) for (const [y, p] of pairs.slice(0, 3)) feed(m, y, p);
    const mid = ms.map((m) => m.get());
    for (const m of ms) for (const [y, p] of pairs.slice(3)) feed(m, y, p);
    for (const m of ms) for (const [y, p] of pairs.slice(3)) feed(m, y, p, true);
    for (const [i, m] of ms.entries()) {
      assert.ok(Math.abs(m.get() - mid[i]!) < 1e-12, `${m.kind}: ${m.get()} vs ${mid[i]}`);
    }
  });

  it("metric names show non-default params", () => {
    assert.equal(new ROCAUC().name, "ROCAUC");
    assert.equal(new ROCAUC({ n_thresholds: 1000 }).name, "ROCAUC(n_thresholds=1000)");
  });
});

describe("ROC AUC against River's recorded predictions (extra_final_metrics)", () => {
  // Each of these files records every prediction River scored, and, at the end, River's
  // ROCAUC(n_thresholds=100000) and scikit-learn's exact roc_auc_score on those same numbers.
  const files = [
    "a_phishing_scaler_logreg.json",
    "b_phishing_logreg.json",
    "d_phishing_gaussiannb.json",
    "e1_phishing_scaler_perceptron.json",
    "e2_phishing_scaler_paclassifier.json",
    "h1_bananas_hoeffdingtree.json",
    "j1b_phishingstr_selecttype_scaler_onehot_logreg.json",
    "k1_phishing_minmax_logreg_adagrad.json",
  ];
  /**
   * (truth, recorded distribution) of every row, in River's key order. The references were
   * computed on every row, River's `{}` (GaussianNB and trees on row 0) included: River's
   * `y_pred.get(True, 0.0)` makes it P(true) = 0, as it does for `{"false": 1}`.
   */
  const recorded = (combo: any): [boolean, Map<boolean, number>][] =>
    combo.rows.map((r: any) => [
      r.y === true,
      new Map(Object.entries(r.y_pred_proba).map(([k, v]) => [k === "true", num(v)])),
    ]);

  for (const file of files) {
    it(`${file}: ExactROCAUC = scikit-learn; ROCAUC(n_thresholds=100000) = River`, () => {
      const combo = readCombo(file);
      const extra = combo.final.extra_final_metrics;
      const exact = new ExactROCAUC();
      const fine = new ROCAUC({ n_thresholds: 100000 });
      // 100000 thresholds cost 100000 steps a row: three files (one with River's `{}` on row 0)
      // are enough for that one; every file gets the exact check.
      const withFine = ["a_", "d_", "j1b_"].some((prefix) => file.startsWith(prefix));
      for (const [y, p] of recorded(combo)) {
        exact.update(y, p);
        if (withFine) fine.update(y, p);
      }
      close(exact.get(), extra.exact_roc_auc_sklearn_on_recorded_probas, `${file} exact`, 1e-12);
      if (withFine)
        close(fine.get(), extra["ROCAUC(n_thresholds=100000)"], `${file} 100000 thresholds`, 1e-12);
    });
  }

  it("m1 (HalfSpaceTrees): ExactROCAUC on raw anomaly scores = scikit-learn", () => {
    const combo = readCombo("m1_phishing_minmax_halfspacetrees.json");
    const exact = new ExactROCAUC();
    for (const r of combo.rows) exact.update(r.y === true || r.y === 1, num(r.score));
    close(exact.get(), combo.final.extra_final_metrics.exact_roc_auc_sklearn_on_recorded_scores, "m1", 1e-12);
  });
});
