import type { Schema } from "../../base/component.js";
import { StateError } from "../../base/errors.js";
import type { FeatureValue, Json, Label } from "../../base/types.js";
import { Var } from "../../stats/var.js";
import { erf } from "../erf.js";
import type { ClassCriterion, ClassDist } from "../split-criteria.js";
import {
  arrayFromJson,
  labelFromJson,
  numberFromJson,
  objectFromJson,
  stringFromJson,
} from "../state-codec.js";
import { varFromJson, varToJson } from "../var-ops.js";
import { type ClassObserver, ClassSplitter, nullSuggestion, type Suggestion } from "./splitter.js";

/** A numeric feature value: numbers as they are, booleans as 0/1 (as Python compares them); strings are not. */
export function numericValue(v: FeatureValue): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  return undefined;
}

/** One class's view of a feature: its range and a Gaussian (River's `proba.Gaussian`, Var with ddof=1). */
interface ClassGaussian {
  min: number;
  max: number;
  g: Var;
}

/** The Gaussian density at `x` (0 when the variance is 0, as in River). */
export function gaussianPdf(g: Var, x: number): number {
  const variance = g.get();
  if (variance === 0) return 0;
  const d = x - g.mean.mean;
  const scale = 2 * Math.PI * variance;
  // Python raises (and River returns 0) for a negative variance; an overflowing square gives 0 anyway.
  if (scale < 0) return 0;
  return Math.exp((d * d) / (-2 * variance)) / Math.sqrt(scale);
}

/** The Gaussian CDF at `x`; 0 when σ is 0 (River's `ZeroDivisionError` branch). */
export function gaussianCdf(g: Var, x: number): number {
  const denom = Math.sqrt(g.get()) * Math.SQRT2;
  if (denom === 0) return 0;
  return 0.5 * (1 + erf((x - g.mean.mean) / denom));
}

/**
 * River's `GaussianSplitter` observer: per class, the feature's min, max and a Gaussian. Split
 * points are `n_splits` equally spaced values strictly inside the overall range; the class
 * weights on each side come from the Gaussians' CDFs.
 */
export class GaussianObserver implements ClassObserver {
  readonly type = "gaussian";
  readonly perClass = new Map<Label, ClassGaussian>();

  constructor(readonly nSplits: number) {}

  update(value: FeatureValue, y: Label, w: number): void {
    const x = numericValue(value);
    if (x === undefined) return;
    let c = this.perClass.get(y);
    if (c === undefined) {
      c = { min: x, max: x, g: new Var(1) };
      this.perClass.set(y, c);
    } else {
      if (x < c.min) c.min = x;
      if (x > c.max) c.max = x;
    }
    c.g.update(x, w);
  }

  condProba(value: FeatureValue, y: Label): number {
    const c = this.perClass.get(y);
    const x = numericValue(value);
    if (c === undefined || x === undefined) return 0;
    return gaussianPdf(c.g, x);
  }

  bestSplit(criterion: ClassCriterion, pre: ClassDist, feature: string): Suggestion<ClassDist> {
    let best = nullSuggestion<ClassDist>();
    for (const split of this.splitPoints()) {
      const post = this.distsAt(split);
      const merit = criterion.meritOfSplit(pre, post);
      if (merit > best.merit) {
        best = { merit, feature, info: split, children: post, numeric: true, multiway: false };
      }
    }
    return best;
  }

  private splitPoints(): number[] {
    let lo = Infinity;
    let hi = -Infinity;
    for (const c of this.perClass.values()) {
      if (c.min < lo) lo = c.min;
      if (c.max > hi) hi = c.max;
    }
    const points: number[] = [];
    if (lo < Infinity) {
      let bin = hi - lo;
      bin /= this.nSplits + 1;
      for (let i = 0; i < this.nSplits; i++) {
        const v = lo + bin * (i + 1);
        if (lo < v && v < hi) points.push(v);
      }
    }
    return points;
  }

  /** Class weights left (≤ split) and right of `split`, in the observer's class order. */
  private distsAt(split: number): ClassDist[] {
    const left: ClassDist = new Map();
    const right: ClassDist = new Map();
    for (const [label, c] of this.perClass) {
      const n = c.g.mean.n;
      if (split < c.min) right.set(label, n);
      else if (split >= c.max) left.set(label, n);
      else {
        const l = gaussianCdf(c.g, split) * n;
        left.set(label, l);
        right.set(label, n - l);
      }
    }
    return [left, right];
  }

  toJson(): Json {
    return {
      type: this.type,
      classes: [...this.perClass].map(([label, c]) => [label, c.min, c.max, varToJson(c.g)]),
    };
  }

  static fromJson(data: Json, path: string, nSplits: number): GaussianObserver {
    const o = objectFromJson(data, path);
    if (stringFromJson(o.type, `${path}.type`) !== "gaussian") throw badType(path);
    const obs = new GaussianObserver(nSplits);
    arrayFromJson(o.classes, `${path}.classes`).forEach((item, i) => {
      const p = `${path}.classes[${i}]`;
      const [label, min, max, g] = arrayFromJson(item, p, 4);
      obs.perClass.set(labelFromJson(label, `${p}[0]`), {
        min: numberFromJson(min, `${p}[1]`),
        max: numberFromJson(max, `${p}[2]`),
        g: varFromJson(g, `${p}[3]`),
      });
    });
    return obs;
  }
}

/** The error for an observer state of another type. */
export function badType(path: string): StateError {
  return new StateError(`${path} has the wrong observer type`);
}

/** Constructor params of {@link GaussianSplitter}. */
export interface GaussianSplitterParams {
  n_splits: number;
}

/**
 * River's `tree.splitter.GaussianSplitter` (the classifier's default numeric splitter): one
 * Gaussian per class approximates the feature's distribution, and `n_splits` candidate
 * thresholds are evaluated with the Gaussians' CDFs. It also gives naive Bayes leaves their
 * class-conditional densities.
 */
export class GaussianSplitter extends ClassSplitter<GaussianSplitterParams> {
  static readonly kind = "GaussianSplitter";
  static readonly schema: Schema = [
    {
      name: "n_splits",
      type: { type: "number", integer: true, min: 1 },
      default: () => 10,
      doc: "Number of candidate thresholds evaluated at each split attempt.",
    },
  ];

  constructor(params?: Partial<GaussianSplitterParams>) {
    super(GaussianSplitter.kind, GaussianSplitter.schema, params);
  }

  newObserver(): GaussianObserver {
    return new GaussianObserver(this.params.n_splits);
  }

  observerFromJson(data: Json, path: string): GaussianObserver {
    return GaussianObserver.fromJson(data, path, this.params.n_splits);
  }
}
