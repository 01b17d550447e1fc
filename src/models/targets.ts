import { brookError } from "../errors.js";
import type { Label, Task } from "../learn/index.js";

/**
 * Checks a target `y` against the model's task and returns it in the form the model learns:
 * binary → boolean (true/false or 1/0), regression → finite number, multiclass → string,
 * number or boolean. `path` names the field in errors.
 */
export function normalizeTarget(task: Task, y: unknown, path: string): Label | number | undefined {
  switch (task) {
    case "binary":
      if (y === true || y === 1) return true;
      if (y === false || y === 0) return false;
      throw brookError(
        "INVALID_TARGET",
        `${path} must be true/false or 1/0 for a binary classifier, got ${show(y)}`,
        { path },
      );
    case "regression":
      if (typeof y === "number" && Number.isFinite(y)) return y;
      throw brookError("INVALID_TARGET", `${path} must be a finite number for a regressor, got ${show(y)}`, {
        path,
      });
    case "anomaly":
      // Optional: an anomaly detector learns from x alone; a label only feeds its metrics.
      if (y === undefined) return undefined;
      if (y === true || y === 1) return true;
      if (y === false || y === 0) return false;
      throw brookError(
        "INVALID_TARGET",
        `${path} (optional for an anomaly detector) must be true/false or 1/0, got ${show(y)}`,
        {
          path,
        },
      );
    case "forecasting":
      if (typeof y === "number" && Number.isFinite(y)) return y;
      throw brookError(
        "INVALID_TARGET",
        `${path} must be the observed value (a finite number) for a forecaster, got ${show(y)}`,
        {
          path,
        },
      );
    case "multiclass":
      if (typeof y === "string" || typeof y === "boolean" || (typeof y === "number" && Number.isFinite(y)))
        return y;
      throw brookError(
        "INVALID_TARGET",
        `${path} must be a class label (string, number or boolean), got ${show(y)}`,
        {
          path,
        },
      );
  }
}

function show(v: unknown): string {
  if (v === undefined) return "nothing";
  // JSON.stringify would print ±Infinity (what 1e999 parses to) as "null".
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
