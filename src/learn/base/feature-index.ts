/**
 * Feature names mapped to dense slots, in first-seen order.
 *
 * Estimators keep per-feature state in typed arrays indexed by slot. Because slots are handed out
 * in insertion order, walking slots 0..size-1 walks the features in the order River's dicts
 * would, which is what its float sums depend on.
 */
export class FeatureIndex {
  private readonly slots = new Map<string, number>();
  readonly names: string[] = [];

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

  /** Rebuilds the index from names in slot order (they must be distinct). */
  static from(names: readonly string[]): FeatureIndex {
    const index = new FeatureIndex();
    for (const name of names) index.add(name);
    return index;
  }
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
