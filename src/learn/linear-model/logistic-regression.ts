import type { Schema } from "../base/component.js";
import { Log } from "../optim/losses.js";
import type { GLMCore, GLMParams } from "./glm.js";
import { glmSchema } from "./glm.js";
import { checkedCore, GLMClassifier } from "./glm-classifier.js";

export type LogisticRegressionParams = GLMParams;

/**
 * Binary logistic regression trained online (River's `linear_model.LogisticRegression`).
 * Probabilities are `{false: 1 - p, true: p}` with `p` the sigmoid of the linear output, so
 * `p = 0.5` predicts `false`.
 */
export class LogisticRegression extends GLMClassifier<LogisticRegressionParams> {
  static readonly kind: string = "LogisticRegression";
  static readonly schema: Schema = glmSchema(() => new Log());
  protected readonly core: GLMCore;

  constructor(params?: Partial<LogisticRegressionParams>) {
    super(LogisticRegression.kind, LogisticRegression.schema, params);
    this.core = checkedCore(this.kind, this.params);
  }
}
