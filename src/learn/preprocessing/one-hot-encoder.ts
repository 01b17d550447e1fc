import type { Schema } from "../base/component.js";
import { DenseFeatures } from "../base/dense-features.js";
import { StateError } from "../base/errors.js";
import { Transformer } from "../base/estimator.js";
import { FeatureIndex } from "../base/feature-index.js";
import { pyStrLess } from "../base/py-values.js";
import { StateReader } from "../base/state.js";
import type { FeatureValue, Json, RawFeatures } from "../base/types.js";
import { pyRepr } from "../math/py-format.js";

export interface OneHotEncoderParams {
  /** Emit only the 1s of the current x (and learn nothing). */
  drop_zeros: boolean;
  /** Drop the smallest key of each output (k - 1 dummies for k levels). */
  drop_first: boolean;
}

/**
 * A value as Python's `str()` writes it inside River's `f"{feature}_{value}"`: strings as they
 * are, booleans as `True`/`False`, floats with `repr`. JSON cannot tell `1` from `1.0`, so an
 * integral number is written like a Python int (`1`), other numbers like a float (`0.5`, `1e-07`).
 */
export function pyStr(value: FeatureValue): string {
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "True" : "False";
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return String(value);
  return pyRepr(value);
}

/** The output keys of the zeros, shared by every output until a new value is learned. */
interface Layout {
  readonly names: readonly string[];
  /** Position of each key in `names`. */
  readonly position: Map<string, number>;
  /** Per feature slot: position of each value text's key. */
  readonly bySlot: Map<string, number>[];
}

/**
 * One-hot encoding (River's `preprocessing.OneHotEncoder(drop_zeros=False, drop_first=False)`).
 *
 * `learnOne` records every value seen per feature. `transformOne` emits a 0 for every known
 * `feature_value` (features in first-seen order, each feature's values grouped together), then
 * sets `feature_value` = 1 for each value of x (appended if that value was never learned).
 * Every feature of x is encoded, numbers included: compose with `SelectType(str)` or
 * `Select(...)` to encode only some.
 *
 * Order: River keeps each feature's values in a Python set, so their order follows string
 * hashing (randomized per process unless PYTHONHASHSEED is set). Brook uses first-seen order,
 * which is deterministic; downstream float sums can differ from a given River run only in the
 * last bits. Values are compared by their text, so `1` and `True` are two values here (Python's
 * set merges them because `1 == True`). List and set values (encoded per element in River) do not
 * exist in Brook's feature model.
 *
 * `drop_first` removes the smallest key in Python's string order; on an empty output River's
 * `min()` raises, Brook returns the empty output.
 */
export class OneHotEncoder extends Transformer<OneHotEncoderParams> {
  static readonly kind = "OneHotEncoder";
  static readonly schema: Schema = [
    {
      name: "drop_zeros",
      type: { type: "boolean" },
      default: () => false,
      doc: "Emit only the current x's 1s; nothing is learned.",
    },
    {
      name: "drop_first",
      type: { type: "boolean" },
      default: () => false,
      doc: "Drop the smallest output key (k - 1 dummies).",
    },
  ];

  private index = new FeatureIndex();
  /** Per feature slot: the value texts in first-seen order (the learned state). */
  private values: string[][] = [];
  /** Per feature slot: the same texts as a set, for membership. */
  private seen: Set<string>[] = [];
  /** Per feature slot: text of each raw value learned (a cache: formatting numbers is slow). */
  private texts: Map<FeatureValue, string>[] = [];
  /** Where the zeros go in the output; rebuilt after learning adds a value. */
  private layout: Layout | undefined;

  constructor(params?: Partial<OneHotEncoderParams>) {
    super(OneHotEncoder.kind, OneHotEncoder.schema, params);
  }

  /** Takes strings and booleans: encoding them is its job. */
  override get acceptsRaw(): boolean {
    return true;
  }

