import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Accuracy, ExactROCAUC, F1, LogLoss, MAE, R2, RMSE, ROCAUC } from "../../src/learn/index.js";
import { pairwiseSum } from "../../src/learn/math/functions.js";
import { pyFixed, pyGroupedInt, pyPercent, pyRepr } from "../../src/learn/math/py-format.js";

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
    const ll = new LogLoss();
    ll.update(true, 0.9);
    assert.equal(ll.toString(), `LogLoss: ${pyRepr(-Math.log(0.9))}`);
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
