import type { Schema } from "../base/component.js";
import type { Label } from "../base/types.js";
import { clamp } from "../math/functions.js";
import { MeanMetric } from "./mean-metric.js";
import type { MetricFormat, Prediction } from "./metric.js";

/**
 * Multiclass log loss (River's `metrics.CrossEntropy`): the running mean of
 * `-log(clamp(p_true, 1e-15, 1 - 1e-15))`, where `p_true` is the probability given to the
 * true class.
 *
 * River quirk, reproduced: the loss only sums over the classes present in the prediction, so
 * a prediction that does not mention the true class at all (a class the model has never
 * seen) costs 0, not -log(1e-15). The conformance files depend on it (row 1 of h3 and n1a).
 *
 * Brook extension: River only accepts a probability map. A bare number is read as P(true)
 * when the truth is a boolean, and a bare label as certainty for that label.
 */
export class CrossEntropy extends MeanMetric {
  static readonly kind = "CrossEntropy";
  static readonly schema: Schema = [];
  readonly target = "classification" as const;
  readonly requiresLabels = false;
  readonly biggerIsBetter = false;
  protected readonly format: MetricFormat = "repr";

  constructor(params?: Record<string, never>) {
    super(CrossEntropy.kind, CrossEntropy.schema, params);
  }

  protected loss(yTrue: Label | number, yPred: Prediction): number {
    if (yPred instanceof Map) {
      let total = 0;
      for (const [label, p] of yPred) if (label === yTrue) total += Math.log(clamp(p, 1e-15, 1 - 1e-15));
      return 0 - total;
    }
    if (typeof yPred === "number" && typeof yTrue === "boolean") {
      // As LogLoss does for a binary probability.
      const p = clamp(yPred, 1e-15, 1 - 1e-15);
      return yTrue ? -Math.log(p) : -Math.log(1 - p);
    }
    return yPred === yTrue ? -Math.log(1 - 1e-15) : 0;
  }
}
