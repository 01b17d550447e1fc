import { Component, checkEnvelope, type ParamDef, type ParamType } from "../base/component.js";
import { LearnError, SpecError } from "../base/errors.js";
import type { StateEnvelope } from "../base/state.js";
import type { Json, JsonObject } from "../base/types.js";
import { type Ast, parseSpecString } from "./parse.js";
import { type ComponentClass, closestKind, lookup } from "./registry.js";

/**
 * A model spec: a River-like string (`"StandardScaler | LogisticRegression(l2=0.001)"`) or the
 * equivalent JSON (`{"kind": "Pipeline", "params": {"steps": [...]}}`, which is exactly what
 * `getParams()` gives, or a JSON array as shorthand for a pipeline).
 */
export type Spec = string | Json;

/** River module prefixes that may be pasted in front of a name (`linear_model.LogisticRegression`). */
function bareName(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot < 0 ? name : name.slice(dot + 1);
}

function unknownKind(name: string): string {
  const hint = closestKind(name);
  return `unknown name "${name}"${hint ? ` (did you mean ${hint}?)` : ""}`;
}

/** Source positions of the JSON nodes made from a spec string, for error messages. */
type Positions = WeakMap<object, number>;

/** Converts a parsed spec string into the JSON spec, checking names and arguments on the way. */
function astToJson(ast: Ast, positions: Positions): Json {
  switch (ast.type) {
    case "number":
    case "string":
    case "boolean":
      return ast.value;
    case "null":
      return null;
    case "list":
      return ast.items.map((item) => astToJson(item, positions));
    case "pipe":
    case "union": {
      const [kind, key] = ast.type === "pipe" ? ["Pipeline", "steps"] : ["TransformerUnion", "transformers"];
      if (!lookup(kind)) throw new SpecError(`"+" (${kind}) is not supported`, ast.pos);
      const items = ast.items.flatMap((item) => {
        const json = astToJson(item, positions) as JsonObject;
        // River flattens: (a | b) | c is one pipeline of three steps, (a + b) + c one union.
        return json.kind === kind ? ((json.params as JsonObject)[key] as Json[]) : [json];
      });
      const node: JsonObject = { kind, params: { [key]: items } };
      positions.set(node, ast.pos);
      return node;
    }
    case "call": {
      const name = bareName(ast.name);
      const cls = lookup(name);
      if (!cls) throw new SpecError(unknownKind(ast.name), ast.pos);
      const params: JsonObject = {};
      let positional = 0;
      for (const arg of ast.args) {
        let def: ParamDef | undefined;
        if (arg.name === undefined) {
          def = cls.schema[positional];
          if (def?.rest) {
            // A *args param takes this and every following positional argument.
            if (params[def.name] === undefined) params[def.name] = [];
            (params[def.name] as Json[]).push(argToJson(arg.value, { type: "string" }, positions));
            continue;
          }
          positional++;
          if (!def) {
            throw new SpecError(`${name} takes at most ${cls.schema.length} positional argument(s)`, arg.pos);
          }
        } else {
          def = cls.schema.find((d) => d.name === arg.name);
          if (!def) {
            const known = cls.schema.map((d) => d.name).join(", ") || "none";
            throw new SpecError(`${name} has no parameter "${arg.name}" (its parameters: ${known})`, arg.pos);
          }
        }
        if (def.name in params) throw new SpecError(`${name}.${def.name} is given twice`, arg.pos);
        params[def.name] = argToJson(arg.value, def.type, positions);
      }
      const node: JsonObject = { kind: name, params };
      positions.set(node, ast.pos);
      return node;
    }
  }
}

/**
 * An argument value. Where a string is expected, a bare name that is not a component is the
 * string itself, so `SelectType(str)` reads like River's `SelectType(str)`.
 */
function argToJson(value: Ast, type: ParamType, positions: Positions): Json {
  const stringy = type.type === "string" || type.type === "strings";
  if (stringy && value.type === "call" && value.args.length === 0 && !lookup(bareName(value.name))) {
    return type.type === "strings" ? [value.name] : value.name;
  }
  if (type.type === "strings" && value.type === "list") {
    return value.items.map((item) => argToJson(item, { type: "string" }, positions));
  }
  return astToJson(value, positions);
}

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function where(path: string, node: object, positions: Positions | undefined): (msg: string) => SpecError {
  const pos = positions?.get(node);
  return (msg) => (pos !== undefined ? new SpecError(msg, pos) : new SpecError(`${path}: ${msg}`));
}

