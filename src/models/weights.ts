/**
 * The largest weights of a linear model (logistic and linear regression, perceptron,
 * passive-aggressive), read from its state envelope: the final estimator's, when the model is
 * a pipeline. Weights apply to the features as the estimator sees them, after the pipeline's
 * transformers (scaled, one-hot encoded, hashed).
 */
import { decodeNumber } from "../learn/base/state.js";
import type { Json } from "../learn/index.js";
import type { ServedModel } from "./served-model.js";

export interface LinearWeights {
  /** The estimator holding the weights (e.g. `LogisticRegression`). */
  kind: string;
  intercept: number | null;
  /** Features with a weight. */
  features: number;
  /** The `k` largest by absolute value, largest first. */
  top: { feature: string; weight: number | null }[];
}

type Obj = { [k: string]: Json };

function isObj(v: Json | undefined): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The final estimator's kind and state: the model's own, or its pipeline's last step's. */
function finalStep(model: ServedModel): { kind: string; state: Json | undefined } {
  const env = model.estimator.toState() as unknown as Obj;
  const params = env.params;
  const state = env.state;
  if (env.kind === "Pipeline" && isObj(params) && Array.isArray(params.steps) && isObj(state)) {
    const steps = params.steps as Obj[];
    const states = state.steps as Json[];
    const last = steps[steps.length - 1];
    return { kind: String(last?.kind), state: states[states.length - 1] };
  }
  return { kind: String(env.kind), state };
}

/** The model's `k` largest weights, or `undefined` when its estimator is not a linear model. */
export function linearWeights(model: ServedModel, k: number): LinearWeights | undefined {
  const { kind, state } = finalStep(model);
  if (!isObj(state) || !Array.isArray(state.names) || !Array.isArray(state.weights)) return undefined;
  const names = state.names as Json[];
  const weights = state.weights as Json[];
  if (names.length !== weights.length) return undefined;
  const all = names.map((n, i) => ({ feature: String(n), weight: decodeNumber(weights[i]) ?? Number.NaN }));
  // NaN sorts last; ties keep first-seen order (a stable sort).
  const size = (w: number) => (Number.isNaN(w) ? -1 : Math.abs(w));
  all.sort((a, b) => size(b.weight) - size(a.weight));
  const intercept = decodeNumber(state.intercept);
  const shown = (w: number) => (Number.isFinite(w) ? w : null);
  return {
    kind,
    intercept: intercept === undefined ? null : shown(intercept),
    features: all.length,
    top: all.slice(0, k).map((w) => ({ feature: w.feature, weight: shown(w.weight) })),
  };
}
