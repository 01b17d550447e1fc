/**
 * The cumulative L1 penalty of River's GLM (`linear_model.base.GLM._fit` / `_update_weights`,
 * Tsuruoka et al. 2009), checked against weights worked out by hand from River's update rule:
 *
 *   z = w·x + intercept;  g = loss.gradient(y, z)
 *   intercept -= intercept_lr * g                      (before the weights)
 *   w_j -= lr * x_j * g                                (SGD, for j in x)
 *   max_cum_l1 += l1 * lr
 *   for j in x:  w_j > 0:  w_j = max(0, w_j - (max_cum_l1 + cum_l1[j]))
 *                w_j < 0:  w_j = min(0, w_j + (max_cum_l1 - cum_l1[j]))
 *                cum_l1[j] += w_j(new) - w_j(before the clip)
 *
 * No reference file has `l1 > 0`, so without these a flipped sign or a wrong clip would pass.
 * The numbers carry float rounding (0.05 - 0.01 is 0.04000000000000001...), hence `close`.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { asSupervised, build, type Features } from "../../src/learn/index.js";
import { close, num } from "../helpers/river.js";

const x = (o: Record<string, number>): Features => new Map(Object.entries(o));

interface L1State {
  weights: Record<string, number>;
  intercept: number;
  cum: Record<string, number>;
  maxCum: number;
}

function stateOf(model: { exportState(): unknown }): L1State {
  const s = model.exportState() as any;
  const byName = (values: unknown[]) =>
    Object.fromEntries(s.names.map((n: string, i: number) => [n, num(values[i])]));
  return {
    weights: byName(s.weights),
    intercept: num(s.intercept),
    cum: byName(s.cum_l1),
    maxCum: num(s.max_cum_l1),
  };
}

function expectState(actual: L1State, expected: L1State, what: string): void {
  assert.deepEqual(Object.keys(actual.weights), Object.keys(expected.weights), `${what}: features`);
  for (const [k, v] of Object.entries(expected.weights)) {
    close(actual.weights[k]!, v, `${what}: w_${k}`, 1e-12);
    // A weight the penalty clipped is exactly 0, not a rounding residue.
    if (v === 0) assert.equal(actual.weights[k], 0, `${what}: w_${k} clipped to 0`);
  }
  for (const [k, v] of Object.entries(expected.cum)) close(actual.cum[k]!, v, `${what}: cum_l1[${k}]`, 1e-12);
  close(actual.intercept, expected.intercept, `${what}: intercept`, 1e-12);
  close(actual.maxCum, expected.maxCum, `${what}: max_cum_l1`, 1e-12);
}

describe("L1 penalty (River's cumulative clipping)", () => {
  it("LinearRegression(l1=0.1): shrinks both signs toward 0 and clips at 0", () => {
    const model = asSupervised(build("LinearRegression(optimizer=SGD(0.1), l1=0.1, intercept_lr=0.1)"));
    // Squared loss: g = 2 * (z - y). lr = intercept_lr = l1 = 0.1, so max_cum_l1 grows by 0.01 a step.

    // 1. x = {a: 1, b: 2}, y = 1. z = 0, g = 2 * (0 - 1) = -2.
    //    intercept = 0 - 0.1 * -2 = 0.2;  a = 0 - 0.1 * 1 * -2 = 0.2;  b = 0 - 0.1 * 2 * -2 = 0.4
    //    max_cum = 0.01;  a > 0: a = 0.2 - (0.01 + 0) = 0.19, cum_a = -0.01
    //                     b > 0: b = 0.4 - (0.01 + 0) = 0.39, cum_b = -0.01
    model.learnOne(x({ a: 1, b: 2 }), 1);
    expectState(
      stateOf(model),
      { weights: { a: 0.19, b: 0.39 }, intercept: 0.2, cum: { a: -0.01, b: -0.01 }, maxCum: 0.01 },
      "step 1",
    );

    // 2. x = {a: 1, b: 1}, y = 0. z = 0.19 + 0.39 + 0.2 = 0.78, g = 1.56.
    //    intercept = 0.2 - 0.156 = 0.044;  a = 0.19 - 0.156 = 0.034;  b = 0.39 - 0.156 = 0.234
    //    max_cum = 0.02;  a = 0.034 - (0.02 + -0.01) = 0.024, cum_a = -0.01 - 0.01 = -0.02
    //                     b = 0.234 - (0.02 + -0.01) = 0.224, cum_b = -0.02
    model.learnOne(x({ a: 1, b: 1 }), 0);
    expectState(
      stateOf(model),
      { weights: { a: 0.024, b: 0.224 }, intercept: 0.044, cum: { a: -0.02, b: -0.02 }, maxCum: 0.02 },
      "step 2",
    );

    // 3. x = {a: 1}, y = -1. z = 0.024 + 0.044 = 0.068, g = 2 * 1.068 = 2.136.
    //    intercept = 0.044 - 0.2136 = -0.1696;  a = 0.024 - 0.2136 = -0.1896 (now negative)
    //    max_cum = 0.03;  a < 0: a = min(0, -0.1896 + (0.03 - -0.02)) = -0.1396, cum_a = -0.02 + 0.05 = 0.03
    //    b is not in x: untouched (0.224, cum_b -0.02).
    model.learnOne(x({ a: 1 }), -1);
    expectState(
      stateOf(model),
      { weights: { a: -0.1396, b: 0.224 }, intercept: -0.1696, cum: { a: 0.03, b: -0.02 }, maxCum: 0.03 },
      "step 3",
    );

    // 4. x = {b: 1}, y = -1. z = 0.224 - 0.1696 = 0.0544, g = 2 * 1.0544 = 2.1088.
    //    intercept = -0.1696 - 0.21088 = -0.38048;  b = 0.224 - 0.21088 = 0.01312
    //    max_cum = 0.04;  b > 0: b = max(0, 0.01312 - (0.04 - 0.02)) = max(0, -0.00688) = 0 (clipped)
    //    cum_b = -0.02 + (0 - 0.01312) = -0.03312
    model.learnOne(x({ b: 1 }), -1);
    expectState(
      stateOf(model),
      { weights: { a: -0.1396, b: 0 }, intercept: -0.38048, cum: { a: 0.03, b: -0.03312 }, maxCum: 0.04 },
      "step 4",
    );
    // predict_one({a: 1, b: 1}) = -0.1396 + 0 - 0.38048
    close(model.predictOne(x({ a: 1, b: 1 })) as number, -0.52008, "prediction", 1e-12);
  });

  it("LogisticRegression(l1=0.1): the same rule under the log loss", () => {
    const model = asSupervised(build("LogisticRegression(optimizer=SGD(0.1), l1=0.1, intercept_lr=0.1)"));
    // Log loss: y = ±1, g = -y / (exp(y * z) + 1).

    // 1. x = {a: 1, b: -1}, y = True. z = 0, g = -1 / 2 = -0.5.
    //    intercept = 0.05;  a = 0 - 0.1 * 1 * -0.5 = 0.05;  b = 0 - 0.1 * -1 * -0.5 = -0.05
    //    max_cum = 0.01;  a > 0: a = 0.05 - 0.01 = 0.04, cum_a = -0.01
    //                     b < 0: b = min(0, -0.05 + (0.01 - 0)) = -0.04, cum_b = +0.01
    model.learnOne(x({ a: 1, b: -1 }), true);
    expectState(
      stateOf(model),
      { weights: { a: 0.04, b: -0.04 }, intercept: 0.05, cum: { a: -0.01, b: 0.01 }, maxCum: 0.01 },
      "step 1",
    );

    // 2. x = {a: 1, b: 1}, y = False. z = 0.04 - 0.04 + 0.05 = 0.05,
    //    g = 1 / (exp(-0.05) + 1) = 0.5124973964842103 (Python: 1 / (math.exp(-0.05) + 1)).
    //    intercept = 0.05 - 0.05124973964842103 = -0.0012497396484210319
    //    a = 0.04 - 0.0512497... = -0.0112497... ;  b = -0.04 - 0.0512497... = -0.0912497...
    //    max_cum = 0.02;  a < 0: a = min(0, -0.0112497 + (0.02 - -0.01)) = min(0, 0.0187...) = 0 (clipped)
    //                     cum_a = -0.01 + (0 - -0.0112497...) = 0.0012497396484210319
    //                     b < 0: b = -0.0912497... + (0.02 - 0.01) = -0.08124973964842103, cum_b = 0.02
    model.learnOne(x({ a: 1, b: 1 }), false);
    expectState(
      stateOf(model),
      {
        weights: { a: 0, b: -0.08124973964842103 },
        intercept: -0.0012497396484210319,
        cum: { a: 0.0012497396484210319, b: 0.02 },
        maxCum: 0.02,
      },
      "step 2",
    );

    // 3. x = {a: 2}, y = True. z = 0 * 2 - 0.0012497... ,
    //    g = -1 / (exp(-0.0012497396484210319) + 1) = -0.5003124348714405 (Python).
    //    intercept = -0.0012497... + 0.05003124348714405 = 0.04878150383872302
    //    a = 0 - 0.1 * 2 * g = 0.1000624869742881
    //    max_cum = 0.03;  a > 0: a = 0.1000624869742881 - (0.03 + 0.0012497396484210319) = 0.06881274732586706
    //                     cum_a = 0.0012497... + (0.0688127... - 0.1000624...) = -0.03
    model.learnOne(x({ a: 2 }), true);
    expectState(
      stateOf(model),
      {
        weights: { a: 0.06881274732586706, b: -0.08124973964842103 },
        intercept: 0.04878150383872302,
        cum: { a: -0.03, b: 0.02 },
        maxCum: 0.03,
      },
      "step 3",
    );
  });

  it("with l1 = 0 nothing is clipped (the same steps give plain SGD weights)", () => {
    const model = asSupervised(build("LinearRegression(optimizer=SGD(0.1), intercept_lr=0.1)"));
    model.learnOne(x({ a: 1, b: 2 }), 1);
    const s = model.exportState() as any;
    // Step 1 above before the penalty: a = 0.2, b = 0.4; no L1 state is kept.
    assert.deepEqual(s.weights.map(num), [0.2, 0.4]);
    assert.equal(s.cum_l1, undefined);
  });
});
