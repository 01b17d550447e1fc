import type { Schema } from "../base/component.js";
import type { Json, Label } from "../base/types.js";
import { clamp } from "../math/functions.js";
import { Mean } from "../stats/mean.js";
import { Metric, type MetricFormat, type Prediction, positiveProba } from "./metric.js";

/** Mean binary cross-entropy of the probability given to `true` (clamped to [1e-15, 1 - 1e-15]). */
export class LogLoss extends Metric<Record<string, never>> {
  static readonly kind = "LogLoss";
  static readonly schema: Schema = [];
  readonly target = "binary" as const;
  readonly requiresLabels = false;
  readonly biggerIsBetter = false;
  protected readonly format: MetricFormat = "repr";
  private readonly mean = new Mean();

  constructor(params?: Record<string, never>) {
    super(LogLoss.kind, LogLoss.schema, params);
  }

  private loss(yTrue: Label | number, yPred: Prediction): number {
    const p = clamp(positiveProba(yPred), 1e-15, 1 - 1e-15);
    return yTrue ? -Math.log(p) : -Math.log(1 - p);
  }

  update(yTrue: Label | number, yPred: Prediction, w = 1): void {
    this.mean.update(this.loss(yTrue, yPred), w);
  }

  revert(yTrue: Label | number, yPred: Prediction, w = 1): void {
    this.mean.revert(this.loss(yTrue, yPred), w);
  }

  get(): number {
    return this.mean.get();
  }

  exportState(): Json {
    return this.mean.exportState();
  }

  importState(data: Json): void {
    this.mean.importState(data, this.kind);
  }
}
