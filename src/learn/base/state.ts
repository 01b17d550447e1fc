import { StateError, StateValueError } from "./errors.js";
import type { Json, JsonObject, Label } from "./types.js";

/** Name of the state envelope format; bump `STATE_VERSION` when a state layout changes. */
export const STATE_FORMAT = "brook.state";
export const STATE_VERSION = 1;

/**
 * A versioned, data-only snapshot of an estimator: its kind and params (enough to rebuild it)
 * and its learned state. JSON-safe: non-finite numbers and -0 are written as strings so that
 * a round trip is bit-identical.
 */
export interface StateEnvelope {
  format: typeof STATE_FORMAT;
  version: number;
  kind: string;
  params: JsonObject;
  state: Json;
}

/** Encodes a double so that JSON keeps it exactly (NaN, ±Infinity and -0 become strings). */
export function encodeNumber(x: number): number | string {
  if (Number.isFinite(x)) return Object.is(x, -0) ? "-0" : x;
  return Number.isNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity";
}

/** Encodes a list of doubles with {@link encodeNumber}. */
export function encodeNumbers(xs: ArrayLike<number>, length = xs.length): (number | string)[] {
  const out = new Array<number | string>(length);
  for (let i = 0; i < length; i++) out[i] = encodeNumber(xs[i]!);
  return out;
}

const SPECIAL: Record<string, number> = {
  NaN: Number.NaN,
  Infinity: Infinity,
  "-Infinity": -Infinity,
  "-0": -0,
};

/** Inverse of {@link encodeNumber}; `undefined` when `v` is not an encoded number. */
export function decodeNumber(v: Json | undefined): number | undefined {
  if (typeof v === "number") return v;
  // Own keys only: an inherited name ("constructor", "toString") is not an encoded number.
  if (typeof v === "string" && Object.hasOwn(SPECIAL, v)) return SPECIAL[v];
  return undefined;
}

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Reads a state object field by field, validating as it goes. Every failure is a
 * `StateError` naming the path, so a bad envelope never half-loads into a model.
 */
export class StateReader {
  private readonly data: JsonObject;
  constructor(
    data: Json | undefined,
    private readonly path: string,
  ) {
    if (!isObject(data)) throw new StateError(`${path} must be an object`);
    this.data = data;
  }

  /** The field `key` when the object has it as its own (never an inherited `constructor`...). */
  private get(key: string): Json | undefined {
    return Object.hasOwn(this.data, key) ? this.data[key] : undefined;
  }

  private fail(key: string, what: string): never {
    throw new StateError(`${this.path}.${key} must be ${what}`);
  }

  /** A well-typed value that no learned state can hold (422, not 400). */
  private refuse(key: string, what: string): never {
    throw new StateValueError(`${this.path}.${key} must be ${what}`);
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  raw(key: string): Json {
    const v = this.get(key);
    if (v === undefined) this.fail(key, "present");
    return v;
  }

  object(key: string): StateReader {
    return new StateReader(this.raw(key), `${this.path}.${key}`);
  }

  number(key: string): number {
    const v = decodeNumber(this.get(key));
    if (v === undefined) this.fail(key, "a number");
    return v;
  }

  /** A number >= 0 (a weighted count, a sum of squares); NaN is refused too. */
  nonNegative(key: string): number {
    const v = this.number(key);
    if (!(v >= 0)) this.refuse(key, "a number >= 0");
    return v;
  }

  /** A non-negative integer (counts, iteration numbers). */
  count(key: string): number {
    const v = this.get(key);
    if (typeof v !== "number") this.fail(key, "a non-negative integer");
    if (!Number.isSafeInteger(v) || v < 0) this.refuse(key, "a non-negative integer");
    return v;
  }

  boolean(key: string): boolean {
    const v = this.get(key);
    if (typeof v !== "boolean") this.fail(key, "a boolean");
    return v;
  }

  numbers(key: string, length?: number): Float64Array {
    const v = this.get(key);
    if (!Array.isArray(v) || (length !== undefined && v.length !== length)) {
      this.fail(key, length === undefined ? "an array of numbers" : `an array of ${length} numbers`);
    }
    const out = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const x = decodeNumber(v[i]);
      if (x === undefined) this.fail(`${key}[${i}]`, "a number");
      out[i] = x;
    }
    return out;
  }

  /** Numbers >= 0 (weighted counts, variances, sums of squares). */
  nonNegatives(key: string, length?: number): Float64Array {
    const out = this.numbers(key, length);
    for (let i = 0; i < out.length; i++) if (!(out[i]! >= 0)) this.refuse(`${key}[${i}]`, "a number >= 0");
    return out;
  }

  /** Non-negative integers (counts of examples). */
  counts(key: string, length?: number): Float64Array {
    const out = this.numbers(key, length);
    for (let i = 0; i < out.length; i++) {
      if (!Number.isSafeInteger(out[i]!) || out[i]! < 0)
        this.refuse(`${key}[${i}]`, "a non-negative integer");
    }
    return out;
  }

  /** Distinct strings, e.g. feature names in insertion order. */
  names(key: string): string[] {
    const v = this.get(key);
    if (!Array.isArray(v) || !v.every((s) => typeof s === "string")) this.fail(key, "an array of strings");
    const names = v as string[];
    if (new Set(names).size !== names.length) this.fail(key, "an array of distinct strings");
    return names;
  }

  /** Distinct class labels (booleans, strings or numbers). */
  labels(key: string): Label[] {
    const v = this.get(key);
    if (!Array.isArray(v)) this.fail(key, "an array of labels");
    const out: Label[] = [];
    for (const l of v) {
      if (typeof l !== "boolean" && typeof l !== "string" && typeof l !== "number") {
        this.fail(key, "an array of labels (booleans, strings or numbers)");
      }
      out.push(l);
    }
    if (new Set(out).size !== out.length) this.fail(key, "an array of distinct labels");
    return out;
  }

  array(key: string): Json[] {
    const v = this.get(key);
    if (!Array.isArray(v)) this.fail(key, "an array");
    return v;
  }
}

/**
 * The path of the first encoded non-finite number ("NaN", "Infinity", "-Infinity") in `v`, to
 * name it in a refusal; `undefined` when there is none. (A string feature or label spelled
 * that way is reported too: callers ask only once a loaded state has proved non-finite.)
 */
export function nonFinitePath(v: Json | undefined, path: string): string | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? undefined : path;
  if (typeof v === "string") return v === "NaN" || v === "Infinity" || v === "-Infinity" ? path : undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const found = nonFinitePath(v[i], `${path}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (isObject(v)) {
    for (const key of Object.keys(v)) {
      const found = nonFinitePath(v[key], `${path}.${key}`);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
