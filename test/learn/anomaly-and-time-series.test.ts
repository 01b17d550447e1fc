import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadStream, type Row } from "../../src/data/datasets.js";
import { HalfSpaceTrees } from "../../src/learn/anomaly/half-space-trees.js";
import {
  build,
  LearnError,
  type Metric,
  ParamError,
  type Pipeline,
  restore,
  SpecError,
  StateError,
} from "../../src/learn/index.js";
import { PythonRandom } from "../../src/learn/math/python-random.js";
import { MAE } from "../../src/learn/metrics/regression.js";
import {
  evaluate,
  HorizonAggMetric,
  type HorizonMetric,
  iterEvaluate,
  MEAN,
} from "../../src/learn/time-series/evaluate.js";
import { exactMean, ratioToDouble } from "../../src/learn/time-series/exact-mean.js";
import { HoltWinters } from "../../src/learn/time-series/holt-winters.js";
import { differencingCoefficients, SNARIMAX } from "../../src/learn/time-series/snarimax.js";
import { checkEstimator } from "../helpers/estimator-checks.js";
import { close, closeState, num, readCombo, riverState } from "../helpers/river.js";
import { airline } from "../helpers/streams.js";

const closeList = (actual: number[], expected: unknown[], what: string) => {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (const [i, v] of actual.entries()) close(v, num(expected[i]), `${what}[${i}]`);
};

const stateJson = (c: { toState(): unknown }) => JSON.stringify(c.toState());

describe("PythonRandom (CPython's random.Random)", () => {
  it("matches the recorded random.Random(42) outputs", () => {
    const check = readCombo("m1_phishing_minmax_halfspacetrees.json").final.rng_check;
    const a = new PythonRandom(42);
    assert.deepEqual(
      Array.from({ length: 8 }, () => a.getrandbits(32)),
      check["random.Random(42).getrandbits(32) x8"],
    );
    const b = new PythonRandom(42);
    assert.deepEqual(
      Array.from({ length: 8 }, () => b.random()),
      check["random.Random(42).random() x8"],
    );
  });

  it("matches CPython 3.11 for choices, uniform, randint, wide getrandbits and big seeds", () => {
    // Values printed by CPython 3.11 for the same calls.
    const r = new PythonRandom(42);
    assert.deepEqual(r.choices(["a", "b", "c"], [1, 2.5, 0.5], 5), ["b", "a", "b", "a", "b"]);
    assert.equal(r.uniform(0.15, 0.85), 0.6236896411960379);
    assert.equal(r.randint(1, 6), 5);
    assert.equal(r.getrandbits(50), 664835541016450);
    assert.equal(r.randint(0, 10 ** 12), 36171878809);
    assert.equal(new PythonRandom(2 ** 40 + 3).random(), 0.21978710637116716);
    assert.equal(new PythonRandom(2n ** 70n + 5n).random(), 0.46679953776226335);
    assert.equal(new PythonRandom(0).random(), 0.8444218515250481);
    assert.equal(new PythonRandom(-7).random(), 0.32383276483316237);
    // The 701st value needs a second regeneration of the 624-word state.
    const long = new PythonRandom(12345);
    for (let i = 0; i < 700; i++) long.random();
    assert.equal(long.random(), 0.6799084155778294);
  });

  it("can save and restore its state mid-stream", () => {
    const a = new PythonRandom(7);
    for (let i = 0; i < 1000; i++) a.random();
    const b = new PythonRandom(1);
    b.setState(a.getState());
    assert.deepEqual(
      Array.from({ length: 5 }, () => b.random()),
      Array.from({ length: 5 }, () => a.random()),
    );
    assert.throws(() => a.choices(["x"], [0]), RangeError);
    assert.throws(() => a.setState({ key: [1, 2], pos: 0 }), RangeError);
  });
});

