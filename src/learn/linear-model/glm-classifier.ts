import { ParamError } from "../base/errors.js";
import { Classifier } from "../base/estimator.js";
import type { Features, Json, Label, Proba } from "../base/types.js";
import { binaryTarget } from "./binary-label.js";
import { GLMCore, type GLMParams } from "./glm.js";

/**
 * A binary classifier on the GLM core (logistic regression, the perceptron): probabilities
 * `{false: 1 - p, true: p}` with `p` the loss's mean function (the sigmoid) of the linear
 * output, so `p = 0.5` predicts `false`.
 */
export abstract class GLMClassifier<P extends object> extends Classifier<P> {
  readonly task = "binary" as const;
  protected abstract readonly core: GLMCore;

  learnOne(x: Features, y: Label, w = 1): void {
    this.core.learn(x, binaryTarget(y, this.kind), w);
  }

  override stateIsFinite(): boolean {
    return this.core.finite();
  }

  /** Probability of the positive class. */
  predictPositive(x: Features): number {
    return this.core.params.loss.meanFunc(this.core.rawDot(x));
  }

  predictProbaOne(x: Features): Proba {
    const p = this.predictPositive(x);
    return new Map<Label, number>([
      [false, 1 - p],
      [true, p],
    ]);
  }

  override predictOne(x: Features): Label {
    const p = this.predictPositive(x);
    return p > 1 - p;
  }

  /** Learned weights by feature, in first-seen order. */
  get weights(): [string, number][] {
    return this.core.weightEntries();
  }

  get intercept(): number {
    return this.core.intercept;
  }

  exportState(): Json {
    return this.core.exportState();
  }

  importState(data: Json): void {
    this.core.importState(data);
  }
}

/** Builds the GLM core of a classifier, whose loss must be a binary one. */
export function checkedCore(kind: string, params: Readonly<GLMParams>): GLMCore {
  if (params.loss.target !== "binary") {
    throw new ParamError(
      `${kind}.loss must be a binary loss (Log, Hinge, BinaryFocalLoss), got ${params.loss.kind}`,
    );
  }
  return new GLMCore(kind, params);
}
