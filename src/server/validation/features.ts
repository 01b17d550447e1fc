import { internNames } from "../../codec/feature-names.js";
import { keysInOrder } from "../../codec/ordered-json.js";
import { brookError, clip, limitError } from "../../errors.js";
import { DenseFeatures } from "../../learn/base/dense-features.js";
import type { RawFeatures } from "../../learn/index.js";

function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  if (typeof v === "string")
    return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v)}`;
  return String(v);
}

/** What a model accepts as feature values. */
export interface FeaturePolicy {
  maxFeatures: number;
  /** Longest feature name (`--max-name-length`). */
  maxNameLength: number;
  /** Longest string value (`--max-string-length`). */
  maxStringLength: number;
  /** Strings and booleans too (the model has encoders or nominal splits), not only numbers. */
  raw: boolean;
  /** Names the model in the error when a string comes to a numbers-only model. */
  model: string;
}

/**
 * Validates a JSON feature object and converts it to an ordered feature map (wire order, even
 * for integer-like names). Values must be finite numbers, or also strings and booleans when
 * the model can consume them; `path` names the object in errors (e.g. `instances[3]`).
 */
export function toFeatures(raw: unknown, path: string, policy: FeaturePolicy): RawFeatures {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    if (raw === undefined) {
      throw brookError(
        "INVALID_REQUEST",
        `${path} is missing: send the features as {"${lastKey(path)}": {"name": value, ...}}`,
        {
          path,
        },
      );
    }
    throw brookError("INVALID_FEATURES", `${path} must be an object of feature values, got ${kindOf(raw)}`, {
      path,
    });
  }
  const keys = keysInOrder(raw);
  if (keys.length > policy.maxFeatures) {
    throw limitError(
      "max-features",
      policy.maxFeatures,
      `${path} has ${keys.length} features, more than the limit of ${policy.maxFeatures}`,
      { path },
      "INVALID_FEATURES",
    );
  }
  const obj = raw as Record<string, unknown>;
  const values: (number | string | boolean)[] = [];
  let numeric = true;
  for (const key of keys) {
    // Names are quoted in errors cut short: an error body never echoes unbounded input.
    if (key.length > policy.maxNameLength) {
      throw limitError(
        "max-name-length",
        policy.maxNameLength,
        `${path} has a feature name of ${key.length} characters, more than the limit of ${policy.maxNameLength}: ${JSON.stringify(clip(key, 40))}`,
        { path },
      );
    }
    const v = obj[key];
    if (typeof v === "number") {
      if (!Number.isFinite(v))
        throw brookError("INVALID_FEATURES", `${path}.${clip(key)} is not finite`, {
          path: `${path}.${clip(key)}`,
        });
    } else if (typeof v === "string" || typeof v === "boolean") {
      if (!policy.raw) {
        throw brookError(
          "INVALID_FEATURES",
          `${path}.${clip(key)} is ${kindOf(v)}, but model "${policy.model}" only takes numbers (put an encoder such as OneHotEncoder in its spec to use categorical values)`,
          { path: `${path}.${clip(key)}` },
        );
      }
      if (typeof v === "string" && v.length > policy.maxStringLength) {
        throw limitError(
          "max-string-length",
          policy.maxStringLength,
          `${path}.${clip(key)} is a string of ${v.length} characters, more than the limit of ${policy.maxStringLength}`,
          { path: `${path}.${clip(key)}` },
        );
      }
      numeric = false;
    } else {
      const expected = policy.raw ? "a number, a string or a boolean" : "a number";
      throw brookError("INVALID_FEATURES", `${path}.${clip(key)} must be ${expected}, got ${kindOf(v)}`, {
        path: `${path}.${clip(key)}`,
      });
    }
    values.push(v);
  }
  // All numbers: the light array form estimators read directly; otherwise an ordered map.
  if (numeric) return new DenseFeatures(internNames(keys), values as number[]);
  return new Map(keys.map((k, i) => [k, values[i]!]));
}

function lastKey(path: string): string {
  const dot = path.lastIndexOf(".");
  return dot < 0 ? path : path.slice(dot + 1);
}
