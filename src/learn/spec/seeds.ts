/**
 * Seeds left to chance. A component whose seed param is `None` draws its random numbers from a
 * fresh seed; a served model must not, because its replicas and replays would each draw their
 * own. The server draws such seeds once, when a model is created, records them with the model,
 * and builds the model with them every time.
 */
import type { Json, JsonObject } from "../base/types.js";
import { entropySeed } from "../math/python-random.js";
import { lookup } from "./registry.js";

/** Seeds by the path of their param in the spec's params, e.g. `steps[1].seed`. */
export type Seeds = Record<string, number>;

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Calls `visit` for every `{kind, params}` node of a JSON spec, with its params' path prefix. */
function walk(
  spec: Json,
  prefix: string,
  visit: (node: JsonObject, params: JsonObject, prefix: string) => void,
) {
  if (!isObject(spec) || typeof spec.kind !== "string" || !isObject(spec.params)) return;
  const params = spec.params;
  visit(spec, params, prefix);
  for (const [name, value] of Object.entries(params)) {
    const path = `${prefix}${name}`;
    if (!Array.isArray(value)) walk(value, `${path}.`, visit);
    else for (const [i, v] of value.entries()) walk(v, `${path}[${i}].`, visit);
  }
}

/** The paths of the seed params of `spec` (its full JSON form, `toSpec()`) that are left to chance. */
export function unseededPaths(spec: Json): string[] {
  const out: string[] = [];
  walk(spec, "", (node, params, prefix) => {
    for (const def of lookup(node.kind as string)?.schema ?? []) {
      if (def.type.type === "number" && def.type.random && params[def.name] === null)
        out.push(`${prefix}${def.name}`);
    }
  });
  return out;
}

/** Draws a seed for every param of `spec` left to chance (none: an empty record). */
export function drawSeeds(spec: Json, draw: () => number = entropySeed): Seeds {
  return Object.fromEntries(unseededPaths(spec).map((p) => [p, draw()]));
}

/** A copy of `spec` (full JSON form) with the given seeds in place. */
export function withSeeds(spec: Json, seeds: Seeds): Json {
  const copy = structuredClone(spec);
  walk(copy, "", (_node, params, prefix) => {
    for (const name of Object.keys(params)) {
      const seed = seeds[`${prefix}${name}`];
      if (seed !== undefined) params[name] = seed;
    }
  });
  return copy;
}
