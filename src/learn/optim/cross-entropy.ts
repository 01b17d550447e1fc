import { Component, type Schema } from "../base/component.js";
import { ParamError } from "../base/errors.js";
import type { Json, Label, Proba } from "../base/types.js";
import { clamp } from "../math/functions.js";

/**
 * River's `utils.math.softmax` on raw scores: subtract the maximum (Python's `max`, so the first
 * of equal maxima and NaN only when it comes first), exponentiate, sum in class order, divide.
 * An empty input gives an empty output.
 */
export function softmax(scores: ReadonlyMap<Label, number>): Proba {
  const out: Proba = new Map();
  if (scores.size === 0) return out;
  let max = Number.NaN;
  let first = true;
  for (const v of scores.values()) {
    if (first || v > max) max = v;
    first = false;
  }
  let total = 0;
  for (const [label, v] of scores) {
    const e = Math.exp(v - max);
    out.set(label, e);
    total += e;
  }
  for (const [label, e] of out) out.set(label, e / total);
  return out;
}

/**
 * A loss on class probabilities (River's `optim.losses.MultiClassLoss`). It is a separate base
 * from `Loss` because its target is a label and its prediction a probability per class; its
 * `target` is "multiclass", so binary and regression models reject it.
 */
export abstract class MultiClassLoss<P extends object = object> extends Component<P> {
  static readonly family = "loss";
  readonly family = "loss" as const;
  readonly target = "multiclass" as const;
  /** The loss of predicting `yPred` when the class is `yTrue`. */
  abstract loss(yTrue: Label, yPred: Proba): number;
  /** The gradient with respect to each class's probability (raw score, after softmax). */
  abstract gradient(yTrue: Label, yPred: Proba): Map<Label, number>;
  /** Raw scores to probabilities. */
  meanFunc(scores: ReadonlyMap<Label, number>): Proba {
    return softmax(scores);
  }
  exportState(): Json {
    return null;
  }
  importState(): void {}
}

/** River's `clamp_proba`: keeps a probability inside [1e-15, 1 - 1e-15]. */
function clampProba(p: number): number {
  return clamp(p, 1e-15, 1 - 1e-15);
}

/** Guards against being handed a scalar by a component that expects a binary/regression loss. */
function checkProba(owner: string, yPred: unknown): asserts yPred is Proba {
  if (!(yPred instanceof Map)) {
    throw new ParamError(`${owner} is a multiclass loss: it works on class probabilities, not on a number`);
  }
}

/**
 * Multiclass cross-entropy (River's `optim.losses.CrossEntropy` with no class weights). Named
 * `CrossEntropyLoss` in specs because `CrossEntropy` is the metric.
 *
 * River's `class_weight` dict is not offered: the spec language has no mapping type, and
 * every class weight is therefore 1 (River's default).
 */
export class CrossEntropyLoss extends MultiClassLoss<Record<string, never>> {
  static readonly kind = "CrossEntropyLoss";
  static readonly schema: Schema = [];
  constructor(params?: Record<string, never>) {
    super(CrossEntropyLoss.kind, CrossEntropyLoss.schema, params);
  }

  /** `-log(clamp(p[yTrue]))`, or 0 when `yTrue` has no probability (River sums over the classes present). */
  loss(yTrue: Label, yPred: Proba): number {
    checkProba(this.kind, yPred);
    const p = yPred.get(yTrue);
    return p === undefined ? 0 : -Math.log(clampProba(p));
  }

  /**
   * `clamp(p[c]) - [c == yTrue]` for every class of `yPred` and for `yTrue` (a class never seen
   * gets probability 0). River iterates a Python set here; the order does not change any
   * number because each class's weights are updated independently.
   */
  gradient(yTrue: Label, yPred: Proba): Map<Label, number> {
    checkProba(this.kind, yPred);
    const out = new Map<Label, number>();
    for (const [label, p] of yPred) out.set(label, clampProba(p) - (label === yTrue ? 1 : 0));
    if (!out.has(yTrue)) out.set(yTrue, clampProba(0) - 1);
    return out;
  }
}
