import { encodeNumber, StateReader } from "../base/state.js";
import type { Json } from "../base/types.js";
import { Mean } from "./mean.js";

/** Weighted running variance (Welford), River's `stats.Var`: a sum of squares `S` over `n - ddof`. */
export class Var {
  readonly mean = new Mean();
  s = 0;
  constructor(readonly ddof = 1) {}

  update(x: number, w = 1): void {
    const old = this.mean.mean;
    this.mean.update(x, w);
    this.s += w * (x - old) * (x - this.mean.mean);
  }

  revert(x: number, w = 1): void {
    const old = this.mean.mean;
    this.mean.revert(x, w);
    this.s -= w * (x - old) * (x - this.mean.mean);
  }

  get(): number {
    return this.mean.n > this.ddof ? this.s / (this.mean.n - this.ddof) : 0;
  }

  exportState(): Json {
    return { mean: this.mean.exportState(), s: encodeNumber(this.s) };
  }

  importState(data: Json, path: string): void {
    const r = new StateReader(data, path);
    const s = r.number("s");
    this.mean.importState(r.raw("mean"), `${path}.mean`);
    this.s = s;
  }
}