/** Builds a param value: nested specs become components, the rest is passed on as is. */
function buildValue(v: Json, type: ParamType, path: string, positions: Positions | undefined): unknown {
  if (type.type === "component" && (isObject(v) || Array.isArray(v))) return buildNode(v, path, positions);
  if (type.type === "components" && Array.isArray(v)) {
    return v.map((item, i) => buildNode(item, `${path}[${i}]`, positions));
  }
  return v;
}

function buildNode(spec: Json, path: string, positions: Positions | undefined): Component {
  if (Array.isArray(spec)) return buildNode({ kind: "Pipeline", params: { steps: spec } }, path, positions);
  if (typeof spec === "string") return buildNode(specStringToJson(spec), path, undefined);
  if (!isObject(spec))
    throw new SpecError(`${path}: expected {"kind": ..., "params": {...}}, got ${JSON.stringify(spec)}`);
  const fail = where(path, spec, positions);
  for (const key of Object.keys(spec)) {
    if (key !== "kind" && key !== "params")
      throw fail(`unexpected key "${key}" (a spec has "kind" and "params")`);
  }
  if (typeof spec.kind !== "string") throw fail(`"kind" must be a string`);
  const cls: ComponentClass | undefined = lookup(spec.kind);
  if (!cls) throw fail(unknownKind(spec.kind));
  const given = spec.params ?? {};
  if (!isObject(given)) throw fail(`${spec.kind} params must be an object`);
  const params: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(given)) {
    const def = cls.schema.find((d) => d.name === name);
    if (!def) {
      const known = cls.schema.map((d) => d.name).join(", ") || "none";
      throw fail(`${spec.kind} has no parameter "${name}" (its parameters: ${known})`);
    }
    params[name] = buildValue(value, def.type, `${path}.params.${name}`, positions);
  }
  try {
    return new cls(params);
  } catch (err) {
    if (err instanceof SpecError) throw err;
    if (err instanceof LearnError) throw fail(err.message);
    throw err;
  }
}

/** Parses a spec string into its JSON form (names resolved, positional arguments named). */
export function specStringToJson(src: string): Json {
  return astToJson(parseSpecString(src), new WeakMap());
}

/**
 * Builds a fresh component (estimator, pipeline, metric, ...) from a spec string or JSON.
 * Errors are `SpecError`s that say what is wrong and where (character or JSON path).
 */
export function build(spec: Spec): Component {
  if (typeof spec === "string") {
    const positions: Positions = new WeakMap();
    return buildNode(astToJson(parseSpecString(spec), positions), "spec", positions);
  }
  return buildNode(spec, "spec", undefined);
}

/** Rebuilds a component from a state envelope: its params, then its learned state. */
export function restore(envelope: StateEnvelope): Component {
  checkEnvelope(envelope);
  const component = build({ kind: envelope.kind, params: envelope.params });
  component.importState(envelope.state);
  return component;
}

/** A River-like spec string for a component, with only the params that differ from defaults. */
export function describe(component: Component): string {
  const { steps, transformers } = component.params as { steps?: Component[]; transformers?: Component[] };
  if (component.kind === "Pipeline" && steps) {
    // "+" binds tighter than "|", so only nested pipelines need parentheses.
    return steps.map((s) => (s.kind === "Pipeline" ? `(${describe(s)})` : describe(s))).join(" | ");
  }
  if (component.kind === "TransformerUnion" && transformers) {
    return transformers
      .map((t) => (t.kind === "Pipeline" || t.kind === "TransformerUnion" ? `(${describe(t)})` : describe(t)))
      .join(" + ");
  }
  const cls = lookup(component.kind);
  const args: string[] = [];
  for (const def of cls?.schema ?? []) {
    const v = (component.params as Record<string, unknown>)[def.name];
    const dflt = def.default();
    if (sameValue(v, dflt)) continue;
    args.push(`${def.name}=${describeValue(v)}`);
  }
  return args.length ? `${component.kind}(${args.join(", ")})` : component.kind;
}

function sameValue(a: unknown, b: unknown): boolean {
  const norm = (v: unknown): unknown => (v instanceof Component ? v.toSpec() : v);
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

function describeValue(v: unknown): string {
  if (v instanceof Component) return describe(v);
  if (typeof v === "boolean") return v ? "True" : "False";
  if (v === null) return "None";
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(describeValue).join(", ")}]`;
  return String(v);
}
