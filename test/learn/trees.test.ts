import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadStream, type Row } from "../../src/data/datasets.js";
import {
  asSupervised,
  build,
  describe as describeSpec,
  LinearRegression,
  type Metric,
  ParamError,
  type Proba,
  predictFor,
  type RawFeatures,
  type Regressor,
  restore,
  SpecError,
  StateError,
  scorePrediction,
} from "../../src/learn/index.js";
import { erf } from "../../src/learn/tree/erf.js";
import { HoeffdingTreeClassifier } from "../../src/learn/tree/hoeffding-tree-classifier.js";
import { HoeffdingTreeRegressor } from "../../src/learn/tree/hoeffding-tree-regressor.js";
import { checkEstimator } from "../helpers/estimator-checks.js";
import { close, closeMap, closeProba, num, readCombo } from "../helpers/river.js";
import { bananas } from "../helpers/streams.js";
import { sameMetricText } from "./metric-text.js";

/** A deterministic uniform generator (LCG), so the synthetic streams are the same on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const summaryOf = (m: unknown) => (m as HoeffdingTreeClassifier | HoeffdingTreeRegressor).summary;
const stateOf = (m: { toState(): unknown }) => JSON.stringify(m.toState());

describe("HoeffdingTreeClassifier: River conformance (h1, Bananas)", () => {
  it("matches River on every row: probabilities at 1e-9, labels and metrics", () => {
    const combo = readCombo("h1_bananas_hoeffdingtree.json");
    const rows = bananas();
    assert.equal(rows.length, combo.rows.length);
    const model = asSupervised(build("HoeffdingTreeClassifier"));
    const metrics = combo.metrics.map((n: string) => build(n) as Metric);
    rows.forEach((row, i) => {
      const ref = combo.rows[i];
      assert.equal(row.y, ref.y, `row ${i} target`);
      const pred = predictFor(model, row.x, metrics) as Proba | undefined;
      if (Object.keys(ref.y_pred_proba).length === 0) {
        assert.equal(pred, undefined, `row ${i}: no prediction before the first example`);
      } else {
        assert.ok(pred);
        closeProba(pred, ref.y_pred_proba, `row ${i}`);
        assert.equal(model.predictOne(row.x), ref.y_pred_label, `row ${i} label`);
        scorePrediction(metrics, row.y, pred);
      }
      const values = Object.fromEntries(metrics.map((m: Metric, k: number) => [combo.metrics[k], m.get()]));
      closeMap(values, ref.metrics, `row ${i} metrics`);
      model.learnOne(row.x, row.y);
    });
    metrics.forEach((m: Metric, k: number) => {
      const name = combo.metrics[k];
      close(m.get(), num(combo.final.metrics[name]), `final ${name}`);
      sameMetricText(m.toString(), combo.final.metrics_repr[name], `final text of ${name}`);
    });
    const ref = combo.final.state.summary;
    const s = summaryOf(model);
    for (const key of Object.keys(ref)) assert.equal(s[key as keyof typeof s], ref[key], `summary.${key}`);
  });
});

describe("erf (glibc's algorithm)", () => {
  it("reproduces CPython's math.erf", () => {
    // Values printed by CPython 3.11 on glibc 2.36; the |x| < 1.25 branches need no exp and match exactly.
    const exact: [number, number][] = [
      [0.1, 0.1124629160182849],
      [0.5, 0.5204998778130465],
      [0.84375, 0.7672256612323416],
      [1.0, 0.8427007929497149],
      [1.2, 0.9103139782296353],
      [-0.3, -0.3286267594591274],
      [-1.1, -0.8802050695740817],
      [1e-30, 1.1283791670955127e-30],
    ];
    for (const [x, e] of exact) assert.equal(erf(x), e, `erf(${x})`);
    const viaExp: [number, number][] = [
      [2.0, 0.9953222650189527],
      [2.857, 0.9999466417399131],
      [3.5, 0.9999992569016276],
      [5.5, 0.9999999999999927],
      [-4.0, -0.9999999845827421],
    ];
    for (const [x, e] of viaExp) assert.ok(Math.abs(erf(x) - e) <= 2.3e-16, `erf(${x})`);
    assert.equal(erf(6), 1);
    assert.equal(erf(-7), -1);
    assert.equal(erf(Infinity), 1);
    assert.ok(Number.isNaN(erf(Number.NaN)));
  });
});

describe("HoeffdingTreeClassifier behaviour", () => {
  it("predicts nothing before learning, then every class seen in Python's sorted order", () => {
    const m = new HoeffdingTreeClassifier();
    assert.equal(m.predictProbaOne(new Map([["a", 1]])).size, 0);
    assert.equal(m.predictOne(new Map([["a", 1]])), undefined);
    m.learnOne(new Map([["a", 1]]), "pear");
    m.learnOne(new Map([["a", 2]]), "apple");
    m.learnOne(new Map([["a", 3]]), "Zebra");
    assert.deepEqual([...m.predictProbaOne(new Map([["a", 2]])).keys()], ["Zebra", "apple", "pear"]);
    const b = new HoeffdingTreeClassifier();
    b.learnOne(new Map([["a", 1]]), true);
    b.learnOne(new Map([["a", 1]]), false);
    assert.deepEqual([...b.predictProbaOne(new Map([["a", 1]])).keys()], [false, true]);
    const n = new HoeffdingTreeClassifier();
    for (const y of [10, 2, 33]) n.learnOne(new Map([["a", y]]), y);
    assert.deepEqual([...n.predictProbaOne(new Map()).keys()], [2, 10, 33]);
  });

  it("grows a multiway split on a string feature, and a branch for a category seen later", () => {
    const r = rng(1);
    const colors = ["red", "green", "blue"];
    const m = new HoeffdingTreeClassifier({ grace_period: 50 });
    for (let i = 0; i < 600; i++) {
      const color = colors[Math.floor(r() * 3)]!;
      m.learnOne(
        new Map<string, string | number>([
          ["color", color],
          ["noise", r()],
        ]),
        color === "red",
      );
    }
    assert.equal(summaryOf(m).n_branches, 1);
    const root = (m.exportState() as any).root;
    assert.equal(root.kind, "multiway");
    assert.equal(root.feature, "color");
    assert.deepEqual(root.values, ["blue", "green", "red"]);
    assert.ok(m.predictProbaOne(new Map([["color", "red"]])).get(true)! > 0.9);
    assert.ok(m.predictProbaOne(new Map([["color", "blue"]])).get(false)! > 0.9);
    // An unseen category is routed down the most common path when predicting...
    const before = stateOf(m);
    m.predictProbaOne(new Map([["color", "purple"]]));
    assert.equal(stateOf(m), before);
    // ...and gets its own branch when learned.
    m.learnOne(new Map([["color", "purple"]]), false);
    assert.equal(summaryOf(m).n_leaves, 4);
    assert.deepEqual((m.exportState() as any).root.values, ["blue", "green", "red", "purple"]);
  });

  it("uses binary nominal tests with binary_split, and nominal_attributes for numeric codes", () => {
    const r = rng(2);
    const m = new HoeffdingTreeClassifier({
      grace_period: 50,
      binary_split: true,
      nominal_attributes: ["code"],
    });
    for (let i = 0; i < 600; i++) {
      const code = Math.floor(r() * 4);
      m.learnOne(new Map([["code", code]]), code === 2 ? "two" : "other");
    }
    const root = (m.exportState() as any).root;
    assert.equal(root.kind, "nominal");
    assert.equal(root.test, 2);
    assert.equal(m.predictOne(new Map([["code", 2]])), "two");
    assert.equal(m.predictOne(new Map([["code", 3]])), "other");
  });

  it("splits a numeric feature near the class boundary and routes missing features down the heaviest branch", () => {
    const r = rng(3);
    const m = new HoeffdingTreeClassifier({ grace_period: 100, leaf_prediction: "mc" });
    for (let i = 0; i < 2000; i++) {
      const x = r() * 10;
      m.learnOne(
        new Map([
          ["x", x],
          ["noise", r()],
        ]),
        x > 3,
      );
    }
    const root = (m.exportState() as any).root;
    assert.equal(root.kind, "numeric");
    assert.equal(root.feature, "x");
    assert.ok(Math.abs(root.test - 3) < 1, `threshold ${root.test}`);
    assert.equal(
      m.predictOne(
        new Map([
          ["x", 1],
          ["noise", 0.5],
        ]),
      ),
      false,
    );
    assert.equal(
      m.predictOne(
        new Map([
          ["x", 9],
          ["noise", 0.5],
        ]),
      ),
      true,
    );
    // Most examples are > 3, so a missing x follows that branch.
    assert.equal(m.predictOne(new Map([["noise", 0.5]])), true);
  });

  it("respects max_depth", () => {
    const r = rng(4);
    const m = new HoeffdingTreeClassifier({ grace_period: 50, max_depth: 1 });
    for (let i = 0; i < 3000; i++) {
      const a = r();
      const b = r();
      m.learnOne(
        new Map([
          ["a", a],
          ["b", b],
        ]),
        a > 0.5 !== b > 0.5,
      );
    }
    assert.ok(summaryOf(m).height <= 2);
  });

  it("re-activates a pre-pruned leaf at once (River), unless stop_mem_management stops growth", () => {
    // 99.6% of one class: the max_share_to_split check turns the attempt into a null split.
    const stream = Array.from({ length: 250 }, (_, i) => ({ x: new Map([["a", i]]), y: i === 7 }));
    const keep = new HoeffdingTreeClassifier();
    const stop = new HoeffdingTreeClassifier({ stop_mem_management: true });
    for (const { x, y } of stream) {
      keep.learnOne(x, y);
      stop.learnOne(x, y);
    }
    assert.equal(summaryOf(keep).n_inactive_leaves, 0);
    assert.equal(summaryOf(stop).n_inactive_leaves, 1);
    assert.equal((stop.exportState() as any).growth_allowed, false);
    // The re-activated leaf started over with empty observers: they hold only the 50 later rows.
    const [[feature, observer]] = (keep.exportState() as any).root.splitters;
    assert.equal(feature, "a");
    assert.deepEqual(
      observer.classes.map((c: any) => [c[0], c[1], c[3][0]]),
      [[false, 200, 50]],
    );
  });

  it("deactivates leaves when the estimated size exceeds max_size", () => {
    const r = rng(5);
    const m = new HoeffdingTreeClassifier({ grace_period: 50, max_size: 0.001, memory_estimate_period: 500 });
    for (let i = 0; i < 2000; i++) {
      const a = r();
      m.learnOne(
        new Map([
          ["a", a],
          ["b", r()],
        ]),
        a > 0.5,
      );
    }
    const s = summaryOf(m);
    assert.ok(s.n_inactive_leaves > 0, JSON.stringify(s));
    assert.equal(s.n_active_leaves + s.n_inactive_leaves, s.n_leaves);
  });

  it("offers the splitter as a component and validates it", () => {
    const m = build("HoeffdingTreeClassifier(splitter=GaussianSplitter(n_splits=3), split_criterion='gini')");
    assert.deepEqual((m.getParams() as any).splitter, { kind: "GaussianSplitter", params: { n_splits: 3 } });
    assert.throws(() => build("HoeffdingTreeClassifier(splitter=EBSTSplitter())"), SpecError);
    assert.throws(() => new HoeffdingTreeClassifier({ split_criterion: "entropy" as "gini" }), ParamError);
    assert.equal((build("HoeffdingTreeClassifier").getParams() as any).nominal_attributes, null);
    const custom = build("HoeffdingTreeClassifier(nominal_attributes=['a', 'b'], max_depth=3, delta=0.001)");
    assert.deepEqual(build(describeSpec(custom)).getParams(), custom.getParams());
    assert.deepEqual((custom.getParams() as any).nominal_attributes, ["a", "b"]);
    assert.ok(build("HoeffdingTreeClassifier").acceptsRaw);
  });

  it("Hellinger and Gini criteria learn a binary task", () => {
    const phishing = loadStream("phishing").rows;
    for (const criterion of ["hellinger", "gini"]) {
      const m = asSupervised(
        build(`HoeffdingTreeClassifier(split_criterion='${criterion}', grace_period=100)`),
      );
      let correct = 0;
      for (const row of phishing) {
        if (m.predictOne(row.x) === row.y) correct++;
        m.learnOne(row.x, row.y);
      }
      assert.ok(correct / phishing.length > 0.8, `${criterion}: accuracy ${correct / phishing.length}`);
      assert.ok(summaryOf(m).n_branches >= 1);
    }
  });
});

describe("HoeffdingTreeRegressor behaviour", () => {
  /** y = 1 below 0.5 and 5 above, plus noise; `z` is irrelevant. */
  function piecewise(n: number, seed: number): { x: Map<string, number>; y: number }[] {
    const r = rng(seed);
    return Array.from({ length: n }, () => {
      const x = r();
      return {
        x: new Map([
          ["x", x],
          ["z", r()],
        ]),
        y: (x < 0.5 ? 1 : 5) + (r() - 0.5) * 0.2,
      };
    });
  }

  it("learns a piecewise-constant function: splits on the right feature near the step", () => {
    const m = new HoeffdingTreeRegressor({ grace_period: 100 });
    for (const { x, y } of piecewise(3000, 7)) m.learnOne(x, y);
    const root = (m.exportState() as any).root;
    assert.equal(root.feature, "x");
    assert.ok(Math.abs(root.test - 0.5) < 0.05, `threshold ${root.test}`);
    let err = 0;
    const test = piecewise(500, 8);
    for (const { x, y } of test) err += Math.abs(m.predictOne(x) - y);
    assert.ok(err / test.length < 0.15, `MAE ${err / test.length}`);
  });

  it("attempts a split only once grace_period weight has been seen", () => {
    const stream = piecewise(200, 9);
    const m = new HoeffdingTreeRegressor({ grace_period: 100 });
    for (const { x, y } of stream.slice(0, 99)) m.learnOne(x, y);
    assert.equal(summaryOf(m).n_branches, 0);
    m.learnOne(stream[99]!.x, stream[99]!.y);
    assert.equal(summaryOf(m).n_branches, 1, "a clear step splits at the first attempt");
    // Each child starts its own grace period from the weight it inherited.
    const children = (m.exportState() as any).root.children;
    for (const c of children) assert.equal(num(c.last), c.stats[0]);
  });

  it("does not split a constant target", () => {
    const r = rng(10);
    const m = new HoeffdingTreeRegressor({ grace_period: 50 });
    for (let i = 0; i < 1000; i++) m.learnOne(new Map([["x", r()]]), 3);
    assert.equal(summaryOf(m).n_branches, 0);
    assert.equal(m.predictOne(new Map([["x", 0.2]])), 3);
  });

  it("'mean' leaves predict the running mean; 'model' leaves a LinearRegression on the same rows", () => {
    const r = rng(11);
    const rows = Array.from({ length: 80 }, () => {
      const x = r();
      return { x: new Map([["x", x]]), y: 2 * x + r() };
    });
    const mean = new HoeffdingTreeRegressor({ leaf_prediction: "mean" });
    const model = new HoeffdingTreeRegressor({ leaf_prediction: "model" });
    const lr = new LinearRegression();
    assert.equal(mean.predictOne(rows[0]!.x), 0);
    let sum = 0;
    rows.forEach(({ x, y }, i) => {
      mean.learnOne(x, y);
      model.learnOne(x, y);
      lr.learnOne(x, y);
      sum += y;
      close(mean.predictOne(new Map([["x", 0.3]])), sum / (i + 1), `mean after ${i + 1}`);
      assert.equal(model.predictOne(new Map([["x", 0.3]])), lr.predictOne(new Map([["x", 0.3]])));
    });
  });

  it("'adaptive' leaves follow whichever of mean and model has the smaller faded error", () => {
    const r = rng(12);
    // A constant target: the mean is exact from the second example, the model lags behind.
    const flat = new HoeffdingTreeRegressor();
    for (let i = 0; i < 50; i++) flat.learnOne(new Map([["x", r() * 10]]), 7);
    assert.equal(flat.predictOne(new Map([["x", 5]])), 7);
    // A steep linear target: the model wins and the prediction is the model's.
    const steep = new HoeffdingTreeRegressor();
    const lr = new LinearRegression();
    for (let i = 0; i < 150; i++) {
      const x = new Map([["x", r()]]);
      const y = 40 * x.get("x")!;
      steep.learnOne(x, y);
      lr.learnOne(x, y);
    }
    const probe = new Map([["x", 0.9]]);
    assert.equal(steep.predictOne(probe), lr.predictOne(probe));
  });

  it("splits on a nominal feature and feeds the leaf model only numbers", () => {
    const r = rng(13);
    const levels: Record<string, number> = { low: 1, mid: 10, high: 30 };
    const m = new HoeffdingTreeRegressor({ grace_period: 60 });
    for (let i = 0; i < 900; i++) {
      const k = ["low", "mid", "high"][Math.floor(r() * 3)]!;
      const x: RawFeatures = new Map<string, string | number | boolean>([
        ["level", k],
        ["flag", r() > 0.5],
        ["u", r()],
      ]);
      m.learnOne(x, levels[k]! + r());
    }
    const root = (m.exportState() as any).root;
    assert.equal(root.feature, "level");
    const p = m.predictOne(
      new Map<string, string | number>([
        ["level", "high"],
        ["u", 0.5],
      ]),
    );
    assert.ok(Math.abs(p - 30.5) < 3, `prediction ${p}`);
  });

  it("is deterministic and survives a state round trip mid-stream", () => {
    const stream = piecewise(1500, 14);
    const a = new HoeffdingTreeRegressor({ grace_period: 50 });
    const b = new HoeffdingTreeRegressor({ grace_period: 50 });
    for (const { x, y } of stream) {
      a.learnOne(x, y);
      b.learnOne(x, y);
    }
    assert.equal(stateOf(a), stateOf(b));
    const copy = restore(JSON.parse(JSON.stringify(a.toState()))) as Regressor;
    for (const { x, y } of piecewise(300, 15)) {
      assert.equal(copy.predictOne(x), a.predictOne(x));
      copy.learnOne(x, y);
      a.learnOne(x, y);
    }
    assert.equal(stateOf(copy), stateOf(a));
  });

  it("handles a long run of sorted values (the E-BST degenerates into a chain) without recursion", () => {
    const m = new HoeffdingTreeRegressor({ grace_period: 30000, leaf_prediction: "mean" });
    for (let i = 0; i < 30000; i++) m.learnOne(new Map([["t", i]]), i % 7);
    const copy = restore(JSON.parse(JSON.stringify(m.toState()))) as HoeffdingTreeRegressor;
    assert.equal(stateOf(copy), stateOf(m));
    assert.equal(summaryOf(m).n_branches, 1, "the attempt at 30000 ran over the whole chain");
  });

  it("reproduces River 0.22's docstring example: TrumpApproval, MAE: 0.793345", () => {
    // river/tree/hoeffding_tree_regressor.py (0.22): StandardScaler | HoeffdingTreeRegressor(
    // grace_period=100, model_selector_decay=0.9) scored by progressive_val_score prints
    // "MAE: 0.793345". It needs River's default splitter, TEBSTSplitter (values rounded with
    // Python's round to 1 digit); the plain E-BST prints 0.79427.
    const model = asSupervised(
      build("StandardScaler | HoeffdingTreeRegressor(grace_period=100, model_selector_decay=0.9)"),
    );
    const mae = build("MAE") as Metric;
    for (const r of loadStream("trump_approval").rows) {
      mae.update(r.y as number, model.predictOne(r.x) as number);
      model.learnOne(r.x, r.y);
    }
    assert.equal(mae.toString(), "MAE: 0.793345");
  });

  it("validates its splitter and offers River's defaults", () => {
    assert.throws(() => build("HoeffdingTreeRegressor(splitter=GaussianSplitter())"), SpecError);
    const p = build("HoeffdingTreeRegressor").getParams() as any;
    assert.equal(p.leaf_prediction, "adaptive");
    assert.equal(p.leaf_model.kind, "LinearRegression");
    assert.deepEqual(p.splitter, { kind: "TEBSTSplitter", params: { digits: 1 } });
    assert.equal(p.max_size, 500);
    assert.equal(p.min_samples_split, 5);
  });
});

