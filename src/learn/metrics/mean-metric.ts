import type { Json, Label } from "../base/types.js";
import { Mean } from "../stats/mean.js";
import { Metric, type Prediction } from "./metric.js";

/**
 * A metric that is the running (weighted) mean of a per-example loss (River's `MeanMetric`):
 * LogLoss, CrossEntropy, MAE, MSE, RMSE.
 */
export abstract class MeanMetric<P extends object = Record<string, never>> extends Metric<P> {
  protected readonly mean = new Mean();

  /** The loss of one example. */
  protected abstract loss(yTrue: Label | number, yPred: Prediction): number;

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
