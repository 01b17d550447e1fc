import { finitePrefix, type Schema } from "../base/component.js";
import { StateError } from "../base/errors.js";
import { Classifier } from "../base/estimator.js";
import { ensureCapacity, FeatureIndex, withCapacity } from "../base/feature-index.js";
import { encodeNumber, encodeNumbers, StateReader } from "../base/state.js";
import type { Features, Json, Label, Proba } from "../base/types.js";
import { pairwiseSum } from "../math/functions.js";

const TAU = 2 * Math.PI;

/**
 * One class: its count and a running Gaussian per feature of the shared index (`n = 0`: never
 * seen for this class). The Gaussians are River's `proba.Gaussian` over `stats.Var(ddof=1)`;
 * the constants of each density are cached when the feature is learned (same operations as
 * River's, so the same numbers).
 */
class ClassStats {
  count = 0;
  /** Whether the class has Gaussians (it came with a non-empty x), so predictions list it. */
  listed = false;
  n: Float64Array<ArrayBuffer>;
  mean: Float64Array<ArrayBuffer>;
  /** Welford's sum of squared deviations; the variance is `s / (n - 1)`. */
  s: Float64Array<ArrayBuffer>;
  /** `-2 * var`, and `sqrt(tau * var)` or 0 where the density is 0 (var 0, or sqrt of a negative). */
  private negTwoVar: Float64Array<ArrayBuffer>;
  private scale: Float64Array<ArrayBuffer>;

  constructor(size: number, n?: Float64Array, mean?: Float64Array, s?: Float64Array) {
    this.n = n ? withCapacity(n, size) : new Float64Array(8);
    this.mean = mean ? withCapacity(mean, size) : new Float64Array(8);
    this.s = s ? withCapacity(s, size) : new Float64Array(8);
    this.negTwoVar = new Float64Array(this.n.length);
    this.scale = new Float64Array(this.n.length);
    for (let slot = 0; slot < size; slot++) this.refresh(slot);
  }

  /** Whether the count and the first `size` Gaussians are finite (the caches derive from them). */
  finite(size: number): boolean {
    const k = Math.min(size, this.n.length);
    return (
      Number.isFinite(this.count) &&
      finitePrefix(this.n, k) &&
      finitePrefix(this.mean, k) &&
      finitePrefix(this.s, k)
    );
  }

  ensure(size: number): void {
    if (this.n.length >= size) return;
    this.n = ensureCapacity(this.n, size);
    this.mean = ensureCapacity(this.mean, size);
    this.s = ensureCapacity(this.s, size);
    this.negTwoVar = ensureCapacity(this.negTwoVar, size);
    this.scale = ensureCapacity(this.scale, size);
  }

  /** `stats.Var.update` (Welford, with `stats.Mean`'s update order). */
  update(slot: number, x: number, w: number): void {
    const n = this.n[slot]! + w;
    const old = this.mean[slot]!;
    const mean = old + (w / n) * (x - old);
    this.n[slot] = n;
    this.mean[slot] = mean;
    this.s[slot] = this.s[slot]! + w * (x - old) * (x - mean);
    this.refresh(slot);
  }

  variance(slot: number): number {
    const n = this.n[slot]!;
    return n > 1 ? this.s[slot]! / (n - 1) : 0;
  }

  private refresh(slot: number): void {
    const v = this.variance(slot);
    const tv = TAU * v;
    this.negTwoVar[slot] = -2 * v;
    // Python raises on sqrt of a negative number and River returns 0 then.
    this.scale[slot] = v === 0 || tv < 0 ? 0 : Math.sqrt(tv);
  }

  /**
   * `exp((x - mu)**2 / (-2 * var)) / sqrt(tau * var)`, 0 when the variance is 0 (fewer than
   * two values, all equal, or a feature never seen). An overflowing square gives `exp(-inf) = 0`
   * here, as River's caught OverflowError does.
   */
  density(slot: number, x: number): number {
    if (slot < 0 || slot >= this.n.length) return 0;
    const scale = this.scale[slot]!;
    if (scale === 0) return 0;
    return Math.exp((x - this.mean[slot]!) ** 2 / this.negTwoVar[slot]!) / scale;
  }
}

/**
 * scipy 1.10's `logsumexp`: `max + log(sum(exp(a - max)))`, a non-finite maximum replaced by 0,
 * the sum in numpy's pairwise order.
 */
export function logSumExp(a: Float64Array): number {
  let max = -Infinity;
  for (const v of a) {
    if (Number.isNaN(v)) {
      max = Number.NaN;
      break;
    }
    if (v > max) max = v;
  }
  if (!Number.isFinite(max)) max = 0;
  const tmp = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) tmp[i] = Math.exp(a[i]! - max);
  return Math.log(pairwiseSum(tmp)) + max;
}

/**
 * Gaussian naive Bayes (River's `naive_bayes.GaussianNB`): one running Gaussian per class and
 * feature, class priors from counts, probabilities by normalizing the joint log-likelihoods.
 * Works for any labels (booleans included).
 *
 * Classes are predicted in the order they first came with a non-empty `x`: River lists the
 * classes of its Gaussians, not of its counts, so a class learned only from `{}` so far counts
 * towards the priors' total but gets no probability (and `{}` is predicted while no class has
 * Gaussians).
 *
 * A feature that a class has never seen adds `log(1e-9)` to that class, as in River. River gets
 * there by creating an empty Gaussian during prediction (a state change); we compute the same
 * number without changing anything. Features missing from `x` are skipped.
 */
