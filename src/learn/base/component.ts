import { ParamError, StateError } from "./errors.js";
import { FeatureIndex } from "./feature-index.js";
import { STATE_FORMAT, STATE_VERSION, type StateEnvelope } from "./state.js";
import type { Json, JsonObject } from "./types.js";

/** What a component is for; a param that takes a component names the families it accepts. */
export type Family =
  | "transformer"
  | "classifier"
  | "regressor"
  | "anomaly"
  | "forecaster"
  | "drift"
  | "optimizer"
  | "scheduler"
  | "loss"
  | "initializer"
  | "metric"
  /** How a Hoeffding tree observes a numeric feature (GaussianSplitter, EBSTSplitter). */
  | "splitter";

/** The type of one constructor parameter. */
export type ParamType =
  | {
      type: "number";
      min?: number;
      max?: number;
      /** `min` itself is not allowed. */
      exclusiveMin?: boolean;
      integer?: boolean;
      /** `null` is allowed (River's `None`). */
      nullable?: boolean;
      /**
       * A seed: `null` draws a fresh random one. The server fixes such seeds when a model is
       * created (spec/seeds.ts), so that a served model stays a function of its log.
       */
      random?: boolean;
    }
  | { type: "boolean" }
  | { type: "string"; choices?: readonly string[] }
  /** A class label: boolean, string or number. */
  | { type: "label" }
  | {
      type: "component";
      families: readonly Family[];
      /** A bare number is accepted too (e.g. a learning rate instead of a scheduler). */
      number?: { min?: number; exclusiveMin?: boolean };
    }
  | { type: "components"; families: readonly Family[]; minItems?: number }
  /** A list of strings (e.g. feature names); `nullable` also allows `null` (River's `None`). */
  | { type: "strings"; nullable?: boolean };

/** One constructor parameter: the schema is the constructor's contract, in positional order. */
export interface ParamDef {
  readonly name: string;
  readonly type: ParamType;
  /** Takes every remaining positional argument of a spec string, like Python's `*args` (list types only). */
  readonly rest?: boolean;
  /** Returns a fresh default value (components must not be shared between estimators). */
  readonly default: () => unknown;
  readonly doc: string;
}

export type Schema = readonly ParamDef[];

/**
 * Base class of everything a spec can name: estimators, optimizers, losses, schedulers,
 * initializers and metrics. The constructor takes one params object; missing params get
 * their defaults and every value is validated against the class's schema.
 */
export abstract class Component<P extends object = object> {
  /** The class name used in specs, params and state envelopes. */
  readonly kind: string;
  readonly params: Readonly<P>;
  abstract readonly family: Family;

  /**
   * Whether the component takes string and boolean feature values (encoders, selectors,
   * trees with nominal splits). Numeric estimators do not: the server rejects such values
   * with a 400 before they reach them.
   */
  get acceptsRaw(): boolean {
    return false;
  }

  protected constructor(kind: string, schema: Schema, params: Partial<P> | undefined) {
    this.kind = kind;
    this.params = Object.freeze(resolveParams(kind, schema, (params ?? {}) as Record<string, unknown>)) as P;
  }

  /** Constructor params as plain JSON; nested components become `{kind, params}`. */
  getParams(): JsonObject {
    return paramsToJson(this.params as Record<string, unknown>);
  }

  /** The JSON spec that builds an equal, unfitted component: `{kind, params}`. */
  toSpec(): JsonObject {
    return { kind: this.kind, params: this.getParams() };
  }

  /** A fresh, unfitted copy with the same params (nested components are cloned too). */
  clone(): this {
    const ctor = this.constructor as new (params: Record<string, unknown>) => this;
    return new ctor(cloneParams(this.params as Record<string, unknown>));
  }

  /** Learned state without the envelope; nested components export theirs inside it. */
  abstract exportState(): Json;

  /** Replaces the learned state with `data` (validated first: a bad state changes nothing). */
  abstract importState(data: Json): void;

