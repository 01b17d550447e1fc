import type { Schema } from "../base/component.js";
import { Transformer } from "../base/estimator.js";
import { ensureCapacity, FeatureIndex, withCapacity } from "../base/feature-index.js";
import { encodeNumbers, StateReader } from "../base/state.js";
import type { Features, Json } from "../base/types.js";

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
export class StandardScaler extends Transformer<StandardScalerParams> {
  static readonly kind = "StandardScaler";
  static readonly schema: Schema = [
    { name: "with_std", type: { type: "boolean" }, default: () => true, doc: "Scale to unit variance." },
  ];

  private index = new FeatureIndex();
  private counts = new Float64Array(8);
  private means = new Float64Array(8);
  private vars = new Float64Array(8);

  constructor(params?: Partial<StandardScalerParams>) {
    super(StandardScaler.kind, StandardScaler.schema, params);
  }

  learnOne(x: Features): void {
    const withStd = this.params.with_std;
    for (const [name, xi] of x) {
      let s = this.index.slotOf(name);
      if (s < 0) {
        s = this.index.add(name);
        const size = this.index.size;
        this.counts = ensureCapacity(this.counts, size);
        this.means = ensureCapacity(this.means, size);
        this.vars = ensureCapacity(this.vars, size);
      }
      const n = ++this.counts[s]!;
      const oldMean = this.means[s]!;
      const mean = oldMean + (xi - oldMean) / n;
      this.means[s] = mean;
      if (withStd) this.vars[s]! += ((xi - oldMean) * (xi - mean) - this.vars[s]!) / n;
    }
  }

  transformOne(x: Features): Features {
    const out: Features = new Map();
    const withStd = this.params.with_std;
    for (const [name, xi] of x) {
      const s = this.index.slotOf(name);
      if (s < 0) {
        // River: mean 0 and variance 0 for an unseen feature, so the scaled value is 0.
        out.set(name, withStd ? 0 : xi);
        continue;
      }
      const centered = xi - this.means[s]!;
      if (!withStd) {
        out.set(name, centered);
        continue;
      }
      const sd = Math.sqrt(this.vars[s]!);
      out.set(name, sd !== 0 ? centered / sd : 0);
    }
    return out;
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
    const counts = r.numbers("counts", names.length);
    const means = r.numbers("means", names.length);
    const vars = r.numbers("vars", names.length);
    this.index = FeatureIndex.from(names);
    this.counts = withCapacity(counts, names.length);
    this.means = withCapacity(means, names.length);
    this.vars = withCapacity(vars, names.length);
  }
}
