import type { ParamDef, Schema } from "../base/component.js";
import { LearnError } from "../base/errors.js";
import { Classifier, Regressor } from "../base/estimator.js";
import { ensureCapacity, FeatureIndex, withCapacity } from "../base/feature-index.js";
import { encodeNumber, encodeNumbers, StateReader } from "../base/state.js";
import type { Features, Json, Label, Proba } from "../base/types.js";
import { sigmoid } from "../math/functions.js";
import { EpsilonInsensitiveHinge, Hinge } from "../optim/losses.js";
import { binaryTarget } from "./binary-label.js";
import { DictDot } from "./dict-dot.js";

export interface PAClassifierParams {
  C: number;
  mode: number;
  learn_intercept: boolean;
}

export interface PARegressorParams extends PAClassifierParams {
  eps: number;
}

const C_PARAM: ParamDef = {
  name: "C",
  type: { type: "number", min: 0, exclusiveMin: true },
  default: () => 1,
  doc: "Aggressiveness: caps the step (mode 1) or softens it (mode 2).",
};
const MODE_PARAM: ParamDef = {
  name: "mode",
  type: { type: "number", integer: true, min: 0, max: 2 },
  default: () => 1,
  doc: "0: PA (no cap), 1: PA-I (step capped at C), 2: PA-II (step softened by 1/(2C)).",
};
const INTERCEPT_PARAM: ParamDef = {
  name: "learn_intercept",
  type: { type: "boolean" },
  default: () => true,
  doc: "Learn an intercept (it moves by the same step as the weights).",
};

/**
 * The state and update shared by River's passive-aggressive models (`linear_model.pa.BasePA`):
 * weights in first-seen order, an intercept, and the step size `tau`.
 */
class PACore {
  private index = new FeatureIndex();
  private weights = new Float64Array(8);
  intercept = 0;
  private readonly dotter = new DictDot();

  constructor(
    private readonly owner: string,
    private readonly params: Readonly<PAClassifierParams>,
  ) {}

  /** River's `utils.math.dot(x, weights) + intercept`. */
  output(x: Features): number {
    return this.dotter.dot(this.index.view(x), this.weights, this.index.size, true) + this.intercept;
  }

  /**
   * The step size for a loss. `||x||²` is River's `np.linalg.norm(list(x.values())) ** 2`:
   * the square root of the dot product, squared again (not always bit-identical to the sum).
   */
  tau(x: Features, loss: number): number {
    const { values, count } = this.index.view(x);
    let dot = 0;
    for (let i = 0; i < count; i++) dot += values[i]! * values[i]!;
    const norm = Math.sqrt(dot);
    const sq = norm * norm;
    const { C, mode } = this.params;
    if (mode === 2) return loss / (sq + 0.5 / C);
    if (!(sq > 0)) return 0;
    const t = loss / sq;
    // Mode 1 is Python's min(C, t): C unless t is smaller (so a NaN t gives C, unlike Math.min).
    if (mode === 1 && !(t < C)) return C;
    return t;
  }

  /** `w_i += step * x_i` for the features of x (new ones join in x's order), then the intercept. */
  update(x: Features, step: number): void {
    const { slots, values, count } = this.index.view(x, true, this.insert);
    const w = this.weights;
    for (let i = 0; i < count; i++) {
      const s = slots[i]!;
      w[s] = w[s]! + step * values[i]!;
    }
    if (this.params.learn_intercept) this.intercept += step;
  }

  private readonly insert = (slot: number): void => {
    this.weights = ensureCapacity(this.weights, slot + 1);
  };

  weightEntries(): [string, number][] {
    return this.index.names.map((name, s) => [name, this.weights[s]!]);
  }

  exportState(): Json {
    return {
      names: this.index.names.slice(),
      weights: encodeNumbers(this.weights, this.index.size),
      intercept: encodeNumber(this.intercept),
    };
  }

  importState(data: Json): void {
    const r = new StateReader(data, this.owner);
    const names = r.names("names");
    const weights = r.numbers("weights", names.length);
    const intercept = r.number("intercept");
    this.index = FeatureIndex.from(names);
    this.weights = withCapacity(weights, names.length);
    this.intercept = intercept;
  }
}

/** River's PA models take no sample weight; only the neutral weight 1 is accepted. */
function checkWeight(owner: string, w: number): void {
  if (w !== 1) {
    throw new LearnError("BROOK_INVALID_WEIGHT", `${owner} does not take sample weights (got w=${w})`);
  }
}

/**
 * Passive-aggressive binary classifier (River's `linear_model.PAClassifier`, Crammer et al.
 * 2006): on a hinge loss (threshold 1) it moves the weights just enough, with step
 * `tau * ±1`. Probabilities are the sigmoid of the margin, `{false: 1 - p, true: p}`.
 */
export class PAClassifier extends Classifier<PAClassifierParams> {
  static readonly kind = "PAClassifier";
  static readonly schema: Schema = [C_PARAM, MODE_PARAM, INTERCEPT_PARAM];
  readonly task = "binary" as const;
  private readonly core: PACore;
  private readonly hinge = new Hinge({ threshold: 1 });

  constructor(params?: Partial<PAClassifierParams>) {
    super(PAClassifier.kind, PAClassifier.schema, params);
    this.core = new PACore(this.kind, this.params);
  }

  learnOne(x: Features, y: Label, w = 1): void {
    checkWeight(this.kind, w);
    const t = binaryTarget(y, this.kind);
    const tau = this.core.tau(x, this.hinge.loss(t, this.core.output(x)));
    this.core.update(x, tau * (t === 1 ? 1 : -1));
  }

  predictProbaOne(x: Features): Proba {
    const p = sigmoid(this.core.output(x));
    return new Map<Label, number>([
      [false, 1 - p],
      [true, p],
    ]);
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

/** numpy's `sign`: -1, 0 or 1 (0 for -0), NaN for NaN. */
function npSign(v: number): number {
  if (v > 0) return 1;
  if (v < 0) return -1;
  return v === 0 ? 0 : Number.NaN;
}

/**
 * Passive-aggressive regressor (River's `linear_model.PARegressor`) with an epsilon-insensitive
 * loss.
 *
 * River quirk, kept for identical numbers: its loss maps the target to `2y - 1` as if it were a
 * binary label, so the step size comes from `max(|ŷ - (2y - 1)| - eps, 0)`, while the step
 * direction is `sign(y - ŷ)` on the real target.
 */
export class PARegressor extends Regressor<PARegressorParams> {
  static readonly kind = "PARegressor";
  static readonly schema: Schema = [
    C_PARAM,
    MODE_PARAM,
    { name: "eps", type: { type: "number", min: 0 }, default: () => 0.1, doc: "Insensitive zone." },
    INTERCEPT_PARAM,
  ];
  private readonly core: PACore;
  private readonly lossFn: EpsilonInsensitiveHinge;

  constructor(params?: Partial<PARegressorParams>) {
    super(PARegressor.kind, PARegressor.schema, params);
    this.core = new PACore(this.kind, this.params);
    this.lossFn = new EpsilonInsensitiveHinge({ eps: this.params.eps });
  }

  learnOne(x: Features, y: number, w = 1): void {
    checkWeight(this.kind, w);
    const yPred = this.core.output(x);
    const tau = this.core.tau(x, this.lossFn.loss(y, yPred));
    this.core.update(x, tau * npSign(y - yPred));
  }

  predictOne(x: Features): number {
    return this.core.output(x);
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