describe("state export", () => {
  it("is plain JSON and rejects a damaged tree", () => {
    const m = new HoeffdingTreeClassifier({ grace_period: 30, tau: 0.5 });
    for (const row of loadStream("phishing").rows.slice(0, 400)) m.learnOne(row.x, row.y);
    const state = m.exportState() as any;
    assert.equal(state.root.leaf, false);
    assert.deepEqual(JSON.parse(JSON.stringify(state)), state);
    const before = stateOf(m);
    const broken = JSON.parse(JSON.stringify(state));
    broken.root.children[0] = { leaf: "maybe" };
    assert.throws(() => m.importState(broken), StateError);
    const badObserver = JSON.parse(JSON.stringify(state));
    let leaf = badObserver.root;
    while (!leaf.leaf) leaf = leaf.children[0];
    leaf.splitters = [["x", { type: "gaussian", classes: [[true, 1, 2]] }]];
    assert.throws(() => m.importState(badObserver), StateError);
    assert.equal(stateOf(m), before);
  });
});

// The shared check suite: clone, params, state round trips, feature order, new/missing features,
// pure predictions. It trains on 200 rows, so most specs use tau=0.5 (a split at every attempt
// with ε < 0.5) and a short grace period, to have branches in the checked trees.
const phishing = loadStream("phishing").rows.slice(0, 450);
const trump = loadStream("trump_approval").rows.slice(0, 450);