  /**
   * Whether every number of the learned state is finite: the server refuses a learn or an
   * import that would break this. The default walks the component's own fields (typed arrays,
   * arrays, maps, plain objects and nested components, which answer for themselves); a family
   * whose state holds deliberate infinities overrides it.
   */
  stateIsFinite(): boolean {
    const own = this as unknown as Record<string, unknown>;
    const keys = Object.keys(own);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (key !== "params" && !allFinite(own[key])) return false;
    }
    // Params are validated finite numbers; nested components (an optimizer) hold state.
    const params = this.params as Record<string, unknown>;
    const names = Object.keys(params);
    for (let i = 0; i < names.length; i++) {
      const v = params[names[i]!];
      if (typeof v === "object" && v !== null && !allFinite(v)) return false;
    }
    return true;
  }

  /**
   * {@link stateIsFinite} right after a `learnOne`, for a state that was finite before it (what
   * the server's guard asks after every learn). The default checks everything; a family whose
   * learn touches a small part of a large state (a tree: one leaf) checks that part.
   */
  learnedStateIsFinite(): boolean {
    return this.stateIsFinite();
  }

  /** The learned state in a versioned, data-only envelope. */
  toState(): StateEnvelope {
    return {
      format: STATE_FORMAT,
      version: STATE_VERSION,
      kind: this.kind,
      params: this.getParams(),
      state: this.exportState(),
    };
  }

  /** Loads an envelope made by `toState()` of an estimator with the same kind and params. */
  fromState(envelope: StateEnvelope): this {
    checkEnvelope(envelope);
    if (envelope.kind !== this.kind) {
      throw new StateError(`state is for a ${envelope.kind}, not a ${this.kind}`);
    }
    if (JSON.stringify(envelope.params) !== JSON.stringify(this.getParams())) {
      throw new StateError(`state was made with other ${this.kind} params`);
    }
    this.importState(envelope.state);
    return this;
  }
}

/** Validates the envelope's frame (not its state, which the estimator validates). */
export function checkEnvelope(envelope: unknown): asserts envelope is StateEnvelope {
  const e = envelope as Partial<StateEnvelope> | null;
  if (typeof e !== "object" || e === null || Array.isArray(e))
    throw new StateError("state envelope must be an object");
  if (e.format !== STATE_FORMAT) throw new StateError(`state envelope format must be "${STATE_FORMAT}"`);
  if (e.version !== STATE_VERSION) {
    throw new StateError(
      `state envelope version ${String(e.version)} is not supported (expected ${STATE_VERSION})`,
    );
  }
  if (typeof e.kind !== "string") throw new StateError("state envelope kind must be a string");
  if (typeof e.params !== "object" || e.params === null || Array.isArray(e.params)) {
    throw new StateError("state envelope params must be an object");
  }
  if (e.state === undefined) throw new StateError("state envelope has no state");
}

function describe(t: ParamType): string {
  switch (t.type) {
    case "number": {
      const parts = [t.integer ? "an integer" : "a number"];
      if (t.min !== undefined) parts.push(`${t.exclusiveMin ? ">" : ">="} ${t.min}`);
      if (t.max !== undefined) parts.push(`<= ${t.max}`);
      return parts.join(" ") + (t.nullable ? " or null" : "");
    }
    case "boolean":
      return "a boolean";
    case "label":
      return "a class label (boolean, string or number)";
    case "string":
      return t.choices ? `one of ${t.choices.map((c) => JSON.stringify(c)).join(", ")}` : "a string";
    case "component":
      return `${t.number ? "a number or " : ""}${article(t.families[0] ?? "")} ${t.families.join(" or ")}`;
    case "components":
      return `a list of ${t.families.join(" or ")} components`;
    case "strings":
      return `a list of strings${t.nullable ? " or null" : ""}`;
  }
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? "an" : "a";
}

function numberOk(
  v: unknown,
  t: { min?: number; max?: number; exclusiveMin?: boolean; integer?: boolean },
): boolean {
  if (typeof v !== "number" || !Number.isFinite(v)) return false;
  if (t.integer && !Number.isInteger(v)) return false;
  if (t.min !== undefined && (t.exclusiveMin ? v <= t.min : v < t.min)) return false;
  if (t.max !== undefined && v > t.max) return false;
  return true;
}

function isComponentOf(v: unknown, families: readonly Family[]): v is Component {
  return v instanceof Component && families.includes(v.family);
}

