import type { Schema } from "../base/component.js";
import { Transformer } from "../base/estimator.js";
import type { Features, Json, RawFeatures } from "../base/types.js";
import { blake2sBucket, numpySeedBytes } from "./hashing.js";
import { checkEmptyState, emptyState } from "./stateless.js";

export interface FeatureHasherParams {
  /** Number of buckets (River: the modulus of the hash). */
  n_features: number;
  /** Salts the hash; `null` means no salt. */
  seed: number | null;
}

/** Bucket cache size: feature names repeat from row to row, hashing them again is the main cost. */
const CACHE_LIMIT = 1 << 16;

/**
 * The hashing trick (River 0.22's `preprocessing.FeatureHasher(n_features=1048576, seed=None)`).
 *
 * Each feature goes to bucket `int(blake2s(name, salt).hexdigest(), 16) % n_features`, and the
 * output is `{bucket: sum of the values hashed there}` (keys are the bucket numbers as text, in
 * first-hit order, like River's `Counter`). A string value is hashed as `name=value` with value
 * 1; a boolean counts as 1/0 (Python's bool is an int). There is no sign flipping: River 0.22
 * dropped the scikit-learn MurmurHash version (and its `alternate_sign`) for BLAKE2s.
 *
 * The salt is `numpy.random.RandomState(seed).bytes(8)`, reproduced exactly, so a given seed
 * gives River's buckets. With `seed=None` River draws the salt from OS entropy (buckets change
 * from one process to the next); Brook uses no salt instead, so `None` is deterministic.
 */
export class FeatureHasher extends Transformer<FeatureHasherParams> {
  static readonly kind = "FeatureHasher";
  static readonly schema: Schema = [
    {
      name: "n_features",
      type: { type: "number", integer: true, min: 1, max: 2 ** 44 },
      default: () => 1048576,
      doc: "Number of buckets the features are hashed into.",
    },
    {
      name: "seed",
      type: { type: "number", integer: true, min: 0, max: 2 ** 32 - 1, nullable: true },
      default: () => null,
      doc: "Seed of the hash salt (numpy RandomState); None = no salt.",
    },
  ];

  private readonly salt: Uint8Array;
  private readonly cache = new Map<string, number>();

  constructor(params?: Partial<FeatureHasherParams>) {
    super(FeatureHasher.kind, FeatureHasher.schema, params);
    const seed = this.params.seed;
    this.salt = seed === null ? new Uint8Array(8) : numpySeedBytes(seed);
  }

  /** Takes strings (hashed with their value) and booleans (counted as 1/0). */
  override get acceptsRaw(): boolean {
    return true;
  }

  /** The bucket of a hashed name (`name` for numbers, `name=value` for strings). */
  bucketOf(text: string): number {
    let bucket = this.cache.get(text);
    if (bucket === undefined) {
      bucket = blake2sBucket(text, this.salt, this.params.n_features);
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(text, bucket);
    }
    return bucket;
  }

  /** Stateless: nothing to learn. */
  learnOne(_x: RawFeatures): void {}

  transformOne(x: RawFeatures): Features {
    const out = new Map<string, number>();
    x.forEach((value, name) => {
      let text = name;
      let v: number;
      if (typeof value === "string") {
        text = `${name}=${value}`;
        v = 1;
      } else {
        v = typeof value === "boolean" ? (value ? 1 : 0) : value;
      }
      const key = String(this.bucketOf(text));
      // Counter starts at int 0: 0 + v, which also turns -0 into 0 as Python does.
      out.set(key, (out.get(key) ?? 0) + v);
    });
    return out;
  }

  exportState(): Json {
    return emptyState();
  }

  importState(data: Json): void {
    checkEmptyState(data, FeatureHasher.kind);
  }
}
