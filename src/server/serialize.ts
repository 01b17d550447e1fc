import type { Label, Proba } from "../learn/index.js";
import { pyRepr } from "../learn/math/py-format.js";
import type { PredictOutcome } from "../models/served-model.js";

/**
 * Class probabilities as a JSON object (labels become keys: `true` → "true"). A label named
 * `__proto__` is kept as an own key (an assignment would set the object's prototype instead).
 */
export function probaJson(proba: Proba): Record<string, number> {
  const out: Record<string, number> = {};
  proba.forEach((p, label) => {
    const key = String(label);
    if (key === "__proto__") Object.defineProperty(out, key, { value: p, enumerable: true, writable: true });
    else out[key] = p;
  });
  return out;
}

/**
 * One prediction as JSON: `{prediction, probabilities?}` (`null` when nothing is known yet),
 * or `{score}` for an anomaly detector.
 */
export function predictionJson(outcome: PredictOutcome): {
  prediction?: Label | number | null;
  probabilities?: Record<string, number>;
  score?: number;
} {
  if (outcome.score) return { score: outcome.prediction as number };
  const prediction = outcome.prediction ?? null;
  return outcome.probabilities
    ? { prediction, probabilities: probaJson(outcome.probabilities) }
    : { prediction };
}

/**
 * Python's `str()` of a prediction, as the original app answered: `True`, `False`, `None`,
 * a float for regressors (`43.5`, `0.0`), an int-looking class label as an int.
 */
export function pythonStr(v: Label | number | undefined, regression: boolean): string {
  if (v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return regression || !Number.isInteger(v) ? pyRepr(v) : String(v);
  return v;
}
