import { Component } from "../base/component.js";
import { type Rate, rateAt } from "./schedulers.js";

/**
 * An optimizer updates weights kept by a linear model in slot-indexed arrays.
 *
 * `step` receives the gradient of the features present in the current example: `grads[i]` is
 * the gradient of the weight in slot `slots[i]`, for `i < count`; `size` is the number of
 * weight slots. Per-feature state (moments, sums of squares) is aligned with those slots and
 * exported with the owning model. `nIterations` counts steps, as River's `n_iterations`.
 */
export abstract class Optimizer<P extends { lr: Rate } = { lr: Rate }> extends Component<P> {
  static readonly family = "optimizer";
  readonly family = "optimizer" as const;
  nIterations = 0;

  /** The learning rate at the current iteration. */
  get learningRate(): number {
    return rateAt(this.params.lr, this.nIterations);
  }

  /** Applies one step and advances `nIterations`. */
  step(weights: Float64Array, slots: Int32Array, grads: Float64Array, count: number, size: number): void {
    this.update(weights, slots, grads, count, size);
    this.nIterations += 1;
  }

  protected abstract update(
    weights: Float64Array,
    slots: Int32Array,
    grads: Float64Array,
    count: number,
    size: number,
  ): void;
}

/** Learning-rate param shared by every optimizer: a number or a scheduler. */
export function lrParam(defaultRate: number) {
  return {
    name: "lr",
    type: { type: "component", families: ["scheduler"], number: { min: 0, exclusiveMin: true } },
    default: () => defaultRate,
    doc: "Learning rate: a number (constant) or a scheduler such as InverseScaling(0.1).",
  } as const;
}
