import { pyEquals, pySorted, type Value } from "../../base/py-values.js";
import type { FeatureValue, Json, Label } from "../../base/types.js";
import type { Var } from "../../stats/var.js";
import type { ClassCriterion, ClassDist, VarianceReductionCriterion } from "../split-criteria.js";
import {
  arrayFromJson,
  labelFromJson,
  numberFromJson,
  objectFromJson,
  stringFromJson,
  valueFromJson,
  valueToJson,
} from "../state-codec.js";
import { copyVar, minus, varFromJson, varToJson } from "../var-ops.js";
import { badType } from "./gaussian.js";
import type { ClassObserver, RegObserver, Suggestion } from "./splitter.js";
import { nullSuggestion } from "./splitter.js";

/**
 * River's nominal split search: the multiway split over all `values` (unless `binaryOnly`),
 * then a binary "value vs the rest" split per value in order; the first best merit wins.
 */
function bestNominalSplit<S>(
  criterion: { meritOfSplit(pre: S, post: readonly S[]): number },
  pre: S,
  feature: string,
  binaryOnly: boolean,
  values: Value[],
  multiway: (values: Value[]) => S[],
  binary: (value: Value) => S[],
): Suggestion<S> {
  let best = nullSuggestion<S>();
  if (!binaryOnly) {
    const post = multiway(values);
    best = {
      merit: criterion.meritOfSplit(pre, post),
      feature,
      info: values,
      children: post,
      numeric: false,
      multiway: true,
    };
  }
  for (const value of values) {
    const post = binary(value);
    const merit = criterion.meritOfSplit(pre, post);
    if (merit > best.merit) {
      best = { merit, feature, info: value, children: post, numeric: false, multiway: false };
    }
  }
  return best;
}

/**
 * River's `NominalSplitterClassif`: class weights per feature value. It proposes one multiway
 * split (one branch per value, unless `binary_split`) and a binary "value vs the rest" split per
 * value.
 *
 * River keeps the values in a Python `set`, whose iteration order decides ties between equally
 * good binary splits (and is hash-randomized for strings); here they are tried in sorted order,
 * which is what CPython's set order gives for small non-negative integers.
 */
export class NominalClassObserver implements ClassObserver {
  readonly type = "nominal";
  total = 0;
  missing = 0;
  /** The distinct values seen (insertion order; tried in sorted order). */
  readonly values = new Set<Value>();
  /** Weight per class, then per value, in River's defaultdict insertion order. */
  readonly dist = new Map<Label, Map<Value, number>>();

  update(value: FeatureValue, y: Label, w: number): void {
    this.values.add(value);
    let byValue = this.dist.get(y);
    if (byValue === undefined) {
      byValue = new Map();
      this.dist.set(y, byValue);
    }
    byValue.set(value, (byValue.get(value) ?? 0) + w);
    this.total += w;
  }

  condProba(value: FeatureValue, y: Label, insert: boolean): number {
    let byValue = this.dist.get(y);
    if (byValue === undefined) {
      if (!insert) return 0;
      byValue = new Map();
      this.dist.set(y, byValue);
    }
    let v = byValue.get(value);
    if (v === undefined) {
      v = 0;
      if (insert) byValue.set(value, 0);
    }
    let sum = 0;
    for (const x of byValue.values()) sum += x;
    return sum === 0 ? 0 : v / sum;
  }

  bestSplit(
    criterion: ClassCriterion,
    pre: ClassDist,
    feature: string,
    binaryOnly: boolean,
  ): Suggestion<ClassDist> {
    return bestNominalSplit(
      criterion,
      pre,
      feature,
      binaryOnly,
      pySorted(this.values),
      () => this.multiwayDists(),
      (value) => this.binaryDists(value),
    );
  }

  /** One class distribution per value (values sorted, classes sorted within each). */
  private multiwayDists(): ClassDist[] {
    const byValue = new Map<Value, Map<Label, number>>();
    for (const [label, values] of this.dist) {
      for (const [value, w] of values) {
        let d = byValue.get(value);
        if (d === undefined) {
          d = new Map();
          byValue.set(value, d);
        }
        d.set(label, (d.get(label) ?? 0) + w);
      }
    }
    return pySorted(byValue.keys()).map((v) => {
      const d = byValue.get(v)!;
      return new Map(pySorted(d.keys()).map((label) => [label as Label, d.get(label as Label)!]));
    });
  }

