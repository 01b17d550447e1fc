import type { Schema } from "../base/component.js";
import { ensureCapacity, withCapacity } from "../base/feature-index.js";
import { encodeNumbers, StateReader } from "../base/state.js";
import type { Json } from "../base/types.js";
import { lrParam, Optimizer } from "./optimizer.js";
import type { Rate } from "./schedulers.js";

export interface AdaGradParams {
  lr: Rate;
  eps: number;
}

/** AdaGrad (Duchi et al., 2011): per-feature rates shrinking with the sum of squared gradients. */
export class AdaGrad extends Optimizer<AdaGradParams> {
  static readonly kind = "AdaGrad";
  static readonly schema: Schema = [
    lrParam(0.1),
    { name: "eps", type: { type: "number", min: 0 }, default: () => 1e-8, doc: "Added for stability." },
  ];
  private g2 = new Float64Array(8);
  private size = 0;

  constructor(params?: Partial<AdaGradParams>) {
    super(AdaGrad.kind, AdaGrad.schema, params);
  }

  protected update(
    weights: Float64Array,
    slots: Int32Array,
    grads: Float64Array,
    count: number,
    size: number,
  ): void {
    this.g2 = ensureCapacity(this.g2, size);
    this.size = Math.max(this.size, size);
    const lr = this.learningRate;
    const eps = this.params.eps;
    for (let i = 0; i < count; i++) {
      const s = slots[i]!;
      const g = grads[i]!;
      const g2 = this.g2[s]! + g * g;
      this.g2[s] = g2;
      weights[s] = weights[s]! - (lr / Math.sqrt(g2 + eps)) * g;
    }
  }

  exportState(): Json {
    return { n_iterations: this.nIterations, g2: encodeNumbers(this.g2, this.size) };
  }

  importState(data: Json): void {
    const r = new StateReader(data, "AdaGrad");
    const n = r.count("n_iterations");
    const g2 = r.nonNegatives("g2");
    this.nIterations = n;
    this.size = g2.length;
    this.g2 = withCapacity(g2, g2.length);
  }
}
