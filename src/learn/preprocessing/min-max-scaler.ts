import type { Schema } from "../base/component.js";
import { DenseFeatures } from "../base/dense-features.js";
import { ensureCapacity, FeatureIndex, type SlotView, withCapacity } from "../base/feature-index.js";
import { encodeNumbers, StateReader } from "../base/state.js";
import type { Json } from "../base/types.js";
import { PerFeatureScaler } from "./per-feature-scaler.js";

/** MinMaxScaler has no parameters. */
export type MinMaxScalerParams = Record<string, never>;

/**
 * Scales each feature to [0, 1] with its running minimum and maximum (River's
 * `preprocessing.MinMaxScaler`): `(x - min) / (max - min)`, or 0 when `max - min` is 0.
 *
 * Like River's `stats.Min`/`stats.Max`, the statistics only move on a strict `<`/`>`, so a NaN
 * value is ignored by them. The transform keeps `x`'s keys and order.
 *
 * One deliberate difference: a feature never learned gives 0. River starts from min = +inf and
 * max = -inf, so it gives (-inf)/(-inf) = NaN, which then turns any prediction NaN whenever the
 * downstream model iterates `x` (e.g. LogisticRegression when `x` has fewer keys than weights).
 * On River's own streams this never shows: row 0 is predicted with empty weights, whose dot
 * product is 0 either way (conformance k1).
 */
export class MinMaxScaler extends PerFeatureScaler<MinMaxScalerParams> {
  static readonly kind = "MinMaxScaler";
  static readonly schema: Schema = [];

  private mins = new Float64Array(8);
  private maxs = new Float64Array(8);

  constructor(params?: Partial<MinMaxScalerParams>) {
    super(MinMaxScaler.kind, MinMaxScaler.schema, params);
  }

  protected learnView({ slots, values, count }: SlotView): void {
    const mins = this.mins;
    const maxs = this.maxs;
    for (let i = 0; i < count; i++) {
      const s = slots[i]!;
      const xi = values[i]!;
      if (xi < mins[s]!) mins[s] = xi;
      if (xi > maxs[s]!) maxs[s] = xi;
    }
  }

  /** A new feature starts at min = +inf, max = -inf (River's stats.Min / stats.Max). */
  protected addSlot(slot: number): void {
    this.mins = ensureCapacity(this.mins, slot + 1);
    this.maxs = ensureCapacity(this.maxs, slot + 1);
    this.mins[slot] = Infinity;
    this.maxs[slot] = -Infinity;
  }

  protected transformView({ names, slots, values, count }: SlotView): DenseFeatures {
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const s = slots[i]!;
      if (s < 0) {
        out.push(0);
        continue;
      }
      const min = this.mins[s]!;
      const range = this.maxs[s]! - min;
      // River's safe_div: 0 only for a zero range; a NaN range (infinite values) divides.
      out.push(range !== 0 ? (values[i]! - min) / range : 0);
    }
    return new DenseFeatures(names, out);
  }

  /** Learned range per feature, in first-seen order. */
  get statistics(): { name: string; min: number; max: number }[] {
    return this.index.names.map((name, s) => ({ name, min: this.mins[s]!, max: this.maxs[s]! }));
  }

  exportState(): Json {
    const n = this.index.size;
    return {
      names: this.index.names.slice(),
      min: encodeNumbers(this.mins, n),
      max: encodeNumbers(this.maxs, n),
    };
  }

  importState(data: Json): void {
    const r = new StateReader(data, "MinMaxScaler");
    const names = r.names("names");
    const mins = r.numbers("min", names.length);
    const maxs = r.numbers("max", names.length);
    this.index = FeatureIndex.from(names);
    this.mins = withCapacity(mins, names.length);
    this.maxs = withCapacity(maxs, names.length);
  }
}
