import type { Schema } from "../base/component.js";
import { ensureCapacity, withCapacity } from "../base/feature-index.js";
import { encodeNumbers, StateReader } from "../base/state.js";
import type { Json } from "../base/types.js";
import { lrParam, Optimizer } from "./optimizer.js";
import type { Rate } from "./schedulers.js";

export interface AdamParams {
  lr: Rate;
  beta_1: number;
  beta_2: number;
  eps: number;
}

const unit = { type: "number", min: 0, max: 1 } as const;

/**
 * Adam (Kingma & Ba, 2015) with River's vector semantics: the moments of every feature ever
 * seen decay at each step, and the weight of a feature absent from the current example is
 * set to `0 - step` (River overwrites it; we keep that so numbers match River's).
 */
export class Adam extends Optimizer<AdamParams> {
  static readonly kind = "Adam";
  static readonly schema: Schema = [
    lrParam(0.1),
    { name: "beta_1", type: unit, default: () => 0.9, doc: "Decay of the first moment." },
    { name: "beta_2", type: unit, default: () => 0.999, doc: "Decay of the second moment." },
    { name: "eps", type: { type: "number", min: 0 }, default: () => 1e-8, doc: "Added for stability." },
  ];
  private m = new Float64Array(8);
  private v = new Float64Array(8);
  private size = 0;
  private present = new Uint8Array(8);

  constructor(params?: Partial<AdamParams>) {
    super(Adam.kind, Adam.schema, params);
  }

  protected update(
    weights: Float64Array,
    slots: Int32Array,
    grads: Float64Array,
    count: number,
    size: number,
  ): void {
    const { beta_1: b1, beta_2: b2, eps } = this.params;
    const t = this.nIterations;
    let lrT = this.learningRate * (1 - b2 ** (t + 1)) ** 0.5;
    lrT /= 1 - b1 ** (t + 1);
    this.m = ensureCapacity(this.m, size);
    this.v = ensureCapacity(this.v, size);
    if (this.present.length < size) this.present = new Uint8Array(this.m.length);
    for (let i = 0; i < count; i++) this.present[slots[i]!] = 1;
    // Decay the moments of the features absent from x; River then overwrites their weights.
    for (let s = 0; s < this.size; s++) {
      if (this.present[s]) continue;
      const m = this.m[s]! * b1;
      const v = this.v[s]! * b2;
      this.m[s] = m;
      this.v[s] = v;
      weights[s] = 0 - (m * lrT) / (Math.sqrt(v) + eps);
    }
    for (let i = 0; i < count; i++) {
      const s = slots[i]!;
      const g = grads[i]!;
      const m = this.m[s]! * b1 + g * (1 - b1);
      const v = this.v[s]! * b2 + g * g * (1 - b2);
      this.m[s] = m;
      this.v[s] = v;
      weights[s] = weights[s]! - (m * lrT) / (Math.sqrt(v) + eps);
      this.present[s] = 0;
    }
    this.size = Math.max(this.size, size);
  }

  exportState(): Json {
    return {
      n_iterations: this.nIterations,
      m: encodeNumbers(this.m, this.size),
      v: encodeNumbers(this.v, this.size),
    };
  }

  importState(data: Json): void {
    const r = new StateReader(data, "Adam");
    const n = r.count("n_iterations");
    const m = r.numbers("m");
    const v = r.nonNegatives("v", m.length);
    this.nIterations = n;
    this.size = m.length;
    this.m = withCapacity(m, m.length);
    this.v = withCapacity(v, v.length);
    this.present = new Uint8Array(this.m.length);
  }
}
