import { Component, type Schema } from "../base/component.js";
import type { Json } from "../base/types.js";
import type { Loss } from "./losses.js";

/** A learning-rate schedule: the rate to use at iteration `t` (0-based). Stateless. */
export abstract class Scheduler<P extends object = object> extends Component<P> {
  static readonly family = "scheduler";
  readonly family = "scheduler" as const;
  abstract get(t: number): number;
  exportState(): Json {
    return null;
  }
  importState(): void {}
}

/** A number is shorthand for a constant rate. */
export type Rate = number | Scheduler;

/** The rate at iteration `t` of a number-or-scheduler param. */
export function rateAt(rate: Rate, t: number): number {
  return typeof rate === "number" ? rate : rate.get(t);
}

const positive = { type: "number", min: 0, exclusiveMin: true } as const;

export interface ConstantParams {
  learning_rate: number;
}

/** The same rate at every iteration. */
export class Constant extends Scheduler<ConstantParams> {
  static readonly kind = "Constant";
  static readonly schema: Schema = [
    { name: "learning_rate", type: { type: "number", min: 0 }, default: () => 0.01, doc: "The rate." },
  ];
  constructor(params?: Partial<ConstantParams>) {
    super(Constant.kind, Constant.schema, params);
  }
  get(): number {
    return this.params.learning_rate;
  }
}

export interface InverseScalingParams {
  learning_rate: number;
  power: number;
}

/** `learning_rate / (t + 1) ** power`. */
export class InverseScaling extends Scheduler<InverseScalingParams> {
  static readonly kind = "InverseScaling";
  static readonly schema: Schema = [
    { name: "learning_rate", type: positive, default: () => 0.01, doc: "Initial rate." },
    { name: "power", type: { type: "number", min: 0 }, default: () => 0.5, doc: "Decay exponent." },
  ];
  constructor(params?: Partial<InverseScalingParams>) {
    super(InverseScaling.kind, InverseScaling.schema, params);
  }
  get(t: number): number {
    return this.params.learning_rate / (t + 1) ** this.params.power;
  }
}

export interface OptimalParams {
  loss: Loss;
  alpha: number;
}

/** Léon Bottou's "optimal" schedule (as in scikit-learn's SGD): `1 / (alpha * (t0 + t))`. */
export class Optimal extends Scheduler<OptimalParams> {
  static readonly kind = "Optimal";
  static readonly schema: Schema = [
    {
      name: "loss",
      type: { type: "component", families: ["loss"] },
      default: () => undefined,
      doc: "The loss.",
    },
    { name: "alpha", type: positive, default: () => 1e-4, doc: "Regularization strength." },
  ];
  private readonly t0: number;
  constructor(params?: Partial<OptimalParams>) {
    super(Optimal.kind, Optimal.schema, params);
    const { loss, alpha } = this.params;
    const typw = Math.sqrt(1 / Math.sqrt(alpha));
    const eta0 = typw / Math.max(1, loss.gradient(1, -typw));
    this.t0 = 1 / (eta0 * alpha);
  }
  get(t: number): number {
    return 1 / (this.params.alpha * (this.t0 + t));
  }
}
