import { Component, type Schema } from "../base/component.js";
import type { Json } from "../base/types.js";
import { sigmoid } from "../math/functions.js";

/**
 * Loss functions (River's `optim.losses`), as functions of the true target and the raw model
 * output. Binary losses take the target as 0/1 (a boolean label maps to it) and map it to ±1
 * themselves, exactly as River does.
 */
export abstract class Loss<P extends object = object> extends Component<P> {
  static readonly family = "loss";
  readonly family = "loss" as const;
  /** Which targets the loss is for. */
  abstract readonly target: "binary" | "regression";
  /** The loss value. */
  abstract loss(yTrue: number, yPred: number): number;
  /** The derivative of the loss with respect to `yPred`. */
  abstract gradient(yTrue: number, yPred: number): number;
  /** Raw output to prediction: the sigmoid for binary losses, the identity for regression. */
  meanFunc(yPred: number): number {
    return this.target === "binary" ? sigmoid(yPred) : yPred;
  }
  exportState(): Json {
    return null;
  }
  importState(): void {}
}

const nonNegative = { type: "number", min: 0 } as const;

export interface LogParams {
  weight_pos: number;
  weight_neg: number;
}

/** Logistic loss on a logit, with a weight per class. */
export class Log extends Loss<LogParams> {
  static readonly kind = "Log";
  static readonly schema: Schema = [
    { name: "weight_pos", type: nonNegative, default: () => 1, doc: "Weight of positive examples." },
    { name: "weight_neg", type: nonNegative, default: () => 1, doc: "Weight of negative examples." },
  ];
  readonly target = "binary" as const;
  constructor(params?: Partial<LogParams>) {
    super(Log.kind, Log.schema, params);
  }
  loss(yTrue: number, yPred: number): number {
    const [y, weight] =
      yTrue === 0 ? [-1, this.params.weight_neg] : [Math.trunc(yTrue), this.params.weight_pos];
    const z = yPred * y;
    if (z > 18) return weight * Math.exp(-z);
    if (z < -18) return weight * -z;
    return weight * Math.log(1 + Math.exp(-z));
  }
  gradient(yTrue: number, yPred: number): number {
    const [y, weight] =
      yTrue === 0 ? [-1, this.params.weight_neg] : [Math.trunc(yTrue), this.params.weight_pos];
    const z = yPred * y;
    if (z > 18) return weight * Math.exp(-z) * -y;
    if (z < -18) return weight * -y;
    return (weight * -y) / (Math.exp(z) + 1);
  }
}

export interface HingeParams {
  threshold: number;
}

/** Hinge loss; threshold 1 is the SVM loss, 0 the perceptron's. */
export class Hinge extends Loss<HingeParams> {
  static readonly kind = "Hinge";
  static readonly schema: Schema = [
    { name: "threshold", type: { type: "number" }, default: () => 1, doc: "Margin threshold." },
  ];
  readonly target = "binary" as const;
  constructor(params?: Partial<HingeParams>) {
    super(Hinge.kind, Hinge.schema, params);
  }
  loss(yTrue: number, yPred: number): number {
    const y = yTrue * 2 - 1;
    return Math.max(this.params.threshold - y * yPred, 0);
  }
  gradient(yTrue: number, yPred: number): number {
    const y = yTrue * 2 - 1;
    return y * yPred <= this.params.threshold ? -y : 0;
  }
}

export interface BinaryFocalLossParams {
  gamma: number;
  beta: number;
}

/** Focal loss (Lin et al., 2017), the "star" variant. */
export class BinaryFocalLoss extends Loss<BinaryFocalLossParams> {
  static readonly kind = "BinaryFocalLoss";
  static readonly schema: Schema = [
    {
      name: "gamma",
      type: { type: "number", min: 0, exclusiveMin: true },
      default: () => 2,
      doc: "Focusing.",
    },
    { name: "beta", type: { type: "number" }, default: () => 1, doc: "Shift." },
  ];
  readonly target = "binary" as const;
  constructor(params?: Partial<BinaryFocalLossParams>) {
    super(BinaryFocalLoss.kind, BinaryFocalLoss.schema, params);
  }
  private pt(yTrue: number, yPred: number): { y: number; pt: number } {
    const y = yTrue * 2 - 1;
    return { y, pt: sigmoid(this.params.gamma * (y * yPred) + this.params.beta) };
  }
  loss(yTrue: number, yPred: number): number {
    return -Math.log(this.pt(yTrue, yPred).pt) / this.params.gamma;
  }
  gradient(yTrue: number, yPred: number): number {
    const { y, pt } = this.pt(yTrue, yPred);
    return y * (pt - 1);
  }
}

/** Squared loss; its gradient is `2 * (yPred - yTrue)` (no halving, as in River). */
export class Squared extends Loss<Record<string, never>> {
  static readonly kind = "Squared";
  static readonly schema: Schema = [];
  readonly target = "regression" as const;
  constructor(params?: Record<string, never>) {
    super(Squared.kind, Squared.schema, params);
  }
  loss(yTrue: number, yPred: number): number {
    return (yPred - yTrue) * (yPred - yTrue);
  }
  gradient(yTrue: number, yPred: number): number {
    return 2 * (yPred - yTrue);
  }
}

