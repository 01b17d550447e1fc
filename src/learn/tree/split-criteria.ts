import { pyGet } from "../base/py-values.js";
import type { Label } from "../base/types.js";
import type { Var } from "../stats/var.js";

/**
 * River's split criteria (river/tree/split_criterion/*.py): the merit of a candidate split from
 * the target statistics before and after it. Classification statistics are class weights in
 * River's dict order; regression statistics are target variances.
 */

/** Class weights of a node or branch, in insertion (dict) order. */
export type ClassDist = Map<Label, number>;

/** Python's `sum(d.values())`: left to right in insertion order. */
export function sumValues(dist: ReadonlyMap<unknown, number>): number {
  let s = 0;
  for (const v of dist.values()) s += v;
  return s;
}

/** A classification criterion (information gain, Gini, Hellinger). */
export interface ClassCriterion {
  meritOfSplit(pre: ClassDist, post: readonly ClassDist[]): number;
  /** R in the Hoeffding bound. */
  rangeOfMerit(pre: ClassDist): number;
}

/** How many branches hold more than `minFrac` of the weight. */
function branchesAboveFraction(dists: readonly ClassDist[], minFrac: number, guardZero: boolean): number {
  const sums = dists.map(sumValues);
  let total = 0;
  for (const s of sums) total += s;
  let count = 0;
  if (!guardZero || total > 0) for (const s of sums) if (s / total > minFrac) count++;
  return count;
}

/** log2 of the number of classes (at least 2): the range of an entropy-based merit. */
function log2Classes(pre: ClassDist): number {
  return Math.log2(Math.max(pre.size, 2));
}

/** Entropy (bits) of one distribution. */
function entropy(dist: ClassDist): number {
  let h = 0;
  let total = 0;
  for (const d of dist.values()) {
    if (d > 0) {
      h -= d * Math.log2(d);
      total += d;
    }
  }
  return total > 0 ? (h + total * Math.log2(total)) / total : 0;
}

/** Information gain: entropy before minus the weighted entropy of the branches. */
export class InfoGainCriterion implements ClassCriterion {
  constructor(readonly minBranchFraction: number) {}

  meritOfSplit(pre: ClassDist, post: readonly ClassDist[]): number {
    if (branchesAboveFraction(post, this.minBranchFraction, true) < 2) return -Infinity;
    const weights = post.map(sumValues);
    let total = 0;
    for (const w of weights) total += w;
    let weighted = 0;
    for (let i = 0; i < post.length; i++) weighted += weights[i]! * entropy(post[i]!);
    return entropy(pre) - weighted / total;
  }

  rangeOfMerit(pre: ClassDist): number {
    return log2Classes(pre);
  }
}

/** Gini impurity decrease (its merit is `1 - weighted Gini`, in [0, 1]). */
export class GiniCriterion implements ClassCriterion {
  constructor(readonly minBranchFraction: number) {}

  meritOfSplit(_pre: ClassDist, post: readonly ClassDist[]): number {
    if (branchesAboveFraction(post, this.minBranchFraction, true) < 2) return -Infinity;
    const weights = post.map(sumValues);
    let total = 0;
    for (const w of weights) total += w;
    let gini = 0;
    for (let i = 0; i < post.length; i++) gini += (weights[i]! / total) * giniOf(post[i]!, weights[i]!);
    return 1 - gini;
  }

  rangeOfMerit(): number {
    return 1;
  }
}

function giniOf(dist: ClassDist, total: number): number {
  let g = 1;
  if (total !== 0) {
    for (const v of dist.values()) {
      const f = v / total;
      g -= f * f;
    }
  }
  return g;
}

/**
 * Hellinger distance between the two branches' class-1 and class-0 distributions. Like River it
 * looks the classes up as `1` and `0` (so `true`/`false` labels work) and gives 0 when either
 * branch lacks one of them; it is meant for binary tasks.
 */
export class HellingerCriterion implements ClassCriterion {
  constructor(readonly minBranchFraction: number) {}

  meritOfSplit(_pre: ClassDist, post: readonly ClassDist[]): number {
    // River's Hellinger version of this test has no guard against a zero total.
    if (branchesAboveFraction(post, this.minBranchFraction, false) < 2) return -Infinity;
    const left = post[0];
    const right = post[1];
    if (!left || !right) return 0;
    const lp = pyGet(left, 1);
    const ln = pyGet(left, 0);
    const rp = pyGet(right, 1);
    const rn = pyGet(right, 0);
    if (lp === undefined || ln === undefined || rp === undefined || rn === undefined) return 0;
    const neg = ln + rn;
    const pos = lp + rp;
    const a = Math.sqrt(ln / neg) - Math.sqrt(lp / pos);
    const b = Math.sqrt(rn / neg) - Math.sqrt(rp / pos);
    return Math.sqrt(a * a + b * b);
  }

  rangeOfMerit(pre: ClassDist): number {
    return log2Classes(pre);
  }
}

/**
 * Variance reduction for regression: `Var(parent) - Σ nᵢ/n · Var(branchᵢ)`, or 0 when a branch
 * holds fewer than `minSamplesSplit` samples.
 */
export class VarianceReductionCriterion {
  constructor(readonly minSamplesSplit: number) {}

  meritOfSplit(pre: Var, post: readonly Var[]): number {
    const n = pre.mean.n;
    let count = 0;
    for (const p of post) if (p.mean.n >= this.minSamplesSplit) count++;
    let vr = 0;
    if (count === post.length) {
      vr = pre.get();
      for (const p of post) vr -= (p.mean.n / n) * p.get();
    }
    return vr;
  }

  rangeOfMerit(): number {
    return 1;
  }
}
