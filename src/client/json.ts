/**
 * Request bodies as JSON text, with `Map`s written as objects in their own order: features sent
 * as a Map keep integer-like names where they are ("1" after "b"), which `JSON.stringify` of a
 * plain object cannot do.
 */

/** `value` as JSON text; Maps become objects (in insertion order), `undefined` fields are left out. */
export function toJson(value: unknown): string {
  if (value instanceof Map) {
    let out = "{";
    let first = true;
    for (const [k, v] of value) {
      if (v === undefined) continue;
      out += `${first ? "" : ","}${JSON.stringify(String(k))}:${toJson(v)}`;
      first = false;
    }
    return `${out}}`;
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : toJson(v))).join(",")}]`;
  if (typeof value === "object" && value !== null && !hasToJson(value)) {
    let out = "{";
    let first = true;
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      out += `${first ? "" : ","}${JSON.stringify(k)}:${toJson(v)}`;
      first = false;
    }
    return `${out}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function hasToJson(value: object): boolean {
  return typeof (value as { toJSON?: unknown }).toJSON === "function";
}
