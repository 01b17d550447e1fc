/**
 * Feature name lists, interned: consecutive examples usually name the same features in the
 * same order, and handing the model the very same names array lets it skip resolving names
 * to its slots (see learn/base/dense-features.ts), and lets the encoder reuse what it made
 * for those names. A few recent lists are kept; a list is reused only if it is equal, name by
 * name, so interning never changes what an example holds.
 */

const RECENT = 8;
const recent: (readonly string[])[] = [];

function equal(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `names`, or an equal list seen recently (the same array every time). */
export function internNames(names: readonly string[]): readonly string[] {
  for (let i = 0; i < recent.length; i++) {
    const r = recent[i]!;
    if (r === names || equal(r, names)) {
      if (i > 0) {
        // Most recently used first: the common case is one list over and over.
        recent.splice(i, 1);
        recent.unshift(r);
      }
      return r;
    }
  }
  recent.unshift(names);
  if (recent.length > RECENT) recent.pop();
  return names;
}

const encodedNames = new WeakMap<readonly string[], string[]>();

/** `"name":` of each name, as JSON (cached per interned list). */
export function encodedKeys(names: readonly string[]): string[] {
  let keys = encodedNames.get(names);
  if (!keys) {
    keys = names.map((n) => `${JSON.stringify(n)}:`);
    encodedNames.set(names, keys);
  }
  return keys;
}
