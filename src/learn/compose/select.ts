import type { Schema } from "../base/component.js";
import { DenseFeatures } from "../base/dense-features.js";
import { ParamError } from "../base/errors.js";
import { Transformer } from "../base/estimator.js";
import type { Features, FeatureValue, Json, RawFeatures } from "../base/types.js";
import { checkEmptyState, emptyState } from "../preprocessing/stateless.js";

/**
 * Collects a selector's output. All-numeric output becomes `DenseFeatures` whose names array is
 * the previous one when the key sequence repeats (so the next step skips resolving names);
 * output holding strings or booleans stays a `Map` of raw values.
 */
class Selection {
  private names: string[] = [];
  private values: FeatureValue[] = [];
  private numeric = true;
  private last: readonly string[] = [];

  start(): this {
    this.names = [];
    this.values = [];
    this.numeric = true;
    return this;
  }

  add(name: string, value: FeatureValue): void {
    this.names.push(name);
    this.values.push(value);
    if (typeof value !== "number") this.numeric = false;
  }

  finish(): Features {
    const { names, values } = this;
    if (!this.numeric) return new Map(names.map((n, i) => [n, values[i]!])) as unknown as Features;
    const last = this.last;
    const same = last.length === names.length && names.every((n, i) => n === last[i]);
    if (!same) this.last = names;
    return new DenseFeatures(same ? last : names, values as number[]);
  }
}

export interface SelectParams {
  keys: string[];
}

/** A stateless step that keeps or drops features by name (the common part of Select and Discard). */
abstract class ByName extends Transformer<SelectParams> {
  private readonly keySet: ReadonlySet<string>;
  private readonly out = new Selection();
  /** Whether the named features are the ones kept (Select) or the ones dropped (Discard). */
  protected abstract readonly keep: boolean;

  protected constructor(kind: string, schema: Schema, params: Partial<SelectParams> | undefined) {
    super(kind, schema, params);
    this.keySet = new Set(this.params.keys);
  }

  /** Routes features by name, whatever their type. */
  override get acceptsRaw(): boolean {
    return true;
  }

  learnOne(_x: RawFeatures): void {}

  transformOne(x: RawFeatures): Features {
    const out = this.out.start();
    x.forEach((value, name) => {
      if (this.keySet.has(name) === this.keep) out.add(name, value);
    });
    return out.finish();
  }

  exportState(): Json {
    return emptyState();
  }

  importState(data: Json): void {
    checkEmptyState(data, this.kind);
  }
}

function keysParam(doc: string) {
  return { name: "keys", type: { type: "strings" }, rest: true, default: () => [], doc } as const;
}

/**
 * Keeps the named features (River's `compose.Select(*keys)`), e.g. `Select("a", "b")`.
 *
 * Values pass through unchanged (strings stay strings), in x's key order. River iterates its key
 * set instead (string-hash order) and raises `KeyError` when x lacks a selected key; Brook keeps
 * x's order and skips a missing key, so a sparse x flows on as a sparse x.
 */
export class Select extends ByName {
  static readonly kind = "Select";
  static readonly schema: Schema = [keysParam("Names of the features to keep.")];
  protected readonly keep = true;

  constructor(params?: Partial<SelectParams>) {
    super(Select.kind, Select.schema, params);
  }
}

export type DiscardParams = SelectParams;

/** Drops the named features and keeps the others in x's order (River's `compose.Discard(*keys)`). */
export class Discard extends ByName {
  static readonly kind = "Discard";
  static readonly schema: Schema = [keysParam("Names of the features to drop.")];
  protected readonly keep = false;

  constructor(params?: Partial<DiscardParams>) {
    super(Discard.kind, Discard.schema, params);
  }
}

/** The value types SelectType can select. */
export type ValueType = "number" | "string" | "boolean";

/** Spellings accepted for each type (compared case-insensitively), River's Python names included. */
const TYPE_ALIASES: Record<string, ValueType> = {
  number: "number",
  num: "number",
  numeric: "number",
  "numbers.number": "number",
  "numbers.real": "number",
  float: "number",
  int: "number",
  "builtins.float": "number",
  "builtins.int": "number",
  str: "string",
  string: "string",
  "builtins.str": "string",
  bool: "boolean",
  boolean: "boolean",
  "builtins.bool": "boolean",
};

/** The value type a SelectType name stands for, or undefined if the name is unknown. */
export function valueTypeOf(name: string): ValueType | undefined {
  return TYPE_ALIASES[name.toLowerCase()];
}

export interface SelectTypeParams {
  types: string[];
}

/**
 * Keeps the features whose value is of one of the given types, in x's order (River's
 * `compose.SelectType(*types)`, an `isinstance` filter): `SelectType(number)`,
 * `SelectType(str)`, `SelectType(bool)`, or several at once.
 *
 * Accepted names: number, num, numeric, numbers.Number, float, int; str, string; bool, boolean
 * (case-insensitive, `builtins.` prefix allowed). JSON has one number type, so `float` and `int`
 * both mean any number (River's `SelectType(int)` would skip floats).
 *
 * Python's `bool` is a subclass of `int`, so `SelectType(numbers.Number)` keeps booleans too;
 * Brook does the same and hands them on as 1/0, so that numeric steps after a number selector
 * only ever see numbers. With `bool` among the types, booleans stay booleans.
 */
export class SelectType extends Transformer<SelectTypeParams> {
  static readonly kind = "SelectType";
  static readonly schema: Schema = [
    {
      name: "types",
      type: { type: "strings" },
      rest: true,
      default: () => [],
      doc: "Value types to keep: number, str or bool.",
    },
  ];
  private readonly out = new Selection();
  private readonly numbers: boolean;
  private readonly strings: boolean;
  private readonly booleans: boolean;

  constructor(params?: Partial<SelectTypeParams>) {
    super(SelectType.kind, SelectType.schema, params);
    const types = new Set<ValueType>();
    for (const name of this.params.types) {
      const t = valueTypeOf(name);
      if (!t) {
        throw new ParamError(
          `SelectType: unknown type "${name}" (use number, str or bool; aliases: ${Object.keys(TYPE_ALIASES).join(", ")})`,
        );
      }
      types.add(t);
    }
    this.numbers = types.has("number");
    this.strings = types.has("string");
    this.booleans = types.has("boolean");
  }

  /** The value types kept, canonical names. */
  get valueTypes(): ValueType[] {
    const out: ValueType[] = [];
    if (this.numbers) out.push("number");
    if (this.strings) out.push("string");
    if (this.booleans) out.push("boolean");
    return out;
  }

  /** Filters by type, so it takes any value. */
  override get acceptsRaw(): boolean {
    return true;
  }

  learnOne(_x: RawFeatures): void {}

  transformOne(x: RawFeatures): Features {
    const out = this.out.start();
    x.forEach((value, name) => {
      switch (typeof value) {
        case "number":
          if (this.numbers) out.add(name, value);
          break;
        case "string":
          if (this.strings) out.add(name, value);
          break;
        default:
          if (this.booleans) out.add(name, value);
          else if (this.numbers) out.add(name, value ? 1 : 0);
      }
    });
    return out.finish();
  }

  exportState(): Json {
    return emptyState();
  }

  importState(data: Json): void {
    checkEmptyState(data, SelectType.kind);
  }
}
