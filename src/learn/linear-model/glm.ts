import { finitePrefix, type ParamDef } from "../base/component.js";
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
import { ScatteredX } from "./scattered-x.js";

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
  // Scratch buffers: one learning step (slots in summation order, their x and gradient), and
  private slots = new Int32Array(16);
  private xs = new Float64Array(16);
  private grads = new Float64Array(16);
  // x scattered by slot for the predict-mode dot.
  private readonly scattered = new ScatteredX();

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
    const view = this.index.view(x);
    const { slots, values, count } = view;
    const n = this.index.size;
    const w = this.weights;
    let r = 0;
    if (count < n) {
      // River iterates the smaller dict: x, in x's order.
      for (let i = 0; i < count; i++) r += values[i]! * (slots[i]! < 0 ? 0 : w[slots[i]!]!);
    } else {
      // Otherwise the weights, in weight order; a weight whose feature is missing meets a 0.
      const gen = this.scattered.load(view, n);
      const { dense, stamps } = this.scattered;
      for (let s = 0; s < n; s++) r += w[s]! * (stamps[s] === gen ? dense[s]! : 0);
    }
    return r + this.intercept;
  }

  /** One learning step on `(x, y)`; `y` is the numeric target the loss expects. */
  learn(x: Features, y: number, w: number): void {
    const p = this.params;
    const view = this.index.view(x, true, this.insert);
    const count = view.count;
    // River's learn-mode key order is ascending slot order: weights already known in weight
    // order, then new features in x order (they got the next slots, in x order).
    let slots = view.slots;
    let xs = view.values;
    if (view.ascending !== null) {
      if (this.slots.length < count) {
        this.slots = new Int32Array(count * 2);
        this.xs = new Float64Array(count * 2);
      }
      for (let i = 0; i < count; i++) {
        const j = view.ascending[i]!;
        this.slots[i] = slots[j]!;
        this.xs[i] = xs[j]!;
      }
      slots = this.slots;
      xs = this.xs;
    }
    if (this.grads.length < count) this.grads = new Float64Array(count * 2);
    const weights = this.weights;
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
    if (p.l1 !== 0) this.applyL1(slots, count);
  }

  /** A new feature's weight starts at the initializer's value (River inserts it during the dot). */
  private readonly insert = (slot: number): void => {
    this.weights = ensureCapacity(this.weights, slot + 1);
    this.weights[slot] = this.params.initializer.value();
    if (this.params.l1 !== 0) this.cumL1 = ensureCapacity(this.cumL1, slot + 1);
  };

  private applyL1(slots: Int32Array, count: number): void {
    const p = this.params;
    this.maxCumL1 = this.maxCumL1 + p.l1 * p.optimizer.learningRate;
    const w = this.weights;
    const cum = this.cumL1;
    for (let i = 0; i < count; i++) {
      const s = slots[i]!;
      const before = w[s]!;
      if (before > 0) w[s] = Math.max(0, before - (this.maxCumL1 + cum[s]!));
      else if (before < 0) w[s] = Math.min(0, before + (this.maxCumL1 - cum[s]!));
      cum[s] = cum[s]! + (w[s]! - before);
    }
  }

  /** Whether the weights, the intercept, the L1 sums and the optimizer's state are finite. */
  finite(): boolean {
    const n = this.index.size;
    if (!Number.isFinite(this.intercept) || !finitePrefix(this.weights, n)) return false;
    if (this.params.l1 !== 0 && (!Number.isFinite(this.maxCumL1) || !finitePrefix(this.cumL1, n)))
      return false;
    return this.params.optimizer.stateIsFinite();
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
