import type { Schema } from "../base/component.js";
import type { Label } from "../base/types.js";
import { clamp } from "../math/functions.js";
import { MeanMetric } from "./mean-metric.js";
import { type MetricFormat, type Prediction, positiveProba } from "./metric.js";

/** Mean binary cross-entropy of the probability given to `true` (clamped to [1e-15, 1 - 1e-15]). */
export class LogLoss extends MeanMetric {
  static readonly kind = "LogLoss";
  static readonly schema: Schema = [];
  readonly target = "binary" as const;
  readonly requiresLabels = false;
  readonly biggerIsBetter = false;
  protected readonly format: MetricFormat = "repr";

  constructor(params?: Record<string, never>) {
    super(LogLoss.kind, LogLoss.schema, params);
  }

  protected loss(yTrue: Label | number, yPred: Prediction): number {
    const p = clamp(positiveProba(yPred), 1e-15, 1 - 1e-15);
    return yTrue ? -Math.log(p) : -Math.log(1 - p);
  }
}
