import type { Schema } from "../base/component.js";
import { DenseFeatures } from "../base/dense-features.js";
import { StateError } from "../base/errors.js";
import { Transformer } from "../base/estimator.js";
import type { Features, Json, RawFeatures } from "../base/types.js";
import type { Pipeline } from "./pipeline.js";

/** A union member: a transformer, or a pipeline made of transformers only. */
type Member = Transformer | Pipeline;

/** One member's output after learning x (a pipeline learns step by step, like its learnOne). */
function learnTransform(t: Member, x: RawFeatures): Features {
  if (t instanceof Transformer) return t.learnTransformOne(x);
  let out: RawFeatures = x;
  for (const step of t.steps) out = learnTransform(step as Member, out);
  return out as Features;
}

/** How the last merge laid out its outputs (replayed while every member repeats its key sequence). */
interface MergePlan {
  readonly inputs: readonly (readonly string[])[];
  readonly destinations: readonly Int32Array[];
  readonly names: readonly string[];
}

/** Whether every output is dense with the very names array of the plan's inputs. */
function sameInputs(plan: MergePlan, outputs: Features[]): boolean {
  if (outputs.length !== plan.inputs.length) return false;
  for (let i = 0; i < outputs.length; i++) {
    const o = outputs[i];
    if (!(o instanceof DenseFeatures) || o.names !== plan.inputs[i]) return false;
  }
  return true;
}

export interface TransformerUnionParams {
  transformers: Member[];
}

/**
 * Several transformers side by side (River's `compose.TransformerUnion`, what `a + b` builds):
 * each gets the same x, and their outputs are merged into one.
 *
 * Learning learns every member on x in order; a member pipeline learns its own way (each step
 * learns, then transforms for the next). The merge is River's `dict(ChainMap(*outputs))`: on a
 * key that several members emit, the first member's value wins; the key order is the last
 * member's keys, then the new keys of the one before it, and so on back to the first.
 *
 * Raw input: a union hands the same raw x to every member, so it accepts strings and booleans
 * exactly when every member does. A member pipeline accepts them when its first step does, so
 * `(SelectType(number) | StandardScaler) + (SelectType(str) | OneHotEncoder)` does (the
 * selector drops the strings before the scaler), while `StandardScaler + OneHotEncoder` does
 * not (the scaler would get the strings). Name-based selectors (`Select`, `Discard`) are
 * trusted: the features they route to numeric steps must hold numbers.
 */
export class TransformerUnion extends Transformer<TransformerUnionParams> {
  static readonly kind = "TransformerUnion";
  static readonly schema: Schema = [
    {
      name: "transformers",
      type: { type: "components", families: ["transformer"], minItems: 2 },
      rest: true,
      default: () => [],
      doc: "The transformers (or pipelines of transformers) whose outputs are merged.",
    },
  ];

  constructor(params?: Partial<TransformerUnionParams>) {
    super(TransformerUnion.kind, TransformerUnion.schema, params);
  }

  /** The members, in order. */
  get transformers(): readonly Member[] {
    return this.params.transformers;
  }

  override get acceptsRaw(): boolean {
    return this.params.transformers.every((t) => t.acceptsRaw);
  }

  learnOne(x: RawFeatures): void {
    for (const t of this.params.transformers) t.learnOne(x);
  }

  transformOne(x: RawFeatures): DenseFeatures {
    return this.merge(this.params.transformers.map((t) => t.transformOne(x)));
  }

  /**
   * Learns and transforms in one pass per member. Equal to `learnOne` then `transformOne`:
   * a member's transform right after its own learning uses the statistics it would use then,
   * and for a member pipeline, each step learning then transforming in turn is what its
   * `learnOne` followed by its `transformOne` computes.
   */
  override learnTransformOne(x: RawFeatures): DenseFeatures {
    return this.merge(this.params.transformers.map((t) => learnTransform(t, x)));
  }

  /**
   * River's `dict(ChainMap(*outputs))`. Walking the outputs backwards and overwriting gives
   * ChainMap's key order (a key stays where the last member that has it put it) and its values
   * (the first member that has the key writes last).
   */
  private merge(outputs: Features[]): DenseFeatures {
    const plan = this.plan;
    if (plan !== undefined && sameInputs(plan, outputs)) {
      // The members repeated their key sequences: replay the last merge by position.
      const values: number[] = new Array(plan.names.length);
      for (let i = outputs.length - 1; i >= 0; i--) {
        const src = (outputs[i] as DenseFeatures).values_;
        const dest = plan.destinations[i]!;
        for (let j = 0; j < dest.length; j++) values[dest[j]!] = src[j]!;
      }
      return new DenseFeatures(plan.names, values);
    }
    const names: string[] = [];
    const values: number[] = [];
    const position = new Map<string, number>();
    const destinations: Int32Array[] = new Array(outputs.length);
    for (let i = outputs.length - 1; i >= 0; i--) {
      const dest = new Int32Array(outputs[i]!.size);
      let j = 0;
      outputs[i]!.forEach((v, k) => {
        let p = position.get(k);
        if (p === undefined) {
          p = names.length;
          position.set(k, p);
          names.push(k);
          values.push(v);
        } else {
          values[p] = v;
        }
        dest[j++] = p;
      });
      destinations[i] = dest;
    }
    // Keep the previous names array when the key sequence repeats, so that the next step
    // recognizes it without comparing names.
    const last = plan?.names;
    const same = last !== undefined && last.length === names.length && names.every((n, i) => n === last[i]);
    const merged = same ? last : names;
    // A plan can be replayed only for outputs that identify their key sequence by array.
    this.plan = outputs.every((o) => o instanceof DenseFeatures)
      ? { inputs: outputs.map((o) => (o as DenseFeatures).names), destinations, names: merged }
      : undefined;
    return new DenseFeatures(merged, values);
  }

  /** The last merge: each output's names array, where each of its entries went, the merged names. */
  private plan: MergePlan | undefined;

  exportState(): Json {
    return { transformers: this.params.transformers.map((t) => t.exportState()) };
  }

  importState(data: Json): void {
    if (
      typeof data !== "object" ||
      data === null ||
      Array.isArray(data) ||
      !Array.isArray(data.transformers)
    ) {
      throw new StateError("TransformerUnion state must be {transformers: [...]}");
    }
    const states = data.transformers;
    const members = this.params.transformers;
    if (states.length !== members.length) {
      throw new StateError(
        `TransformerUnion state has ${states.length} transformers, the union ${members.length}`,
      );
    }
    // Validate every member on a clone first so that a bad member leaves the union untouched.
    for (const [i, t] of members.entries()) t.clone().importState(states[i]!);
    for (const [i, t] of members.entries()) t.importState(states[i]!);
  }
}
