import type { Schema } from "../base/component.js";
import { StateReader } from "../base/state.js";
import type { Json } from "../base/types.js";
import { lrParam, Optimizer } from "./optimizer.js";
import type { Rate } from "./schedulers.js";

export interface SGDParams {
  lr: Rate;
}

/** Plain stochastic gradient descent: `w -= g * lr`. */
export class SGD extends Optimizer<SGDParams> {
  static readonly kind = "SGD";
  static readonly schema: Schema = [lrParam(0.01)];

  constructor(params?: Partial<SGDParams>) {
    super(SGD.kind, SGD.schema, params);
  }

  protected update(weights: Float64Array, slots: Int32Array, grads: Float64Array, count: number): void {
    const lr = this.learningRate;
    for (let i = 0; i < count; i++) {
      const s = slots[i]!;
      weights[s] = weights[s]! - grads[i]! * lr;
    }
  }

  exportState(): Json {
    return { n_iterations: this.nIterations };
  }

  importState(data: Json): void {
    this.nIterations = new StateReader(data, "SGD").count("n_iterations");
  }
}
