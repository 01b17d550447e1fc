import { brookError } from "../../errors.js";
import type { Features } from "../../learn/index.js";
import { keysInOrder } from "../json-body.js";

function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  if (typeof v === "string")
    return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v)}`;
  return String(v);
}

/**
 * Validates a JSON feature object and converts it to an ordered feature map. Values must be
 * finite numbers; `path` names the object in errors (e.g. `instances[3]`).
 */
export function toFeatures(raw: unknown, path: string, maxFeatures: number): Features {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw brookError(
      raw === undefined ? "INVALID_REQUEST" : "INVALID_FEATURES",
      raw === undefined
        ? `${path} is missing: send the features as {"${lastKey(path)}": {"name": value, ...}}`
        : `${path} must be an object of feature values, got ${kindOf(raw)}`,
      { path },
    );
  }
  const keys = keysInOrder(raw);
  if (keys.length > maxFeatures) {
    throw brookError(
      "INVALID_FEATURES",
      `${path} has ${keys.length} features, more than the limit of ${maxFeatures}`,
      {
        path,
      },
    );
  }
  const x = new Map<string, number>();
  const obj = raw as Record<string, unknown>;
  for (const key of keys) {
    const v = obj[key];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      const why = typeof v === "number" ? "is not finite" : `must be a number, got ${kindOf(v)}`;
      throw brookError("INVALID_FEATURES", `${path}.${key} ${why}`, { path: `${path}.${key}` });
    }
    x.set(key, v);
  }
  return x;
}

function lastKey(path: string): string {
  const dot = path.lastIndexOf(".");
  return dot < 0 ? path : path.slice(dot + 1);
}
