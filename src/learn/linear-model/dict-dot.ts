import type { SlotView } from "../base/feature-index.js";

/**
 * River's `utils.math.dot(a, b)` between an example and weights kept by slot: it walks the
 * shorter dict (`a` when `len(a) < len(b)`, else `b`), skips keys the other lacks, and sums
 * from 0 in that walk's order. Used by the passive-aggressive models (`dot(x, weights)`) and
 * SoftmaxRegression (`dot(weights, x)`); which side is `a` decides ties in length.
 */
export class DictDot {
  // x scattered by slot, valid where `stamps[s] === generation` (avoids clearing per call).
  private dense = new Float64Array(16);
  private stamps = new Uint32Array(16);
  private generation = 0;

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
    if (this.dense.length < n) {
      this.dense = new Float64Array(n * 2);
      this.stamps = new Uint32Array(n * 2);
    }
    if (this.generation === 0xffffffff) {
      this.stamps.fill(0);
      this.generation = 0;
    }
    const gen = ++this.generation;
    for (let i = 0; i < count; i++) {
      const s = slots[i]!;
      if (s >= 0) {
        this.dense[s] = values[i]!;
        this.stamps[s] = gen;
      }
    }
    for (let s = 0; s < n; s++) if (this.stamps[s] === gen) r += this.dense[s]! * weights[s]!;
    return r;
  }
}
