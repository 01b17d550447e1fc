import type { Schema } from "../base/component.js";
import { ParamError, StateError } from "../base/errors.js";
import { Classifier } from "../base/estimator.js";
import { ensureCapacity, FeatureIndex, withCapacity } from "../base/feature-index.js";
import { encodeNumbers, StateReader } from "../base/state.js";
import type { Features, Json, Label, Proba } from "../base/types.js";
import { CrossEntropyLoss, type MultiClassLoss } from "../optim/cross-entropy.js";
import type { Optimizer } from "../optim/optimizer.js";
import { SGD } from "../optim/sgd.js";
import { DictDot } from "./dict-dot.js";

export interface SoftmaxRegressionParams {
  optimizer: Optimizer;
  loss: MultiClassLoss;
  l2: number;
}

/** One class's linear model: weights in first-seen order and its own optimizer. */
class ClassModel {
  constructor(
    readonly index: FeatureIndex,
    public weights: Float64Array<ArrayBuffer>,
    readonly optimizer: Optimizer,
  ) {}

  /** A new feature's weight starts at 0 (River's `defaultdict(float)`). */
  readonly insert = (slot: number): void => {
    this.weights = ensureCapacity(this.weights, slot + 1);
  };
}

/**
 * Multinomial logistic regression (River's `linear_model.SoftmaxRegression`): one weight vector
 * and one copy of the optimizer per class, no intercept, probabilities by softmax.
 *
 * Classes are kept in first-seen order. River orders them by iterating a Python set, but only
 * the true label can be new in a learning step, so its order is also first-seen order.
 *
 * Each class's optimizer takes River's per-key ("dict") step. Our optimizers share one slot API
 * with the GLMs, so `Adam` keeps its GLM ("vector") behaviour here: on sparse inputs it
 * overwrites the weights of features absent from `x`, where River's dict-path Adam would leave
 * them alone. SGD and AdaGrad are identical on both paths.
 */
export class SoftmaxRegression extends Classifier<SoftmaxRegressionParams> {
  static readonly kind = "SoftmaxRegression";
  static readonly schema: Schema = [
    {
      name: "optimizer",
      type: { type: "component", families: ["optimizer"] },
      default: () => new SGD({ lr: 0.01 }),
      doc: "Optimizer; each class gets a fresh copy.",
    },
    {
      name: "loss",
      type: { type: "component", families: ["loss"] },
      default: () => new CrossEntropyLoss(),
      doc: "A multiclass loss (CrossEntropyLoss).",
    },
    { name: "l2", type: { type: "number", min: 0 }, default: () => 0, doc: "L2 penalty on the weights." },
  ];
  readonly task = "multiclass" as const;
  private labels: Label[] = [];
  private models = new Map<Label, ClassModel>();
  private readonly dotter = new DictDot();
  // Scratch buffer: the gradient of one learning step.
  private grads = new Float64Array(16);

  constructor(params?: Partial<SoftmaxRegressionParams>) {
    super(SoftmaxRegression.kind, SoftmaxRegression.schema, params);
    if ((this.params.loss as { target?: string }).target !== "multiclass") {
      throw new ParamError(
        `SoftmaxRegression.loss must be a multiclass loss (CrossEntropyLoss), got ${this.params.loss.kind}`,
      );
    }
  }

  predictProbaOne(x: Features): Proba {
    const scores = new Map<Label, number>();
    for (const label of this.labels) {
      const m = this.models.get(label)!;
      // River's `utils.math.dot(weights, x)`.
      scores.set(label, this.dotter.dot(m.index.view(x), m.weights, m.index.size, false));
    }
    return this.params.loss.meanFunc(scores);
  }

  learnOne(x: Features, y: Label, w = 1): void {
    const proba = this.predictProbaOne(x);
    const gradients = this.params.loss.gradient(y, proba);
    const count = x.size;
    if (this.grads.length < count) this.grads = new Float64Array(count * 2);
    const grads = this.grads;
    const l2 = this.params.l2;
    for (const [label, lossGrad] of gradients) {
      const m = this.modelOf(label);
      // River has no sample weight here; scaling the loss gradient is what the GLMs do with it.
      const g = lossGrad * w;
      // The gradient uses the weights before the step; a new feature's weight is 0 (River's
      // defaultdict inserts it during the step, in x's order, as the index does here).
      const { slots, values } = m.index.view(x, true, m.insert);
      const weights = m.weights;
      for (let i = 0; i < count; i++) grads[i] = values[i]! * g + l2 * weights[slots[i]!]!;
      m.optimizer.step(weights, slots, grads, count, m.index.size);
    }
  }

  private modelOf(label: Label): ClassModel {
    let m = this.models.get(label);
    if (m === undefined) {
      m = new ClassModel(new FeatureIndex(), new Float64Array(8), this.params.optimizer.clone());
      this.models.set(label, m);
      this.labels.push(label);
    }
    return m;
  }

  /** The classes seen so far, in River's order. */
  get classes(): readonly Label[] {
    return this.labels;
  }

  /** Learned weights of one class by feature, in first-seen order. */
  weightsOf(label: Label): [string, number][] {
    const m = this.models.get(label);
    return m ? m.index.names.map((name, s) => [name, m.weights[s]!]) : [];
  }

  exportState(): Json {
    return {
      labels: this.labels.slice(),
      models: this.labels.map((label) => {
        const m = this.models.get(label)!;
        return {
          names: m.index.names.slice(),
          weights: encodeNumbers(m.weights, m.index.size),
          optimizer: m.optimizer.exportState(),
        };
      }),
    };
  }

  importState(data: Json): void {
    const r = new StateReader(data, this.kind);
    const labels = r.labels("labels");
    const raw = r.array("models");
    if (raw.length !== labels.length)
      throw new StateError(`${this.kind}.models must have one entry per label`);
    const models = new Map<Label, ClassModel>();
    raw.forEach((item, k) => {
      const mr = new StateReader(item, `${this.kind}.models[${k}]`);
      const names = mr.names("names");
      const weights = mr.numbers("weights", names.length);
      // A fresh optimizer validates its own state; nothing of ours has changed yet.
      const optimizer = this.params.optimizer.clone();
      optimizer.importState(mr.raw("optimizer"));
      models.set(
        labels[k]!,
        new ClassModel(FeatureIndex.from(names), withCapacity(weights, names.length), optimizer),
      );
    });
    this.labels = labels;
    this.models = models;
  }
}