export class GaussianNB extends Classifier<Record<string, never>> {
  static readonly kind = "GaussianNB";
  static readonly schema: Schema = [];
  readonly task = "multiclass" as const;
  /** Classes with Gaussians, in River's order (what predictions list). */
  private labels: Label[] = [];
  /** Every class learned, in first-seen order (River's `class_counts`). */
  private stats = new Map<Label, ClassStats>();
  private index = new FeatureIndex();
  /** The class the last learn updated (the only statistics it changed). */
  private lastLearned: ClassStats | undefined;

  constructor(params?: Record<string, never>) {
    super(GaussianNB.kind, GaussianNB.schema, params);
  }

  /** `w` weights the example (River's learn_one has none; 1 reproduces it). */
  learnOne(x: Features, y: Label, w = 1): void {
    let c = this.stats.get(y);
    if (c === undefined) {
      c = new ClassStats(0);
      this.stats.set(y, c);
    }
    c.count += w;
    this.lastLearned = c;
    const { slots, values, count } = this.index.view(x, true);
    if (count > 0 && !c.listed) {
      c.listed = true;
      this.labels.push(y);
    }
    c.ensure(this.index.size);
    for (let i = 0; i < count; i++) c.update(slots[i]!, values[i]!, w);
  }

  override stateIsFinite(): boolean {
    for (const c of this.stats.values()) if (!c.finite(this.index.size)) return false;
    return true;
  }

  override learnedStateIsFinite(): boolean {
    return this.lastLearned === undefined ? this.stateIsFinite() : this.lastLearned.finite(this.index.size);
  }

  /** The joint log-likelihood of each class, in class order (River's `joint_log_likelihood`). */
  jointLogLikelihood(x: Features): Float64Array {
    const k = this.labels.length;
    const out = new Float64Array(k);
    if (k === 0) return out;
    const { slots, values, count } = this.index.view(x);
    // Python's sum(class_counts.values()), over every class learned.
    let total = 0;
    for (const c of this.stats.values()) total += c.count;
    for (let ci = 0; ci < k; ci++) {
      const c = this.stats.get(this.labels[ci]!)!;
      // Python's sum() in x's order; an unknown feature has density 0 (River's empty Gaussian).
      let sum = 0;
      for (let i = 0; i < count; i++) sum += Math.log(1e-9 + c.density(slots[i]!, values[i]!));
      out[ci] = Math.log(c.count / total) + sum;
    }
    return out;
  }

  predictProbaOne(x: Features): Proba {
    const proba: Proba = new Map();
    if (this.labels.length === 0) return proba;
    const jll = this.jointLogLikelihood(x);
    const lse = logSumExp(jll);
    this.labels.forEach((label, i) => {
      proba.set(label, Math.exp(jll[i]! - lse));
    });
    return proba;
  }

  /** The classes that predictions list, in their order. */
  get classes(): readonly Label[] {
    return this.labels;
  }

  /**
   * Per class learned (first-seen order): its count and, per feature it has seen, `n`, `mu` and
   * the variance (ddof = 1).
   */
  get statistics(): {
    label: Label;
    count: number;
    features: { name: string; n: number; mu: number; var: number }[];
  }[] {
    return [...this.stats].map(([label, c]) => {
      const features: { name: string; n: number; mu: number; var: number }[] = [];
      this.index.names.forEach((name, s) => {
        const n = c.n[s] ?? 0;
        if (n === 0) return;
        features.push({ name, n, mu: c.mean[s]!, var: c.variance(s) });
      });
      return { label, count: c.count, features };
    });
  }

  exportState(): Json {
    const size = this.index.size;
    const padded = (a: Float64Array) =>
      encodeNumbers(withCapacity(a.subarray(0, Math.min(size, a.length)), size), size);
    return {
      labels: [...this.stats.keys()],
      predicted: this.labels.slice(),
      names: this.index.names.slice(),
      classes: [...this.stats.values()].map((c) => ({
        count: encodeNumber(c.count),
        n: padded(c.n),
        mean: padded(c.mean),
        s: padded(c.s),
      })),
    };
  }

  importState(data: Json): void {
    const r = new StateReader(data, this.kind);
    const labels = r.labels("labels");
    const predicted = r.labels("predicted");
    if (!predicted.every((l) => labels.includes(l))) {
      throw new StateError(`${this.kind}.predicted must list learned labels only`);
    }
    const names = r.names("names");
    const raw = r.array("classes");
    if (raw.length !== labels.length)
      throw new StateError(`${this.kind}.classes must have one entry per label`);
    const stats = new Map<Label, ClassStats>();
    raw.forEach((item, k) => {
      const cr = new StateReader(item, `${this.kind}.classes[${k}]`);
      const count = cr.nonNegative("count");
      const n = cr.nonNegatives("n", names.length);
      const mean = cr.numbers("mean", names.length);
      const s = cr.nonNegatives("s", names.length);
      const c = new ClassStats(names.length, n, mean, s);
      c.count = count;
      c.listed = predicted.includes(labels[k]!);
      stats.set(labels[k]!, c);
    });
    this.labels = predicted;
    this.index = FeatureIndex.from(names);
    this.stats = stats;
    this.lastLearned = undefined;
  }
}