/** Absolute loss; its gradient is the sign of the error (-1 on ties). */
export class Absolute extends Loss<Record<string, never>> {
  static readonly kind = "Absolute";
  static readonly schema: Schema = [];
  readonly target = "regression" as const;
  constructor(params?: Record<string, never>) {
    super(Absolute.kind, Absolute.schema, params);
  }
  loss(yTrue: number, yPred: number): number {
    return Math.abs(yPred - yTrue);
  }
  gradient(yTrue: number, yPred: number): number {
    return yPred > yTrue ? 1 : -1;
  }
}

export interface CauchyParams {
  C: number;
}

/** Cauchy loss, robust to outliers. */
export class Cauchy extends Loss<CauchyParams> {
  static readonly kind = "Cauchy";
  static readonly schema: Schema = [
    { name: "C", type: { type: "number", min: 0, exclusiveMin: true }, default: () => 80, doc: "Scale." },
  ];
  readonly target = "regression" as const;
  constructor(params?: Partial<CauchyParams>) {
    super(Cauchy.kind, Cauchy.schema, params);
  }
  loss(yTrue: number, yPred: number): number {
    return Math.abs(yPred - yTrue);
  }
  gradient(yTrue: number, yPred: number): number {
    const diff = yPred - yTrue;
    return diff / ((diff / this.params.C) ** 2 + 1);
  }
}

export interface HuberParams {
  epsilon: number;
}

/** Huber loss: squared near zero, absolute beyond `epsilon`. */
export class Huber extends Loss<HuberParams> {
  static readonly kind = "Huber";
  static readonly schema: Schema = [
    { name: "epsilon", type: { type: "number", min: 0 }, default: () => 0.1, doc: "Switch point." },
  ];
  readonly target = "regression" as const;
  constructor(params?: Partial<HuberParams>) {
    super(Huber.kind, Huber.schema, params);
  }
  loss(yTrue: number, yPred: number): number {
    const r = yPred - yTrue;
    const e = this.params.epsilon;
    return Math.abs(r) <= e ? 0.5 * r * r : e * Math.abs(r) - 0.5 * e * e;
  }
  gradient(yTrue: number, yPred: number): number {
    const r = yPred - yTrue;
    const e = this.params.epsilon;
    if (Math.abs(r) <= e) return r;
    return r > 0 ? e : -e;
  }
}

export interface QuantileParams {
  alpha: number;
}

/** Quantile (pinball) loss for the `alpha` quantile. */
export class Quantile extends Loss<QuantileParams> {
  static readonly kind = "Quantile";
  static readonly schema: Schema = [
    { name: "alpha", type: { type: "number", min: 0, max: 1 }, default: () => 0.5, doc: "Target quantile." },
  ];
  readonly target = "regression" as const;
  constructor(params?: Partial<QuantileParams>) {
    super(Quantile.kind, Quantile.schema, params);
  }
  loss(yTrue: number, yPred: number): number {
    const diff = yPred - yTrue;
    return (this.params.alpha - (diff < 0 ? 1 : 0)) * diff;
  }
  gradient(yTrue: number, yPred: number): number {
    return (yTrue < yPred ? 1 : 0) - this.params.alpha;
  }
}

/** Poisson loss for counts; predictions are `exp` of the raw output. */
export class Poisson extends Loss<Record<string, never>> {
  static readonly kind = "Poisson";
  static readonly schema: Schema = [];
  readonly target = "regression" as const;
  constructor(params?: Record<string, never>) {
    super(Poisson.kind, Poisson.schema, params);
  }
  loss(yTrue: number, yPred: number): number {
    return Math.exp(yPred) - yTrue * yPred;
  }
  gradient(yTrue: number, yPred: number): number {
    return Math.exp(yPred) - yTrue;
  }
  override meanFunc(yPred: number): number {
    return Math.exp(yPred);
  }
}

export interface EpsilonInsensitiveHingeParams {
  eps: number;
}

/**
 * Epsilon-insensitive hinge (PARegressor's loss). Like River it maps the target to `2y - 1`,
 * a River quirk for regression targets that we keep for identical numbers.
 */
export class EpsilonInsensitiveHinge extends Loss<EpsilonInsensitiveHingeParams> {
  static readonly kind = "EpsilonInsensitiveHinge";
  static readonly schema: Schema = [
    { name: "eps", type: { type: "number", min: 0 }, default: () => 0.1, doc: "Insensitive zone." },
  ];
  readonly target = "regression" as const;
  constructor(params?: Partial<EpsilonInsensitiveHingeParams>) {
    super(EpsilonInsensitiveHinge.kind, EpsilonInsensitiveHinge.schema, params);
  }
  loss(yTrue: number, yPred: number): number {
    const y = yTrue * 2 - 1;
    return Math.max(Math.abs(yPred - y) - this.params.eps, 0);
  }
  gradient(yTrue: number, yPred: number): number {
    const y = yTrue * 2 - 1;
    if (yPred > y + this.params.eps) return 1;
    if (yPred + this.params.eps < y) return -1;
    return 0;
  }
}
