import { encodeNumber, StateReader } from "../base/state.js";
import type { Json } from "../base/types.js";

/** Weighted running mean, River's `stats.Mean` update order: `mean += (w / n) * (x - mean)`. */
export class Mean {
  n = 0;
  mean = 0;

  update(x: number, w = 1): void {
    this.n += w;
    this.mean += (w / this.n) * (x - this.mean);
  }

  revert(x: number, w = 1): void {
    this.n -= w;
    if (this.n <= 0) {
      this.n = 0;
      this.mean = 0;
    } else {
      this.mean -= (w / this.n) * (x - this.mean);
    }
  }

  get(): number {
    return this.mean;
  }

  exportState(): Json {
    return { n: encodeNumber(this.n), mean: encodeNumber(this.mean) };
  }

  importState(data: Json, path: string): void {
    const r = new StateReader(data, path);
    const n = r.nonNegative("n");
    const mean = r.number("mean");
    this.n = n;
    this.mean = mean;
  }
}
