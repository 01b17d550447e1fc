import type { ParamDef } from "../base/component.js";
import { ParamError } from "../base/errors.js";
import { ensureCapacity, FeatureIndex, withCapacity } from "../base/feature-index.js";
import { encodeNumber, encodeNumbers, StateReader } from "../base/state.js";
import type { Features, Json } from "../base/types.js";
import { clamp } from "../math/functions.js";
import { type Initializer, Zeros } from "../optim/initializers.js";
import type { Loss } from "../optim/losses.js";
import type { Optimizer } from "../optim/optimizer.js";
import { type Rate, rateAt } from "../optim/schedulers.js";
import { SGD } from "../optim/sgd.js";

export interface GLMParams {
  optimizer: Optimizer;
  loss: Loss;
  l2: number;
  l1: number;
  intercept_init: number;
  intercept_lr: Rate;
  clip_gradient: number;
  initializer: Initializer;
}

/** The constructor params shared by linear and logistic regression (River's GLM), with their defaults. */
export function glmSchema(defaultLoss: () => Loss): ParamDef[] {
  return [
    {
      name: "optimizer",
      type: { type: "component", families: ["optimizer"] },
      default: () => new SGD({ lr: 0.01 }),
      doc: "Updates the weights (the intercept has its own rate).",
    },
    {
      name: "loss",
      type: { type: "component", families: ["loss"] },
      default: defaultLoss,
      doc: "Loss to minimize.",
    },
    { name: "l2", type: { type: "number", min: 0 }, default: () => 0, doc: "L2 penalty on the weights." },
    {
      name: "l1",
      type: { type: "number", min: 0 },
      default: () => 0,
      doc: "L1 penalty (cumulative, Tsuruoka et al.).",
    },
    { name: "intercept_init", type: { type: "number" }, default: () => 0, doc: "Initial intercept." },
    {
      name: "intercept_lr",
      type: { type: "component", families: ["scheduler"], number: { min: 0 } },
      default: () => 0.01,
      doc: "Learning rate of the intercept; 0 keeps it fixed.",
    },
    {
      name: "clip_gradient",
      type: { type: "number", min: 0, exclusiveMin: true },
      default: () => 1e12,
      doc: "Clips the loss gradient to ±this value.",
    },
    {
      name: "initializer",
      type: { type: "component", families: ["initializer"] },
      default: () => new Zeros(),
      doc: "Starting value of a new feature's weight.",
    },
  ];
}

/**
 * Generalized linear model core, River's `linear_model.base.GLM`: weights in first-seen order,
 * the dot product in River's summation order, the intercept updated before the weights, and
 * the optional cumulative L1 penalty.
 */
export class GLMCore {
  private index = new FeatureIndex();
  private weights = new Float64Array(8);
  intercept: number;
  private maxCumL1 = 0;
  private cumL1 = new Float64Array(8);
  // Scratch buffers for one learning step (slots in summation order, their x and gradient).
  private slots = new Int32Array(16);
  private xs = new Float64Array(16);
  private grads = new Float64Array(16);

  constructor(
    private readonly owner: string,
    readonly params: Readonly<GLMParams>,
  ) {
    if (params.l1 !== 0 && params.l2 !== 0) {
      throw new ParamError(`${owner}: l1 and l2 cannot both be non-zero`);
    }
    this.intercept = params.intercept_init;
  }

  /** `weights · x + intercept` without changing anything (River's predict-mode dot). */
  rawDot(x: Features): number {
    const n = this.index.size;
    let r = 0;
    if (x.size < n) {
      for (const [name, xi] of x) {
        const s = this.index.slotOf(name);
        r += xi * (s < 0 ? 0 : this.weights[s]!);
      }
    } else {
      const names = this.index.names;
      for (let s = 0; s < n; s++) r += this.weights[s]! * (x.get(names[s]!) ?? 0);
    }
    return r + this.intercept;
  }

  /** One learning step on `(x, y)`; `y` is the numeric target the loss expects. */
  learn(x: Features, y: number, w: number): void {
    const p = this.params;
    const count = this.prepare(x);
    const slots = this.slots;
    const xs = this.xs;
    const weights = this.weights;
    // Learn-mode dot: features already weighted (in weight order), then new ones (in x order).
    let r = 0;
    for (let i = 0; i < count; i++) r += weights[slots[i]!]! * xs[i]!;
    const z = r + this.intercept;
    let g = p.loss.gradient(y, z) * w;
    g = clamp(g, -p.clip_gradient, p.clip_gradient);
    const grads = this.grads;
    if (p.l2) {
      for (let i = 0; i < count; i++) grads[i] = xs[i]! * g + weights[slots[i]!]! * p.l2;
    } else {
      for (let i = 0; i < count; i++) grads[i] = xs[i]! * g;
    }
    this.intercept -= rateAt(p.intercept_lr, p.optimizer.nIterations) * g;
    p.optimizer.step(weights, slots, grads, count, this.index.size);
    if (p.l1 !== 0) this.applyL1(count);
  }

