import type { SlotView } from "../base/feature-index.js";
import { ScatteredX } from "./scattered-x.js";

/**
 * River's `utils.math.dot(a, b)` between an example and weights kept by slot: it walks the
 * shorter dict (`a` when `len(a) < len(b)`, else `b`), skips keys the other lacks, and sums
 * from 0 in that walk's order. Used by the passive-aggressive models (`dot(x, weights)`) and
 * SoftmaxRegression (`dot(weights, x)`); which side is `a` decides ties in length.
 */
export class DictDot {
  private readonly scattered = new ScatteredX();

  /**
   * `x` resolved by the weights' index, the weights and how many there are; `xFirst` says
   * whether x is River's first argument.
   */
  dot(x: SlotView, weights: Float64Array, n: number, xFirst: boolean): number {
    const { slots, values, count } = x;
    const walkX = xFirst ? count < n : !(n < count);
    let r = 0;
    if (walkX) {
      for (let i = 0; i < count; i++) {
        const s = slots[i]!;
        if (s >= 0) r += values[i]! * weights[s]!;
      }
      return r;
    }
    const gen = this.scattered.load(x, n);
    const { dense, stamps } = this.scattered;
    for (let s = 0; s < n; s++) if (stamps[s] === gen) r += dense[s]! * weights[s]!;
    return r;
  }
}
