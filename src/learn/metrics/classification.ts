import type { Schema } from "../base/component.js";
import { StateReader } from "../base/state.js";
import type { Json, Label } from "../base/types.js";
import { ConfusionMatrix } from "./confusion-matrix.js";
import { Metric, type MetricFormat, type Prediction } from "./metric.js";

/** A metric computed from a confusion matrix of predicted labels. */
export abstract class ConfusionMetric<P extends object = object> extends Metric<P> {
  readonly requiresLabels = true;
  readonly biggerIsBetter = true;
  protected readonly format: MetricFormat = "percent";
  protected readonly cm = new ConfusionMatrix();

  /** Every cell is a sum of the same weights as the total: a finite total means finite cells. */
  override stateIsFinite(): boolean {
    return Number.isFinite(this.cm.totalWeight);
  }

  protected abstract cellOf(yTrue: Label, yPred: Label): [Label, Label];

  update(yTrue: Label | number, yPred: Prediction, w = 1): void {
    const [t, p] = this.cellOf(yTrue as Label, yPred as Label);
    this.cm.update(t, p, w);
  }

  revert(yTrue: Label | number, yPred: Prediction, w = 1): void {
    const [t, p] = this.cellOf(yTrue as Label, yPred as Label);
    this.cm.revert(t, p, w);
  }

  exportState(): Json {
    return { cm: this.cm.exportState() };
  }

  importState(data: Json): void {
    this.cm.importState(new StateReader(data, this.kind).raw("cm"), `${this.kind}.cm`);
  }
}

/** A metric about one positive class (`pos_val`), on booleans "is positive". */
export abstract class BinaryConfusionMetric<
  P extends { pos_val: Label } = { pos_val: Label },
> extends ConfusionMetric<P> {
  readonly target = "binary" as const;
  protected cellOf(yTrue: Label, yPred: Label): [Label, Label] {
    const pos = this.params.pos_val;
    return [yTrue === pos, yPred === pos];
  }
  protected precision(): number {
    const tp = this.cm.truePositives(true);
    const d = tp + this.cm.falsePositives(true);
    return d !== 0 ? tp / d : 0;
  }
  protected recall(): number {
    const tp = this.cm.truePositives(true);
    const d = tp + this.cm.falseNegatives(true);
    return d !== 0 ? tp / d : 0;
  }
}

export const posValParam = {
  name: "pos_val",
  type: { type: "label" },
  default: () => true,
  doc: "The label treated as positive.",
} as const;

/** Share of correct predictions (any number of classes). */
export class Accuracy extends ConfusionMetric<Record<string, never>> {
  static readonly kind = "Accuracy";
  static readonly schema: Schema = [];
  readonly target = "classification" as const;
  constructor(params?: Record<string, never>) {
    super(Accuracy.kind, Accuracy.schema, params);
  }
  protected cellOf(yTrue: Label, yPred: Label): [Label, Label] {
    return [yTrue, yPred];
  }
  get(): number {
    return this.cm.totalWeight !== 0 ? this.cm.totalTruePositives() / this.cm.totalWeight : 0;
  }
}

export interface BinaryParams {
  pos_val: Label;
}

/** TP / (TP + FP). */
export class Precision extends BinaryConfusionMetric<BinaryParams> {
  static readonly kind = "Precision";
  static readonly schema: Schema = [posValParam];
  constructor(params?: Partial<BinaryParams>) {
    super(Precision.kind, Precision.schema, params);
  }
  get(): number {
    return this.precision();
  }
}

/** TP / (TP + FN). */
export class Recall extends BinaryConfusionMetric<BinaryParams> {
  static readonly kind = "Recall";
  static readonly schema: Schema = [posValParam];
  constructor(params?: Partial<BinaryParams>) {
    super(Recall.kind, Recall.schema, params);
  }
  get(): number {
    return this.recall();
  }
}

export interface FBetaParams {
  beta: number;
  pos_val: Label;
}

function fbeta(p: number, r: number, beta: number): number {
  const b2 = beta ** 2;
  const d = b2 * p + r;
  return d !== 0 ? ((1 + b2) * p * r) / d : 0;
}

/** Weighted harmonic mean of precision and recall. */
export class FBeta extends BinaryConfusionMetric<FBetaParams> {
  static readonly kind = "FBeta";
  static readonly schema: Schema = [
    {
      name: "beta",
      type: { type: "number", min: 0, exclusiveMin: true },
      default: () => 1,
      doc: "Weight of recall.",
    },
    posValParam,
  ];
  constructor(params?: Partial<FBetaParams>) {
    super(FBeta.kind, FBeta.schema, params);
  }
  get(): number {
    return fbeta(this.precision(), this.recall(), this.params.beta);
  }
}

/** Harmonic mean of precision and recall. */
export class F1 extends BinaryConfusionMetric<BinaryParams> {
  static readonly kind = "F1";
  static readonly schema: Schema = [posValParam];
  constructor(params?: Partial<BinaryParams>) {
    super(F1.kind, F1.schema, params);
  }
  get(): number {
    return fbeta(this.precision(), this.recall(), 1);
  }
}
