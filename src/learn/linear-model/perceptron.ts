import type { Schema } from "../base/component.js";
import type { Initializer } from "../optim/initializers.js";
import { Hinge } from "../optim/losses.js";
import { SGD } from "../optim/sgd.js";
import { type GLMCore, glmSchema } from "./glm.js";
import { checkedCore, GLMClassifier } from "./glm-classifier.js";

export interface PerceptronParams {
  l2: number;
  clip_gradient: number;
  initializer: Initializer;
}

/** Perceptron's params are a subset of the GLM's, with the same defaults and docs. */
const PERCEPTRON_PARAMS = ["l2", "clip_gradient", "initializer"];

/**
 * The perceptron as River defines it (`linear_model.Perceptron`): a logistic regression trained
 * with `SGD(1)`, an intercept rate of 1 and `Hinge(threshold=0)`. Its probabilities are the
 * sigmoid of the margin, `{false: 1 - p, true: p}`. It runs the GLM core that
 * `LogisticRegression` uses, with those settings, so the learning step and the state layout are
 * the GLM's (errors name the Perceptron).
 */
export class Perceptron extends GLMClassifier<PerceptronParams> {
  static readonly kind = "Perceptron";
  static readonly schema: Schema = glmSchema(() => new Hinge({ threshold: 0 })).filter((d) =>
    PERCEPTRON_PARAMS.includes(d.name),
  );
  protected readonly core: GLMCore;

  constructor(params?: Partial<PerceptronParams>) {
    super(Perceptron.kind, Perceptron.schema, params);
    const { l2, clip_gradient, initializer } = this.params;
    // The optimizer is internal (not a param), so a clone starts from 0 iterations, as in River.
    this.core = checkedCore(this.kind, {
      optimizer: new SGD({ lr: 1 }),
      loss: new Hinge({ threshold: 0 }),
      l2,
      l1: 0,
      intercept_init: 0,
      intercept_lr: 1,
      clip_gradient,
      initializer,
    });
  }
}