describe("HalfSpaceTrees", () => {
  it("m1: MinMaxScaler | HalfSpaceTrees(seed=42) on Phishing, scores and ROCAUC row by row, trees exact", () => {
    const combo = readCombo("m1_phishing_minmax_halfspacetrees.json");
    const { rows } = loadStream("phishing");
    assert.equal(rows.length, combo.rows.length);
    const model = build("MinMaxScaler | HalfSpaceTrees(seed=42)") as Pipeline;
    const metrics = combo.metrics.map((name: string) => build(name) as Metric);
    rows.forEach((row, i) => {
      const ref = combo.rows[i];
      const score = model.scoreOne(row.x);
      // Scores are 1 - integer / integer: bit-exact.
      assert.equal(score, ref.score, `row ${i} score`);
      model.learnOne(row.x);
      for (const [k, m] of metrics.entries()) {
        m.update(row.y, score);
        close(m.get(), num(ref.metrics[combo.metrics[k]]), `row ${i} ${combo.metrics[k]}`);
      }
    });
    for (const [k, m] of metrics.entries()) {
      assert.equal(m.toString(), combo.final.metrics_repr[combo.metrics[k]]);
    }
    const hst = model.finalStep as HalfSpaceTrees;
    assert.equal(hst.seedUsed, 42);
    assert.deepEqual(hst.splits, combo.final.trees);
    assert.deepEqual(hst.masses, combo.final.masses);
    const state = hst.exportState() as any;
    assert.equal(state.counter, combo.final.state.HalfSpaceTrees.counter);
    assert.equal(state.first_window, combo.final.state.HalfSpaceTrees.first_window);
    assert.deepEqual(state.forest.features, combo.final.state.HalfSpaceTrees.feature_order_used_for_limits);
  });

  it("reproduces River's docstring example (5 trees, height 3, window 3, seed 42)", () => {
    const X = [0.5, 0.45, 0.43, 0.44, 0.445, 0.45, 0.0];
    const hst = new HalfSpaceTrees({ n_trees: 5, height: 3, window_size: 3, seed: 42 });
    for (const x of X.slice(0, 3)) hst.learnOne(new Map([["x", x]]));
    const scores = X.map((x) => {
      const features = new Map([["x", x]]);
      hst.learnOne(features);
      return hst.scoreOne(features).toFixed(3);
    });
    assert.deepEqual(scores, ["0.107", "0.071", "0.107", "0.107", "0.107", "0.071", "0.853"]);
  });

  it("scores 0 during the first window, then flags points far from the reference window", () => {
    const hst = new HalfSpaceTrees({ seed: 3, window_size: 100 });
    const rng = new PythonRandom(9);
    const normal = () =>
      new Map([
        ["a", 0.4 + 0.1 * rng.random()],
        ["b", 0.5 + 0.1 * rng.random()],
      ]);
    for (let i = 0; i < 100; i++) {
      assert.equal(hst.scoreOne(normal()), 0);
      hst.learnOne(normal());
    }
    const inlier = hst.scoreOne(
      new Map([
        ["a", 0.45],
        ["b", 0.55],
      ]),
    );
    const outlier = hst.scoreOne(
      new Map([
        ["a", 0.95],
        ["b", 0.05],
      ]),
    );
    assert.ok(outlier > 0.9 && inlier < 0.5, `inlier ${inlier}, outlier ${outlier}`);
  });

  it("uses the given limits ('feature:lo:hi') for the padded split ranges", () => {
    // CPython: r = random.Random(1); r.choices(['a'], weights=[10]); r.uniform(11.5, 18.5)
    const hst = build('HalfSpaceTrees(height=1, n_trees=1, seed=1, limits=["a:10:20"])') as HalfSpaceTrees;
    hst.learnOne(new Map([["a", 15]]));
    assert.deepEqual(hst.splits, [[["a", 17.432036158560628]]]);
    const many = new HalfSpaceTrees({ seed: 5, limits: ["a:10:20", "b:-1:1"] });
    many.learnOne(
      new Map([
        ["b", 0],
        ["a", 15],
      ]),
    );
    for (const tree of many.splits) {
      const [feature, at] = tree[0]!;
      assert.ok(feature === "a" ? at >= 11.5 && at <= 18.5 : at >= -0.7 && at <= 0.7);
    }
    assert.throws(() => build('HalfSpaceTrees(limits=["a:1:0"])'), SpecError);
    assert.throws(() => new HalfSpaceTrees({ limits: ["nocolons"] }), ParamError);
    assert.throws(() => new HalfSpaceTrees({ height: 21 }), ParamError);
    assert.throws(() => new HalfSpaceTrees({ n_trees: 100, height: 20 }), ParamError);
  });

  it("sends x down the busier child when a split feature is missing", () => {
    const hst = new HalfSpaceTrees({ n_trees: 1, height: 1, window_size: 10, seed: 1 });
    hst.learnOne(new Map([["a", 0.9]])); // right child
    hst.learnOne(new Map([["a", 0.95]])); // right child
    hst.learnOne(new Map<string, number>()); // missing: goes right (2 > 0)
    assert.deepEqual(hst.masses[0]!.l_mass, [3, 0, 3]);
    hst.learnOne(new Map([["a", 0.1]]));
    hst.learnOne(new Map([["a", 0.1]]));
    hst.learnOne(new Map([["a", 0.1]]));
    hst.learnOne(new Map<string, number>()); // tie 3 / 3: left
    assert.deepEqual(hst.masses[0]!.l_mass, [7, 4, 3]);
  });

  it("needs a feature in the first example, and changes nothing when it has none", () => {
    const hst = new HalfSpaceTrees({ seed: 1 });
    const before = stateJson(hst);
    assert.throws(() => hst.learnOne(new Map()), LearnError);
    assert.equal(stateJson(hst), before);
  });

  it("with seed=None draws a seed when growing, records it, and a restore continues identically", () => {
    const hst = build("HalfSpaceTrees(window_size=20)") as HalfSpaceTrees;
    assert.equal(hst.seedUsed, null);
    const rows = loadStream("phishing").rows.slice(0, 60);
    for (const row of rows.slice(0, 30)) hst.learnOne(row.x);
    const seed = hst.seedUsed;
    assert.ok(seed !== null && Number.isSafeInteger(seed) && seed >= 0);
    const copy = restore(JSON.parse(JSON.stringify(hst.toState()))) as HalfSpaceTrees;
    assert.equal(copy.seedUsed, seed);
    // The same seed given explicitly grows the same trees.
    const seeded = new HalfSpaceTrees({ window_size: 20, seed });
    seeded.learnOne(rows[0]!.x);
    assert.deepEqual(seeded.splits, hst.splits);
    for (const row of rows.slice(30)) {
      assert.equal(copy.scoreOne(row.x), hst.scoreOne(row.x));
      copy.learnOne(row.x);
      hst.learnOne(row.x);
    }
    assert.equal(stateJson(copy), stateJson(hst));
  });

  it("rejects inconsistent states", () => {
    const hst = new HalfSpaceTrees({ seed: 4, n_trees: 2, height: 2, window_size: 5 });
    for (let i = 0; i < 7; i++) hst.learnOne(new Map([["a", i / 7]]));
    const good = hst.exportState() as any;
    const bad = (patch: (s: any) => void) => {
      const s = structuredClone(good);
      patch(s);
      return s;
    };
    const before = stateJson(hst);
    for (const s of [
      bad((s) => (s.counter = 5)),
      bad((s) => (s.forest.seed = 5)),
      bad((s) => s.forest.threshold.pop()),
      bad((s) => (s.forest.split_feature[0] = 3)),
      bad((s) => (s.forest.l_mass[0] = -1)),
      bad((s) => (s.forest = null)),
    ]) {
      assert.throws(() => hst.importState(s), StateError);
    }
    assert.equal(stateJson(hst), before);
  });
});