  /** Class weights for `value` and for every other value. */
  private binaryDists(value: Value): ClassDist[] {
    const equal: ClassDist = new Map();
    const other: ClassDist = new Map();
    for (const [label, values] of this.dist) {
      for (const [v, w] of values) {
        const side = pyEquals(v, value) ? equal : other;
        side.set(label, (side.get(label) ?? 0) + w);
      }
    }
    return [equal, other];
  }

  toJson(): Json {
    return {
      type: this.type,
      total: this.total,
      missing: this.missing,
      values: [...this.values].map(valueToJson),
      dist: [...this.dist].map(([label, values]) => [
        label,
        [...values].map(([v, w]) => [valueToJson(v), w]),
      ]),
    };
  }

  static fromJson(data: Json, path: string): NominalClassObserver {
    const o = objectFromJson(data, path);
    if (stringFromJson(o.type, `${path}.type`) !== "nominal") throw badType(path);
    const obs = new NominalClassObserver();
    obs.total = numberFromJson(o.total, `${path}.total`);
    obs.missing = numberFromJson(o.missing, `${path}.missing`);
    arrayFromJson(o.values, `${path}.values`).forEach((v, i) => {
      obs.values.add(valueFromJson(v, `${path}.values[${i}]`));
    });
    arrayFromJson(o.dist, `${path}.dist`).forEach((item, i) => {
      const p = `${path}.dist[${i}]`;
      const [label, values] = arrayFromJson(item, p, 2);
      const m = new Map<Value, number>();
      arrayFromJson(values, `${p}[1]`).forEach((pair, j) => {
        const [v, w] = arrayFromJson(pair, `${p}[1][${j}]`, 2);
        m.set(valueFromJson(v, `${p}[1][${j}][0]`), numberFromJson(w, `${p}[1][${j}][1]`));
      });
      obs.dist.set(labelFromJson(label, `${p}[0]`), m);
    });
    return obs;
  }
}

/**
 * River's `NominalSplitterReg`: target statistics per feature value, proposing a multiway split
 * (unless `binary_split`) and a binary split per value, values in sorted order.
 */
export class NominalRegObserver implements RegObserver {
  readonly type = "nominal";
  readonly stats = new Map<Value, Var>();

  constructor(private readonly newVar: () => Var) {}

  update(value: FeatureValue, y: number, w: number): void {
    let v = this.stats.get(value);
    if (v === undefined) {
      v = this.newVar();
      this.stats.set(value, v);
    }
    v.update(y, w);
  }

  bestSplit(
    criterion: VarianceReductionCriterion,
    pre: Var,
    feature: string,
    binaryOnly: boolean,
  ): Suggestion<Var> {
    return bestNominalSplit(
      criterion,
      pre,
      feature,
      binaryOnly,
      pySorted(this.stats.keys()),
      (sorted) => sorted.map((k) => copyVar(this.stats.get(k)!)),
      (value) => {
        const actual = this.stats.get(value)!;
        return [copyVar(actual), minus(pre, actual)];
      },
    );
  }

  toJson(): Json {
    return { type: this.type, stats: [...this.stats].map(([v, s]) => [valueToJson(v), varToJson(s)]) };
  }

  static fromJson(data: Json, path: string, newVar: () => Var): NominalRegObserver {
    const o = objectFromJson(data, path);
    if (stringFromJson(o.type, `${path}.type`) !== "nominal") throw badType(path);
    const obs = new NominalRegObserver(newVar);
    arrayFromJson(o.stats, `${path}.stats`).forEach((item, i) => {
      const p = `${path}.stats[${i}]`;
      const [v, s] = arrayFromJson(item, p, 2);
      obs.stats.set(valueFromJson(v, `${p}[0]`), varFromJson(s, `${p}[1]`));
    });
    return obs;
  }
}
