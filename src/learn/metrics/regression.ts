import type { Schema } from "../base/component.js";
import { encodeNumber, StateReader } from "../base/state.js";
import type { Json, Label } from "../base/types.js";
import { Var } from "../stats/var.js";
import { MeanMetric } from "./mean-metric.js";
import { Metric, type MetricFormat, type Prediction } from "./metric.js";

/** A regression metric; River prints them with `,.6f`. */
abstract class RegressionMetric<P extends object = object> extends Metric<P> {
  readonly target = "regression" as const;
  readonly requiresLabels = true;
  readonly biggerIsBetter: boolean = false;
  protected readonly format: MetricFormat = "fixed";
}

/** A running mean of a per-example error. */
abstract class MeanErrorMetric extends MeanMetric {
  readonly target = "regression" as const;
  readonly requiresLabels = true;
  readonly biggerIsBetter = false;
  protected readonly format: MetricFormat = "fixed";
  protected abstract error(yTrue: number, yPred: number): number;

  protected loss(yTrue: Label | number, yPred: Prediction): number {
    return this.error(yTrue as number, yPred as number);
  }
}

/** Mean absolute error. */
export class MAE extends MeanErrorMetric {
  static readonly kind = "MAE";
  static readonly schema: Schema = [];
  constructor(params?: Record<string, never>) {
    super(MAE.kind, MAE.schema, params);
  }
  protected error(yTrue: number, yPred: number): number {
    return Math.abs(yTrue - yPred);
  }
}

/** Mean squared error. */
export class MSE extends MeanErrorMetric {
  static readonly kind = "MSE";
  static readonly schema: Schema = [];
  constructor(params?: Record<string, never>) {
    super(MSE.kind, MSE.schema, params);
  }
  protected error(yTrue: number, yPred: number): number {
    return (yTrue - yPred) ** 2;
  }
}

/** Root mean squared error. */
export class RMSE extends MeanErrorMetric {
  static readonly kind = "RMSE";
  static readonly schema: Schema = [];
  constructor(params?: Record<string, never>) {
    super(RMSE.kind, RMSE.schema, params);
  }
  protected error(yTrue: number, yPred: number): number {
    return (yTrue - yPred) ** 2;
  }
  override get(): number {
    return Math.sqrt(this.mean.get());
  }
}

/** Coefficient of determination: 1 - RSS / TSS, with the sample variance of the targets. */
export class R2 extends RegressionMetric<Record<string, never>> {
  static readonly kind = "R2";
  static readonly schema: Schema = [];
  override readonly biggerIsBetter = true;
  private readonly yVar = new Var(1);
  private rss = 0;

  constructor(params?: Record<string, never>) {
    super(R2.kind, R2.schema, params);
  }

  update(yTrue: Label | number, yPred: Prediction, w = 1): void {
    const y = yTrue as number;
    const d = y - (yPred as number);
    this.yVar.update(y, w);
    this.rss += d * d * w;
  }

  revert(yTrue: Label | number, yPred: Prediction, w = 1): void {
    const y = yTrue as number;
    const d = y - (yPred as number);
    this.yVar.revert(y, w);
    this.rss -= d * d * w;
  }

  get(): number {
    const n = this.yVar.mean.n;
    if (n <= 1) return 0;
    const tss = (n - 1) * this.yVar.get();
    return tss !== 0 ? 1 - this.rss / tss : 0;
  }

  exportState(): Json {
    return { var: this.yVar.exportState(), rss: encodeNumber(this.rss) };
  }

  importState(data: Json): void {
    const r = new StateReader(data, this.kind);
    const rss = r.number("rss");
    this.yVar.importState(r.raw("var"), `${this.kind}.var`);
    this.rss = rss;
  }
}