/** Synthetic rows with string, boolean and numeric features (nominal observers and branches). */
function mixed(regression: boolean): Row[] {
  const r = rng(99);
  const colors = ["red", "green", "blue", "black"];
  return Array.from({ length: 450 }, () => {
    const color = colors[Math.floor(r() * 4)]!;
    const size = r() * 10;
    const flag = r() > 0.3;
    const x = new Map<string, number | string | boolean>([
      ["color", color],
      ["size", size],
      ["flag", flag],
    ]);
    const y = regression
      ? (color === "red" ? 10 : 0) + size + (flag ? 2 : 0) + r()
      : color === "red" || (size > 7 && r() > 0.1)
        ? "yes"
        : color === "blue"
          ? "maybe"
          : "no";
    return { x, y } as unknown as Row;
  });
}

checkEstimator("HoeffdingTreeClassifier", phishing);
checkEstimator("HoeffdingTreeClassifier(grace_period=30, tau=0.5)", phishing);
checkEstimator(
  "HoeffdingTreeClassifier(grace_period=25, tau=0.5, leaf_prediction='mc', split_criterion='gini')",
  phishing,
);
checkEstimator("HoeffdingTreeClassifier(grace_period=30, tau=0.5)", mixed(false));
checkEstimator(
  "HoeffdingTreeClassifier(grace_period=30, tau=0.5, leaf_prediction='nb', binary_split=True)",
  mixed(false),
);
checkEstimator(
  "HoeffdingTreeClassifier(grace_period=40, tau=0.5, split_criterion='hellinger')",
  bananas().slice(0, 450),
);
/** River's TEBST rounds values, so candidate splits often tie; River (and Brook) keep the first feature seen. */
const TEBST_TIES =
  "TEBSTSplitter's rounded values make split merits tie, and ties go to the first feature seen (as in River)";
checkEstimator("HoeffdingTreeRegressor", trump);
checkEstimator("HoeffdingTreeRegressor(grace_period=30, tau=0.5)", trump, {
  tiesFollowFeatureOrder: TEBST_TIES,
});
checkEstimator("HoeffdingTreeRegressor(grace_period=30, tau=0.5, splitter=EBSTSplitter())", trump);
checkEstimator("HoeffdingTreeRegressor(grace_period=30, tau=0.5, leaf_prediction='mean')", mixed(true));
checkEstimator("HoeffdingTreeRegressor(grace_period=30, tau=0.5, binary_split=True)", mixed(true));
checkEstimator("StandardScaler | HoeffdingTreeRegressor(grace_period=30, tau=0.5)", trump, {
  tiesFollowFeatureOrder: TEBST_TIES,
});
checkEstimator(
  "StandardScaler | HoeffdingTreeRegressor(grace_period=30, tau=0.5, splitter=EBSTSplitter())",
  trump,
);
