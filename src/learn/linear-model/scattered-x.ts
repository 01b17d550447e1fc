import type { SlotView } from "../base/feature-index.js";

/**
 * An example scattered into a dense array by slot, for dot products that walk the weights in
 * slot order. `dense[s]` holds x's value where `stamps[s] === generation`; bumping the generation
 * invalidates the previous example, so nothing is cleared per call.
 */
export class ScatteredX {
  dense = new Float64Array(16);
  stamps = new Uint32Array(16);
  generation = 0;

  /** Scatters the known features of `x` (slots below `n`); returns the generation marking them. */
  load({ slots, values, count }: SlotView, n: number): number {
    if (this.dense.length < n) {
      this.dense = new Float64Array(n * 2);
      this.stamps = new Uint32Array(n * 2);
    }
    if (this.generation === 0xffffffff) {
      // The stamps would wrap: start over with clean ones.
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
    return gen;
  }
}