  /**
   * Maps x to weight slots in River's learn-mode order and inserts new features with their
   * initial weight. Fills `slots`/`xs`; returns how many.
   */
  private prepare(x: Features): number {
    const count = x.size;
    if (this.slots.length < count) {
      this.slots = new Int32Array(count * 2);
      this.xs = new Float64Array(count * 2);
      this.grads = new Float64Array(count * 2);
    }
    const slots = this.slots;
    const xs = this.xs;
    let i = 0;
    let sorted = true;
    let prev = -1;
    for (const [name, xi] of x) {
      let s = this.index.slotOf(name);
      if (s < 0) {
        s = this.index.add(name);
        this.weights = ensureCapacity(this.weights, s + 1);
        this.weights[s] = this.params.initializer.value();
        if (this.params.l1 !== 0) this.cumL1 = ensureCapacity(this.cumL1, s + 1);
      }
      slots[i] = s;
      xs[i] = xi;
      if (s < prev) sorted = false;
      prev = s;
      i++;
    }
    // New slots are numbered after every existing one in x order, so ascending slot order is
    // exactly River's key order: existing weights in weight order, then new keys in x order.
    if (!sorted) sortPairs(slots, xs, count);
    return count;
  }

  private applyL1(count: number): void {
    const p = this.params;
    this.maxCumL1 = this.maxCumL1 + p.l1 * p.optimizer.learningRate;
    const w = this.weights;
    const cum = this.cumL1;
    for (let i = 0; i < count; i++) {
      const s = this.slots[i]!;
      const before = w[s]!;
      if (before > 0) w[s] = Math.max(0, before - (this.maxCumL1 + cum[s]!));
      else if (before < 0) w[s] = Math.min(0, before + (this.maxCumL1 - cum[s]!));
      cum[s] = cum[s]! + (w[s]! - before);
    }
  }

  /** Weights by feature name, in first-seen order. */
  weightEntries(): [string, number][] {
    return this.index.names.map((name, s) => [name, this.weights[s]!]);
  }

  exportState(): Json {
    const n = this.index.size;
    const state: { [k: string]: Json } = {
      names: this.index.names.slice(),
      weights: encodeNumbers(this.weights, n),
      intercept: encodeNumber(this.intercept),
      optimizer: this.params.optimizer.exportState(),
    };
    if (this.params.l1 !== 0) {
      state.max_cum_l1 = encodeNumber(this.maxCumL1);
      state.cum_l1 = encodeNumbers(this.cumL1, n);
    }
    return state;
  }

  importState(data: Json): void {
    const r = new StateReader(data, this.owner);
    const names = r.names("names");
    const weights = r.numbers("weights", names.length);
    const intercept = r.number("intercept");
    const l1 = this.params.l1 !== 0;
    const maxCumL1 = l1 ? r.number("max_cum_l1") : 0;
    const cumL1 = l1 ? r.numbers("cum_l1", names.length) : new Float64Array(0);
    // Everything else is validated by now; the optimizer validates its part before changing.
    this.params.optimizer.importState(r.raw("optimizer"));
    this.index = FeatureIndex.from(names);
    this.weights = withCapacity(weights, names.length);
    this.intercept = intercept;
    this.maxCumL1 = maxCumL1;
    this.cumL1 = withCapacity(cumL1, names.length);
  }
}

/** Sorts parallel arrays by slot (only needed when x arrives in a new key order). */
function sortPairs(slots: Int32Array, xs: Float64Array, n: number): void {
  if (n > 32) {
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => slots[a]! - slots[b]!);
    const s2 = order.map((i) => slots[i]!);
    const x2 = order.map((i) => xs[i]!);
    slots.set(s2);
    xs.set(x2);
    return;
  }
  for (let i = 1; i < n; i++) {
    const s = slots[i]!;
    const v = xs[i]!;
    let j = i - 1;
    while (j >= 0 && slots[j]! > s) {
      slots[j + 1] = slots[j]!;
      xs[j + 1] = xs[j]!;
      j--;
    }
    slots[j + 1] = s;
    xs[j + 1] = v;
  }
}
