import type { Schema } from "../base/component.js";
import { ParamError } from "../base/errors.js";
import { Regressor } from "../base/estimator.js";
import type { Features, Json } from "../base/types.js";
import { Squared } from "../optim/losses.js";
import { GLMCore, type GLMParams, glmSchema } from "./glm.js";

export type LinearRegressionParams = GLMParams;

/** Linear regression trained online (River's `linear_model.LinearRegression`). */
export class LinearRegression extends Regressor<LinearRegressionParams> {
  static readonly kind = "LinearRegression";
  static readonly schema: Schema = glmSchema(() => new Squared());
  private readonly core: GLMCore;

  constructor(params?: Partial<LinearRegressionParams>) {
    super(LinearRegression.kind, LinearRegression.schema, params);
    if (this.params.loss.target !== "regression") {
      throw new ParamError(`LinearRegression.loss must be a regression loss, got ${this.params.loss.kind}`);
    }
    this.core = new GLMCore(this.kind, this.params);
  }

  learnOne(x: Features, y: number, w = 1): void {
    this.core.learn(x, y, w);
  }

  predictOne(x: Features): number {
    return this.params.loss.meanFunc(this.core.rawDot(x));
  }

  /** Learned weights by feature, in first-seen order. */
  get weights(): [string, number][] {
    return this.core.weightEntries();
  }

  get intercept(): number {
    return this.core.intercept;
  }

  override stateIsFinite(): boolean {
    return this.core.finite();
  }

  exportState(): Json {
    return this.core.exportState();
  }

  importState(data: Json): void {
    this.core.importState(data);
  }
}
