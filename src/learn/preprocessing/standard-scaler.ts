import { finitePrefix, type Schema } from "../base/component.js";
import { DenseFeatures } from "../base/dense-features.js";
import { ensureCapacity, FeatureIndex, type SlotView, withCapacity } from "../base/feature-index.js";
import { encodeNumbers, StateReader } from "../base/state.js";
import type { Json } from "../base/types.js";
import { PerFeatureScaler } from "./per-feature-scaler.js";

export interface StandardScalerParams {
  /** Divide by the standard deviation (otherwise only center). */
  with_std: boolean;
}

/**
 * Standardizes each feature with a running mean and population variance (River's
 * `preprocessing.StandardScaler`). Learning touches only the features present in `x`; the
 * transform keeps `x`'s keys and order, and gives 0 where the variance is 0 (or the feature
 * is unseen).
 */
export class StandardScaler extends PerFeatureScaler<StandardScalerParams> {
  static readonly kind = "StandardScaler";
  static readonly schema: Schema = [
    { name: "with_std", type: { type: "boolean" }, default: () => true, doc: "Scale to unit variance." },
  ];

  private counts = new Float64Array(8);
  private means = new Float64Array(8);
  private vars = new Float64Array(8);

  constructor(params?: Partial<StandardScalerParams>) {
    super(StandardScaler.kind, StandardScaler.schema, params);
  }

  protected learnView({ slots, values, count }: SlotView): void {
    const withStd = this.params.with_std;
    const counts = this.counts;
    const means = this.means;
    const vars = this.vars;
    for (let i = 0; i < count; i++) {
      const s = slots[i]!;
      const xi = values[i]!;
      const n = ++counts[s]!;
      const oldMean = means[s]!;
      const mean = oldMean + (xi - oldMean) / n;
      means[s] = mean;
      if (withStd) vars[s]! += ((xi - oldMean) * (xi - mean) - vars[s]!) / n;
    }
  }

  protected addSlot(slot: number): void {
    this.counts = ensureCapacity(this.counts, slot + 1);
    this.means = ensureCapacity(this.means, slot + 1);
    this.vars = ensureCapacity(this.vars, slot + 1);
  }

  protected transformView({ names, slots, values, count }: SlotView): DenseFeatures {
    const out: number[] = [];
    const withStd = this.params.with_std;
    for (let i = 0; i < count; i++) {
      const s = slots[i]!;
      const xi = values[i]!;
      if (s < 0) {
        // River: mean 0 and variance 0 for an unseen feature, so the scaled value is 0.
        out.push(withStd ? 0 : xi);
      } else if (!withStd) {
        out.push(xi - this.means[s]!);
      } else {
        const sd = Math.sqrt(this.vars[s]!);
        out.push(sd !== 0 ? (xi - this.means[s]!) / sd : 0);
      }
    }
    return new DenseFeatures(names, out);
  }

  /** Learned statistics per feature, in first-seen order. */
  get statistics(): { name: string; count: number; mean: number; variance: number }[] {
    return this.index.names.map((name, s) => ({
      name,
      count: this.counts[s]!,
      mean: this.means[s]!,
      variance: this.vars[s]!,
    }));
  }

  override stateIsFinite(): boolean {
    const n = this.index.size;
    return finitePrefix(this.counts, n) && finitePrefix(this.means, n) && finitePrefix(this.vars, n);
  }

  exportState(): Json {
    const n = this.index.size;
    return {
      names: this.index.names.slice(),
      counts: encodeNumbers(this.counts, n),
      means: encodeNumbers(this.means, n),
      vars: encodeNumbers(this.vars, n),
    };
  }

  importState(data: Json): void {
    const r = new StateReader(data, "StandardScaler");
    const names = r.names("names");
    const counts = r.counts("counts", names.length);
    const means = r.numbers("means", names.length);
    const vars = r.nonNegatives("vars", names.length);
    this.index = FeatureIndex.from(names);
    this.counts = withCapacity(counts, names.length);
    this.means = withCapacity(means, names.length);
    this.vars = withCapacity(vars, names.length);
  }
}
