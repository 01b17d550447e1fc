import { DenseFeatures } from "./dense-features.js";
import type { Features } from "./types.js";

/** The features of one example resolved to an estimator's slots (valid until the next `view`). */
export interface SlotView {
  /** Feature names in x's order (a shared array: the same object while the key sequence repeats). */
  readonly names: readonly string[];
  /** Slot of each feature, -1 for features the index does not know. */
  readonly slots: Int32Array;
  /** Value of each feature. */
  readonly values: Float64Array;
  readonly count: number;
  /** Positions ordered by ascending slot, or `null` when `slots` already ascend. */
  readonly ascending: Int32Array | null;
}

/**
 * Feature names mapped to dense slots, in first-seen order.
 *
 * Estimators keep per-feature state in typed arrays indexed by slot. Because slots are handed out
 * in insertion order, walking slots 0..size-1 walks the features in the order River's dicts
 * would, which is what its float sums depend on.
 *
 * `view(x)` resolves an example's names to slots. Streams repeat the same keys in the same
 * order, so the last key sequence is cached: matching it costs one string comparison per
 * feature (or nothing, when x is a `DenseFeatures` sharing the cached names array).
 */
export class FeatureIndex {
  private readonly slots = new Map<string, number>();
  readonly names: string[] = [];
  // Cache of the last key sequence.
  private seqNames: string[] = [];
  private seqSlots = new Int32Array(0);
  private seqAscending: Int32Array | null = null;
  private seqUnknown = false;
  private values = new Float64Array(16);

  get size(): number {
    return this.names.length;
  }

  /** The slot of `name`, or -1 when the feature has never been seen. */
  slotOf(name: string): number {
    return this.slots.get(name) ?? -1;
  }

  /** The slot of `name`, adding the feature at the end when it is new. */
  add(name: string): number {
    let slot = this.slots.get(name);
    if (slot === undefined) {
      slot = this.names.length;
      this.slots.set(name, slot);
      this.names.push(name);
    }
    return slot;
  }

  /**
   * Resolves `x` to slots; with `add`, unknown features are added (in x's order) and
   * `onAdd(slot)` is called for each so the owner can initialize its state.
   */
  view(x: Features, add = false, onAdd?: (slot: number) => void): SlotView {
    const n = x.size;
    if (this.values.length < n) this.values = new Float64Array(n * 2);
    const values = this.values;
    let names = this.seqNames;
    let same: boolean;
    if (x instanceof DenseFeatures) {
      // A loop, not values.set(): set() from a plain array takes a slow generic path.
      const src = x.values_;
      for (let i = 0; i < n; i++) values[i] = src[i]!;
      same = x.names === names;
      if (!same && sameSequence(x.names, names)) same = true;
      else if (!same) names = x.names as string[];
    } else {
      let i = 0;
      let match = n === names.length;
      const cached = names;
      // forEach avoids an iterator and an entry array per feature.
      x.forEach((v, k) => {
        if (match && cached[i] !== k) match = false;
        values[i++] = v;
      });
      same = match;
      if (!same) names = [...x.keys()];
    }
    // Resolve again when the keys changed, or when some were unknown and may be known (or added) now.
    if (!same || this.seqUnknown) this.resolve(names, add, onAdd);
    // One view object per index, refilled (valid until the next view, as documented).
    const view = this.current;
    view.names = this.seqNames;
    view.slots = this.seqSlots;
    view.values = values;
    view.count = n;
    view.ascending = this.seqAscending;
    return view;
  }

  private readonly current: {
    names: readonly string[];
    slots: Int32Array;
    values: Float64Array;
    count: number;
    ascending: Int32Array | null;
  } = { names: [], slots: new Int32Array(0), values: new Float64Array(0), count: 0, ascending: null };

  private resolve(names: string[], add: boolean, onAdd?: (slot: number) => void): void {
    const slots = new Int32Array(names.length);
    let ascending = true;
    let unknown = false;
    for (let i = 0; i < names.length; i++) {
      let s = this.slotOf(names[i]!);
      if (s < 0 && add) {
        s = this.add(names[i]!);
        onAdd?.(s);
      }
      if (s < 0) unknown = true;
      slots[i] = s;
      if (i > 0 && s < slots[i - 1]!) ascending = false;
    }
    this.seqNames = names;
    this.seqSlots = slots;
    this.seqUnknown = unknown;
    this.seqAscending = ascending
      ? null
      : Int32Array.from({ length: names.length }, (_, i) => i).sort((a, b) => slots[a]! - slots[b]!);
  }

  /** Rebuilds the index from names in slot order (they must be distinct). */
  static from(names: readonly string[]): FeatureIndex {
    const index = new FeatureIndex();
    for (const name of names) index.add(name);
    return index;
  }
}

function sameSequence(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A Float64Array with room for at least `size` slots (doubling), keeping its contents. */
export function ensureCapacity(arr: Float64Array<ArrayBuffer>, size: number): Float64Array<ArrayBuffer> {
  if (size <= arr.length) return arr;
  const next = new Float64Array(Math.max(size, arr.length * 2, 8));
  next.set(arr);
  return next;
}

/** A copy of the first `size` slots, sized for more growth. */
export function withCapacity(values: Float64Array, size: number): Float64Array<ArrayBuffer> {
  const out = new Float64Array(Math.max(size, 8));
  out.set(values.subarray(0, size));
  return out;
}