describe("HoltWinters and River's horizon evaluation", () => {
  const series = airline().map((r) => ({ y: r.y }));

  it("m2: iter_evaluate(HoltWinters(0.3, 0.1, 0.6, seasonality=12, multiplicative=True), MAE, horizon=12)", () => {
    const combo = readCombo("m2_airline_holtwinters_mult.json");
    const model = build("HoltWinters(0.3, 0.1, 0.6, seasonality=12, multiplicative=True)") as HoltWinters;
    let i = 0;
    let last: HorizonMetric | undefined;
    for (const step of iterEvaluate(series, model, new MAE(), 12)) {
      const ref = combo.rows[i];
      assert.equal(step.y, ref.y, `step ${i} y`);
      assert.deepEqual(step.yHorizon, ref.y_horizon, `step ${i} truth`);
      closeList(step.yPred, ref.forecast, `step ${i} forecast`);
      closeList(step.metric.get(), ref.metrics, `step ${i} MAE`);
      const c = model.components;
      closeList(c.level, ref.state.level, `step ${i} level`);
      closeList(c.trend, ref.state.trend, `step ${i} trend`);
      closeList(c.season, ref.state.season, `step ${i} season`);
      last = step.metric;
      i++;
    }
    assert.equal(i, combo.final.n_eval_steps);
    closeList(last!.get(), Object.values(combo.final.metrics), "final MAE");
    assert.equal(last!.toString(), combo.final.metrics_repr);
  });

  it("reproduces River's HorizonMetric and HorizonAggMetric docstrings (simple exponential smoothing)", () => {
    const metric = evaluate(series, new HoltWinters({ alpha: 0.1 }), new MAE(), 4);
    assert.equal(
      metric.toString(),
      "+1 MAE: 40.931286\n+2 MAE: 42.667998\n+3 MAE: 44.158092\n+4 MAE: 43.849617",
    );
    const agg = evaluate(series, new HoltWinters({ alpha: 0.1 }), new HorizonAggMetric(new MAE(), MEAN), 4);
    assert.equal(agg.toString(), "mean(MAE): 42.901748");
  });

  it("initialises from the first max(2, seasonality) values with exactly rounded means", () => {
    const first = [62.6, 6.6, 1.3, 83.7];
    const hw = new HoltWinters({ alpha: 0.5, beta: 0.2, gamma: 0.3, seasonality: 4 });
    for (const y of first.slice(0, 3)) hw.learnOne(y);
    assert.throws(() => hw.forecast(2), LearnError);
    hw.learnOne(first[3]!);
    const { level, trend, season } = hw.components;
    // statistics.mean gives 38.550000000000004 where sum / n gives 38.55.
    assert.deepEqual(level, [38.550000000000004]);
    assert.deepEqual(trend, [exactMean([6.6 - 62.6, 1.3 - 6.6, 83.7 - 1.3])]);
    // River divides by the level for the additive season too (reproduced).
    assert.deepEqual(
      season,
      first.map((y) => y / 38.550000000000004),
    );
    const before = stateJson(hw);
    const f = hw.forecast(6);
    assert.equal(f.length, 6);
    // Additive: level + (h+1) trend + season[-4 + h % 4].
    for (const [h, v] of f.entries()) assert.equal(v, level[0]! + (h + 1) * trend[0]! + season[h % 4]!);
    assert.equal(stateJson(hw), before);
  });

  it("validates its parameters like River", () => {
    assert.throws(() => build("HoltWinters"), SpecError); // alpha is required
    assert.throws(() => new HoltWinters({ alpha: 0.1, seasonality: 12 }), ParamError);
    assert.throws(() => new HoltWinters({ alpha: 0.1, gamma: 0.5, seasonality: 12 }), ParamError);
    assert.throws(() => new HoltWinters({ alpha: 0.1, beta: 0, gamma: 0.5, seasonality: 12 }), ParamError);
    assert.throws(() => new HoltWinters({ alpha: 1.5 }), ParamError);
    assert.throws(() => new HoltWinters({ alpha: 0.5 }).learnOne("7" as unknown as number), LearnError);
  });

  it("exactMean is Python's statistics.mean (exact sum, one rounding)", () => {
    assert.equal(exactMean([62.6, 6.6, 1.3, 83.7]), 38.550000000000004);
    assert.equal(exactMean([1e308, 1e308, -1e308]), 3.333333333333333e307);
    assert.equal(exactMean([5e-324, 5e-324, 5e-324]), 5e-324);
    assert.equal(exactMean([1, 2]), 1.5);
    assert.equal(exactMean([Infinity, 1]), Infinity);
    assert.equal(ratioToDouble(1n, 3n), 1 / 3);
    assert.equal(ratioToDouble(-(2n ** 1100n), 1n), -Infinity);
  });

  it("iterEvaluate honours the grace period and short series", () => {
    const steps = [...iterEvaluate(series, new HoltWinters({ alpha: 0.3 }), new MAE(), 3, 10)];
    assert.equal(steps.length, series.length - 3 - 10);
    assert.deepEqual(
      steps[0]!.yHorizon,
      series.slice(11, 14).map((o) => o.y),
    );
    assert.equal(
      [...iterEvaluate(series.slice(0, 3), new HoltWinters({ alpha: 0.3 }), new MAE(), 3)].length,
      0,
    );
  });
});