/** Whether `v` is a valid value for a param of type `t`. */
export function valueFits(v: unknown, t: ParamType): boolean {
  switch (t.type) {
    case "number":
      return (t.nullable === true && v === null) || numberOk(v, t);
    case "boolean":
      return typeof v === "boolean";
    case "label":
      return typeof v === "boolean" || typeof v === "string" || (typeof v === "number" && Number.isFinite(v));
    case "string":
      return typeof v === "string" && (!t.choices || t.choices.includes(v));
    case "component":
      return isComponentOf(v, t.families) || (t.number !== undefined && numberOk(v, t.number));
    case "components":
      return (
        Array.isArray(v) && v.length >= (t.minItems ?? 0) && v.every((c) => isComponentOf(c, t.families))
      );
    case "strings":
      return (
        (t.nullable === true && v === null) || (Array.isArray(v) && v.every((s) => typeof s === "string"))
      );
  }
}

/** Fills defaults and validates every value; unknown names are errors. */
export function resolveParams(
  kind: string,
  schema: Schema,
  given: Record<string, unknown>,
): Record<string, unknown> {
  for (const name of Object.keys(given)) {
    if (given[name] !== undefined && !schema.some((d) => d.name === name)) {
      const known = schema.map((d) => d.name).join(", ") || "none";
      throw new ParamError(`${kind} has no parameter "${name}" (its parameters: ${known})`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const def of schema) {
    const v = given[def.name] === undefined ? def.default() : given[def.name];
    if (!valueFits(v, def.type)) {
      throw new ParamError(`${kind}.${def.name} must be ${describe(def.type)}, got ${show(v)}`);
    }
    out[def.name] = v;
  }
  return out;
}

function show(v: unknown): string {
  if (v instanceof Component) return v.kind;
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function valueToJson(v: unknown): Json {
  if (v instanceof Component) return v.toSpec();
  if (Array.isArray(v)) return v.map(valueToJson);
  return v as Json;
}

/** Params as JSON, nested components as `{kind, params}`. */
export function paramsToJson(params: Record<string, unknown>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(params)) out[k] = valueToJson(v);
  return out;
}

function cloneValue(v: unknown): unknown {
  if (v instanceof Component) return v.clone();
  if (Array.isArray(v)) return v.map(cloneValue);
  return v;
}

/** Params with every nested component replaced by a fresh clone. */
export function cloneParams(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) out[k] = cloneValue(v);
  return out;
}

/**
 * Whether every number reachable from `root` is finite. Iterative (a splitter's search tree
 * can be deep); components met on the way answer with their own {@link Component.stateIsFinite}.
 * Map keys are not checked: they are labels, names and feature values, all inputs (validated
 * finite), never computed. Learned state holds no cycles, so no visited set is kept.
 */
export function allFinite(root: unknown): boolean {
  if (typeof root !== "object" || root === null) return typeof root !== "number" || Number.isFinite(root);
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === "number") {
      if (!Number.isFinite(v)) return false;
    } else if (typeof v !== "object" || v === null) {
      // strings, booleans: nothing to check
    } else if (v instanceof Float64Array || v instanceof Float32Array) {
      for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) return false;
    } else if (ArrayBuffer.isView(v) || v instanceof FeatureIndex) {
      // Integer typed arrays (slots, stamps) are finite by construction; a feature index holds
      // names, slots and the last example's values (inputs, not learned state).
    } else if (v instanceof Component) {
      if (!v.stateIsFinite()) return false;
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const item = v[i];
        if (typeof item === "number") {
          if (!Number.isFinite(item)) return false;
        } else if (typeof item === "object" && item !== null) stack.push(item);
      }
    } else if (v instanceof Map) {
      for (const item of v.values()) stack.push(item);
    } else if (v instanceof Set) {
      for (const item of v) stack.push(item);
    } else {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      for (let i = 0; i < keys.length; i++) {
        const item = o[keys[i]!];
        if (typeof item === "number") {
          if (!Number.isFinite(item)) return false;
        } else if (typeof item === "object" && item !== null) stack.push(item);
      }
    }
  }
  return true;
}

/** Whether the first `n` values of `a` are finite (per-feature statistics kept with spare capacity). */
export function finitePrefix(a: ArrayLike<number>, n: number): boolean {
  for (let i = 0; i < n; i++) if (!Number.isFinite(a[i]!)) return false;
  return true;
}
