/**
 * Features stored as a names array and a values array: what transformers hand to the next
 * step instead of building a `Map` per example (which dominated the cost of a pipeline).
 * It reads like a `ReadonlyMap`, and estimators that know it read the arrays directly; when
 * consecutive examples share one `names` array (same keys in the same order), they also skip
 * resolving names to their own slots.
 */
export class DenseFeatures implements ReadonlyMap<string, number> {
  private lookup: Map<string, number> | undefined;

  constructor(
    /** Feature names in order; shared between examples, never modified. */
    readonly names: readonly string[],
    /** Values, aligned with `names` (a plain array: small typed arrays are slow to allocate). */
    readonly values_: readonly number[],
  ) {}

  get size(): number {
    return this.names.length;
  }

  private indexOf(name: string): number {
    const names = this.names;
    if (names.length <= 16) return names.indexOf(name);
    if (this.lookup === undefined) this.lookup = new Map(names.map((n, i) => [n, i]));
    return this.lookup.get(name) ?? -1;
  }

  get(name: string): number | undefined {
    const i = this.indexOf(name);
    return i < 0 ? undefined : this.values_[i];
  }

  has(name: string): boolean {
    return this.indexOf(name) >= 0;
  }

  *entries(): MapIterator<[string, number]> {
    for (let i = 0; i < this.names.length; i++) yield [this.names[i]!, this.values_[i]!];
  }

  keys(): MapIterator<string> {
    return this.names.values() as MapIterator<string>;
  }

  *values(): MapIterator<number> {
    for (let i = 0; i < this.names.length; i++) yield this.values_[i]!;
  }

  [Symbol.iterator](): MapIterator<[string, number]> {
    return this.entries();
  }

  forEach(callback: (value: number, key: string, map: ReadonlyMap<string, number>) => void): void {
    for (let i = 0; i < this.names.length; i++) callback(this.values_[i]!, this.names[i]!, this);
  }
}