  learnOne(x: RawFeatures): void {
    if (this.params.drop_zeros) return;
    x.forEach((value, name) => {
      let s = this.index.slotOf(name);
      if (s < 0) {
        s = this.index.add(name);
        this.values.push([]);
        this.seen.push(new Set());
        this.texts.push(new Map());
      }
      const cache = this.texts[s]!;
      if (cache.has(value)) return;
      const text = pyStr(value);
      cache.set(value, text);
      const seen = this.seen[s]!;
      if (seen.has(text)) return;
      seen.add(text);
      this.values[s]!.push(text);
      this.layout = undefined;
    });
  }

  transformOne(x: RawFeatures): DenseFeatures {
    const layout = this.getLayout();
    let names = layout.names;
    const values: number[] = new Array(names.length).fill(0);
    // Keys of x's values that are not among the zeros (unseen values, or drop_zeros).
    let extra: Map<string, number> | undefined;
    x.forEach((value, name) => {
      const s = this.index.slotOf(name);
      const text = (s < 0 ? undefined : this.texts[s]!.get(value)) ?? pyStr(value);
      let pos = s < 0 ? undefined : layout.bySlot[s]!.get(text);
      if (pos === undefined) {
        // Another feature's known key can coincide ("a" + "b_c" vs "a_b" + "c"): one dict key in River.
        const key = `${name}_${text}`;
        pos = layout.position.get(key);
        if (pos === undefined) {
          extra ??= new Map();
          if (!extra.has(key)) extra.set(key, extra.size);
          return;
        }
      }
      values[pos] = 1;
    });
    if (extra !== undefined) {
      names = names.concat([...extra.keys()]);
      for (let i = 0; i < extra.size; i++) values.push(1);
    }
    if (this.params.drop_first && names.length > 0) {
      let first = 0;
      for (let i = 1; i < names.length; i++) if (pyStrLess(names[i]!, names[first]!)) first = i;
      names = names.filter((_, i) => i !== first);
      values.splice(first, 1);
    }
    return new DenseFeatures(names, values);
  }

  /** The zeros' keys (features in first-seen order, each one's values together), and their positions. */
  private getLayout(): Layout {
    if (this.layout !== undefined) return this.layout;
    const names: string[] = [];
    const position = new Map<string, number>();
    const bySlot = this.values.map((texts, s) => {
      const feature = this.index.names[s]!;
      const positions = new Map<string, number>();
      for (const text of texts) {
        const key = `${feature}_${text}`;
        let p = position.get(key);
        if (p === undefined) {
          p = names.length;
          position.set(key, p);
          names.push(key);
        }
        positions.set(text, p);
      }
      return positions;
    });
    this.layout = { names, position, bySlot };
    return this.layout;
  }

  /** The learned values per feature, in first-seen order. */
  get categories(): Map<string, string[]> {
    return new Map(this.index.names.map((name, s) => [name, this.values[s]!.slice()]));
  }

  exportState(): Json {
    return { names: this.index.names.slice(), values: this.values.map((v) => v.slice()) };
  }

  importState(data: Json): void {
    const r = new StateReader(data, "OneHotEncoder");
    const names = r.names("names");
    const lists = r.array("values");
    if (lists.length !== names.length) {
      throw new StateError(`OneHotEncoder.values must hold ${names.length} lists (one per feature)`);
    }
    const values = lists.map((list, i) => {
      if (!Array.isArray(list) || !list.every((v) => typeof v === "string")) {
        throw new StateError(`OneHotEncoder.values[${i}] must be an array of strings`);
      }
      if (new Set(list).size !== list.length) {
        throw new StateError(`OneHotEncoder.values[${i}] must hold distinct strings`);
      }
      return list as string[];
    });
    this.index = FeatureIndex.from(names);
    this.values = values.map((v) => v.slice());
    this.seen = values.map((v) => new Set(v));
    this.texts = values.map(() => new Map());
    this.layout = undefined;
  }
}
