import type { FeatureValue, Label } from "./types.js";

/**
 * Python's ordering and equality for class labels, feature names and nominal feature values,
 * which River relies on (`sorted(classes)`, `sorted(values)`, `dist[1]` finding the `True` class).
 */

/** A class label or a nominal feature value. */
export type Value = Label | FeatureValue;

/** Python's string order as a comparator: by code point (JS `<` compares UTF-16 units, which differs past U+FFFF). */
export function pyCompareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca - cb;
    // Equal astral code points span two units in both strings.
    if (ca > 0xffff) i++;
  }
  return a.length - b.length;
}

/** Python's `a < b` for strings. */
export function pyStrLess(a: string, b: string): boolean {
  return pyCompareStrings(a, b) < 0;
}

/**
 * Python's `a < b` as a comparator: booleans are the numbers 0 and 1, strings compare by code
 * point. Python refuses to order a string against a number; here numbers come first, so a
 * mixed set still sorts deterministically.
 */
export function pyCompare(a: Value, b: Value): number {
  const sa = typeof a === "string";
  const sb = typeof b === "string";
  if (sa && sb) return pyCompareStrings(a, b);
  if (sa !== sb) return sa ? 1 : -1;
  const na = Number(a);
  const nb = Number(b);
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** Python's `sorted(values)` (stable, so equal values keep their order). */
export function pySorted<T extends Value>(values: Iterable<T>): T[] {
  return [...values].sort(pyCompare);
}

/** Python's `a == b` for labels and values: `True == 1`, `False == 0.0`. */
export function pyEquals(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a === "string" || typeof b === "string") return false;
  return Number(a) === Number(b);
}

/** `map[key]` with Python's key equality (a `True` label is found under `1`); undefined if absent. */
export function pyGet<V>(map: ReadonlyMap<Value, V>, key: Value): V | undefined {
  const v = map.get(key);
  if (v !== undefined || typeof key === "string") return v;
  for (const [k, value] of map) if (pyEquals(k, key)) return value;
  return undefined;
}
