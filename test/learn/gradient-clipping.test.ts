/**
 * `clip_gradient` of River's GLM: the loss gradient (times the sample weight) is clamped to
 * ±clip_gradient before it updates the intercept and the weights. The default (1e12) never
 * bites on the reference streams, so these steps are worked out by hand.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { asSupervised, build, type Features } from "../../src/learn/index.js";
import { close, num } from "../helpers/river.js";

const x = (o: Record<string, number>): Features => new Map(Object.entries(o));
const weightsOf = (model: { exportState(): unknown }) => {
  const s = model.exportState() as any;
  return {
    weights: Object.fromEntries(s.names.map((n: string, i: number) => [n, num(s.weights[i])])),
    intercept: num(s.intercept),
  };
};

describe("clip_gradient", () => {
  it("LinearRegression: a gradient of -20 is clipped to -0.5", () => {
    const model = asSupervised(
      build("LinearRegression(optimizer=SGD(0.1), intercept_lr=0.1, clip_gradient=0.5)"),
    );
    // x = {a: 2}, y = 10: z = 0, g = 2 * (0 - 10) = -20 -> clamp(-20, -0.5, 0.5) = -0.5
    // intercept = 0 - 0.1 * -0.5 = 0.05;  a = 0 - 0.1 * (2 * -0.5) = 0.1
    // (unclipped: intercept 2, a 4)
    model.learnOne(x({ a: 2 }), 10);
    const s = weightsOf(model);
    close(s.weights.a, 0.1, "a", 1e-15);
    close(s.intercept, 0.05, "intercept", 1e-15);
    // z = 0.1 * 2 + 0.05 = 0.25; y = 0.4: g = 2 * (0.25 - 0.4) = -0.3, inside the clip
    // intercept = 0.05 + 0.03 = 0.08;  a = 0.1 + 0.1 * 2 * 0.3 = 0.16
    model.learnOne(x({ a: 2 }), 0.4);
    const t = weightsOf(model);
    close(t.weights.a, 0.16, "a after an unclipped step", 1e-15);
    close(t.intercept, 0.08, "intercept after an unclipped step", 1e-15);
  });

  it("LogisticRegression: -0.5 is clipped to -0.1, on both sides", () => {
    const model = asSupervised(
      build("LogisticRegression(optimizer=SGD(1), intercept_lr=1, clip_gradient=0.1)"),
    );
    // x = {a: 1}, y = True: z = 0, g = -1 / (exp(0) + 1) = -0.5 -> -0.1
    // intercept = 0.1;  a = 0 - 1 * (1 * -0.1) = 0.1
    model.learnOne(x({ a: 1 }), true);
    let s = weightsOf(model);
    close(s.weights.a, 0.1, "a", 1e-15);
    close(s.intercept, 0.1, "intercept", 1e-15);
    // x = {a: 1}, y = False: z = 0.2, g = 1 / (exp(-0.2) + 1) = 0.5498... -> 0.1
    // intercept = 0.1 - 0.1 = 0;  a = 0.1 - 0.1 = 0
    model.learnOne(x({ a: 1 }), false);
    s = weightsOf(model);
    assert.equal(s.weights.a, 0);
    assert.equal(s.intercept, 0);
  });
});
