import { StateError } from "../base/errors.js";
import type { Value } from "../base/py-values.js";
import { decodeNumber, encodeNumber } from "../base/state.js";
import type { Json, JsonObject, Label } from "../base/types.js";

/**
 * JSON encodings shared by the tree's state: class labels, nominal feature values and plain
 * numbers, each validated on the way back (a bad state must throw a `StateError`).
 */

/** A nominal value as JSON; numbers JSON cannot hold exactly (NaN, ±Infinity, -0) are tagged. */
export function valueToJson(v: Value): Json {
  if (typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0))) return { num: encodeNumber(v) };
  return v;
}

/** Inverse of {@link valueToJson}. */
export function valueFromJson(j: Json | undefined, path: string): Value {
  if (typeof j === "string" || typeof j === "boolean") return j;
  if (typeof j === "number" && Number.isFinite(j)) return j;
  if (typeof j === "object" && j !== null && !Array.isArray(j)) {
    const n = decodeNumber((j as JsonObject).num);
    if (n !== undefined && Object.keys(j).length === 1) return n;
  }
  throw new StateError(`${path} must be a feature value (string, boolean or number)`);
}

/** A class label (boolean, string or finite number). */
export function labelFromJson(j: Json | undefined, path: string): Label {
  if (typeof j === "string" || typeof j === "boolean" || (typeof j === "number" && Number.isFinite(j)))
    return j;
  throw new StateError(`${path} must be a class label (boolean, string or number)`);
}

/** A number encoded with `encodeNumber`. */
export function numberFromJson(j: Json | undefined, path: string): number {
  const n = decodeNumber(j);
  if (n === undefined) throw new StateError(`${path} must be a number`);
  return n;
}

/** An array, or a `StateError`. */
export function arrayFromJson(j: Json | undefined, path: string, length?: number): Json[] {
  if (!Array.isArray(j) || (length !== undefined && j.length !== length)) {
    throw new StateError(`${path} must be an array${length === undefined ? "" : ` of ${length} items`}`);
  }
  return j;
}

/** An object, or a `StateError`. */
export function objectFromJson(j: Json | undefined, path: string): JsonObject {
  if (typeof j !== "object" || j === null || Array.isArray(j))
    throw new StateError(`${path} must be an object`);
  return j;
}

/** A string, or a `StateError`. */
export function stringFromJson(j: Json | undefined, path: string): string {
  if (typeof j !== "string") throw new StateError(`${path} must be a string`);
  return j;
}
