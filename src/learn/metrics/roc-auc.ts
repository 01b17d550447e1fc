import type { Schema } from "../base/component.js";
import { encodeNumbers, StateReader } from "../base/state.js";
import type { Json, Label } from "../base/types.js";
import { pairwiseSum } from "../math/functions.js";
import { posValParam } from "./classification.js";
import { Metric, type MetricFormat, type Prediction, positiveProba } from "./metric.js";

export interface ROCAUCParams {
  n_thresholds: number;
  pos_val: Label;
}

// Per threshold, River keeps a boolean confusion matrix; these are its cells and sums.
const TT = 0; // truth positive, predicted positive
const TF = 1;
const FT = 2;
const FF = 3;
const ROW_T = 4;
const ROW_F = 5;
const COL_T = 6;
const COL_F = 7;
const WIDTH = 8;

/**
 * River's approximate ROC AUC: a confusion matrix per probability threshold
 * (`n_thresholds` evenly spaced, the ends nudged by 1e-7), and the trapezoid rule over the
 * resulting (FPR, TPR) points summed in numpy's pairwise order. Coarse with the default 10
 * thresholds, but exactly what River prints; see `ExactROCAUC` for the exact value.
 */
export class ROCAUC extends Metric<ROCAUCParams> {
  static readonly kind = "ROCAUC";
  static readonly schema: Schema = [
    {
      name: "n_thresholds",
      type: { type: "number", integer: true, min: 2, max: 100000 },
      default: () => 10,
      doc: "Number of thresholds discretizing the ROC curve.",
    },
    posValParam,
  ];
  readonly target = "binary" as const;
  readonly requiresLabels = false;
  readonly biggerIsBetter = true;
  protected readonly format: MetricFormat = "percent";
  private readonly thresholds: Float64Array;
  private counts: Float64Array;
  // get() is asked after every learned example (the live metric): cache it between updates.
  private cached: number | undefined;
  private readonly tprs: Float64Array;
  private readonly fprs: Float64Array;
  private readonly terms: Float64Array;

  constructor(params?: Partial<ROCAUCParams>) {
    super(ROCAUC.kind, ROCAUC.schema, params);
    const n = this.params.n_thresholds;
    this.thresholds = new Float64Array(n);
    for (let i = 0; i < n; i++) this.thresholds[i] = i / (n - 1);
    this.thresholds[0]! -= 1e-7;
    this.thresholds[n - 1]! += 1e-7;
    this.counts = new Float64Array(n * WIDTH);
    this.tprs = new Float64Array(n);
    this.fprs = new Float64Array(n);
    this.terms = new Float64Array(n - 1);
  }

  update(yTrue: Label | number, yPred: Prediction, w = 1): void {
    this.add(yTrue === this.params.pos_val, this.probability(yPred), w);
  }

  revert(yTrue: Label | number, yPred: Prediction, w = 1): void {
    this.add(yTrue === this.params.pos_val, this.probability(yPred), -w);
  }

  private probability(yPred: Prediction): number {
    const pos = this.params.pos_val;
    if (yPred instanceof Map && pos !== true) return yPred.get(pos) ?? 0;
    return positiveProba(yPred);
  }

  private add(truth: boolean, p: number, w: number): void {
    this.cached = undefined;
    const c = this.counts;
    for (let i = 0; i < this.thresholds.length; i++) {
      const pred = p > this.thresholds[i]!;
      const o = i * WIDTH;
      c[o + (truth ? (pred ? TT : TF) : pred ? FT : FF)]! += w;
      c[o + (truth ? ROW_T : ROW_F)]! += w;
      c[o + (pred ? COL_T : COL_F)]! += w;
    }
  }

  get(): number {
    if (this.cached !== undefined) return this.cached;
    const n = this.thresholds.length;
    const { tprs, fprs, terms } = this;
    const c = this.counts;
    for (let i = 0; i < n; i++) {
      const o = i * WIDTH;
      const tp = c[o + TT]!;
      const fp = c[o + COL_T]! - tp;
      const fn = c[o + ROW_T]! - tp;
      // River's true negatives: the diagonal over the classes present, minus TP.
      const hasT = c[o + ROW_T] !== 0 || c[o + COL_T] !== 0;
      const hasF = c[o + ROW_F] !== 0 || c[o + COL_F] !== 0;
      const tn = (hasT ? tp : 0) + (hasF ? c[o + FF]! : 0) - tp;
      tprs[i] = tp + fn !== 0 ? tp / (tp + fn) : 0;
      fprs[i] = fp + tn !== 0 ? fp / (fp + tn) : 0;
    }
    for (let i = 0; i < n - 1; i++) terms[i] = ((fprs[i + 1]! - fprs[i]!) * (tprs[i + 1]! + tprs[i]!)) / 2;
    this.cached = -pairwiseSum(terms);
    return this.cached;
  }

  exportState(): Json {
    return { counts: encodeNumbers(this.counts) };
  }

  importState(data: Json): void {
    this.counts = new StateReader(data, this.kind).nonNegatives("counts", this.counts.length);
    this.cached = undefined;
  }
}