describe("SNARIMAX", () => {
  const combo = readCombo("m3_airline_snarimax_docstring.json");
  const data = airline();

  it("builds River's differencing coefficients in River's order", () => {
    assert.deepEqual(differencingCoefficients(1, 1, 12), [
      [0, 1],
      [12, -1],
      [1, -1],
      [13, 1],
    ]);
    assert.deepEqual(differencingCoefficients(2, 0, 1), [
      [0, 1],
      [1, -2],
      [2, 1],
    ]);
    // (1 - B)(1 - B): the cross terms add up at lag 1.
    assert.deepEqual(differencingCoefficients(1, 1, 1), [
      [0, 1],
      [1, -2],
      [2, 1],
    ]);
    assert.deepEqual(differencingCoefficients(0, 0, 7), [[0, 1]]);
  });

  it("m3 example 1: SNARIMAX(p=12, d=1, q=12, m=12, sd=1) forecasts and state", () => {
    const ex = combo.examples.example1;
    const model = build("SNARIMAX(p=12, d=1, q=12, m=12, sd=1)") as SNARIMAX;
    for (const row of data) model.learnOne(row.y);
    const before = stateJson(model);
    const forecast = model.forecast(12);
    closeList(forecast, ex.forecast, "forecast");
    assert.deepEqual(
      forecast.map((v) => Number(v.toFixed(3))),
      ex.docstring_forecast_3dp,
    );
    assert.equal(stateJson(model), before);
    const h = model.history;
    closeList(h.y_hist, ex.final_state.y_hist, "y_hist");
    closeList(h.y_diff, ex.final_state.y_diff, "y_diff");
    closeList(h.errors, ex.final_state.errors, "errors");
    closeState(riverState(model.params.regressor), ex.final_state.regressor, "regressor");
  });

  it("m3 example 2: month features + SNARIMAX(p=1, d=0, q=0, m=12, sp=3, sq=6) with a custom regressor", () => {
    const ex = combo.examples.example2;
    const model = build(
      "SNARIMAX(p=1, d=0, q=0, m=12, sp=3, sq=6, regressor=StandardScaler | LinearRegression(intercept_init=110, optimizer=SGD(0.01), intercept_lr=0.3))",
    ) as SNARIMAX;
    const months = [
      "January",
      "February",
      "March",
      "April",
      "May",
      "June",
      "July",
      "August",
      "September",
      "October",
      "November",
      "December",
    ];
    for (const row of data) {
      // TransformerUnion(get_ordinal_date, get_month_distances): ChainMap order puts the months first.
      const x = new Map<string, number>();
      for (let m = 1; m <= 12; m++) x.set(months[m - 1]!, Math.exp(-((row.month - m) ** 2)));
      x.set("ordinal_date", Date.UTC(row.year, row.month - 1, 1) / 86_400_000 + 719_163);
      if (row === data[0]) assert.equal(x.get("ordinal_date"), 711_493);
      model.learnOne(row.y, x);
    }
    const forecast = model.forecast(12);
    closeList(forecast, ex.forecast, "forecast");
    assert.deepEqual(
      forecast.map((v) => Number(v.toFixed(3))),
      ex.docstring_forecast_3dp,
    );
    const h = model.history;
    closeList(h.y_hist, ex.final_state.y_hist, "y_hist");
    closeList(h.y_diff, ex.final_state.y_diff, "y_diff");
    closeList(h.errors, ex.final_state.errors, "errors");
    closeState(riverState(model.params.regressor), ex.final_state.regressor, "regressor");
    // Feature order = River's dict order (exogenous features, then the lags as first seen).
    assert.deepEqual(
      Object.keys(riverState(model.params.regressor).StandardScaler.counts),
      Object.keys(ex.final_state.regressor.StandardScaler.counts),
    );
  });

  it("forecasts with exogenous features per step, and checks their number", () => {
    const model = new SNARIMAX({ p: 2, d: 1, q: 1 });
    for (const row of data.slice(0, 40)) model.learnOne(row.y, new Map([["m", row.month]]));
    const xs = [1, 2, 3].map((m) => new Map([["m", m]]));
    const withX = model.forecast(3, xs);
    assert.equal(withX.length, 3);
    assert.notDeepEqual(withX, model.forecast(3));
    assert.deepEqual(xs[0], new Map([["m", 1]])); // the caller's maps are not modified
    assert.throws(() => model.forecast(3, xs.slice(0, 2)), LearnError);
    assert.throws(() => model.forecast(-1), LearnError);
    assert.deepEqual(model.forecast(0), []);
  });

  it("differences only once enough history is known, and forecasts from scratch", () => {
    const model = new SNARIMAX({ p: 1, d: 1, q: 0, m: 4, sd: 1 });
    assert.equal(model.forecast(2).length, 2); // River: the regressor's intercept, partly undifferenced
    for (const y of [1, 2, 3, 4, 5]) model.learnOne(y);
    assert.deepEqual(model.history.y_diff, []); // needs 5 past values: nothing learned yet
    model.learnOne(7);
    // 7 - 5 - (3 - 2) ... = y_t - y_{t-1} - y_{t-4} + y_{t-5} = 7 - 5 - 2 + 1
    assert.deepEqual(model.history.y_diff, [1]);
  });

  it("rejects bad states without changing anything", () => {
    const model = new SNARIMAX({ p: 2, d: 1, q: 1 });
    for (const row of data.slice(0, 20)) model.learnOne(row.y);
    const before = stateJson(model);
    const s = model.exportState() as any;
    assert.throws(() => model.importState({ ...s, y_diff: [1, 2, 3] }), StateError);
    assert.throws(() => model.importState({ ...s, regressor: { steps: [] } }), StateError);
    assert.throws(() => model.importState({ ...s, errors: ["x"] }), StateError);
    assert.equal(stateJson(model), before);
  });
});

// The shared checks. Forecasters learn each row's y; anomaly detectors learn x.
const phishing = loadStream("phishing").rows.slice(0, 300);
const trump = loadStream("trump_approval").rows.slice(0, 300);
const airlineRows: Row[] = data144();

function data144(): Row[] {
  return airline().map((r) => ({
    x: new Map([
      ["year", r.year],
      ["month", r.month],
    ]),
    y: r.y,
  }));
}

for (const { spec, rows } of [
  { spec: "HalfSpaceTrees(seed=42)", rows: phishing },
  { spec: "HalfSpaceTrees(n_trees=5, height=4, window_size=50, seed=7)", rows: phishing },
  { spec: "MinMaxScaler | HalfSpaceTrees(window_size=40, seed=42)", rows: trump },
  {
    spec: 'HalfSpaceTrees(window_size=30, seed=1, limits=["gallup:30:60", "ordinal_date:736000:737500"])',
    rows: trump,
  },
  { spec: "HoltWinters(0.3, 0.1, 0.6, seasonality=12, multiplicative=True)", rows: trump },
  { spec: "HoltWinters(alpha=0.5)", rows: trump },
  { spec: "HoltWinters(0.4, beta=0.2, gamma=0.1, seasonality=7)", rows: trump },
  { spec: "SNARIMAX(p=3, d=1, q=2)", rows: trump },
  { spec: "SNARIMAX(p=2, d=0, q=1, m=7, sp=1, sd=1, sq=1)", rows: trump },
  { spec: "SNARIMAX(p=12, d=1, q=12, m=12, sd=1)", rows: [...airlineRows, ...airlineRows] },
]) {
  checkEstimator(spec, rows);
}
