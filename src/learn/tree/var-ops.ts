import { encodeNumber, StateReader } from "../base/state.js";
import type { Json } from "../base/types.js";
import { Var } from "../stats/var.js";

/**
 * River's `stats.Var` arithmetic (`+`, `-`, `+=`, `-=`): Chan et al.'s parallel merge of two
 * running variances, in River's operation order. The regression tree's splitters build the
 * left/right target statistics of every split candidate this way.
 */

/** A copy of `v` (River's `copy.deepcopy`). */
export function copyVar(v: Var): Var {
  const c = new Var(v.ddof);
  c.mean.n = v.mean.n;
  c.mean.mean = v.mean.mean;
  c.s = v.s;
  return c;
}

/** `a += b`. */
export function addInto(a: Var, b: Var): Var {
  const n = a.mean.n;
  const m = b.mean.n;
  const d = a.mean.mean - b.mean.mean;
  const s = a.s + b.s + (d * d * n * m) / (n + m);
  // stats.Mean.__iadd__
  a.mean.n = n + m;
  a.mean.mean = (n * a.mean.mean + m * b.mean.mean) / a.mean.n;
  a.s = s;
  return a;
}

/** `a -= b`. */
export function subtractFrom(a: Var, b: Var): Var {
  // stats.Mean.__isub__ first: an empty result resets the mean to 0.
  const oldN = a.mean.n;
  const m = b.mean.n;
  a.mean.n = oldN - m;
  if (a.mean.n > 0) {
    a.mean.mean = (oldN * a.mean.mean - m * b.mean.mean) / a.mean.n;
  } else {
    a.mean.n = 0;
    a.mean.mean = 0;
  }
  const n = a.mean.n;
  const d = a.mean.mean - b.mean.mean;
  a.s = a.s - b.s - (d * d * n * m) / (n + m);
  return a;
}

/** `a + b` as a new Var. */
export function plus(a: Var, b: Var): Var {
  return addInto(copyVar(a), b);
}

/** `a - b` as a new Var. */
export function minus(a: Var, b: Var): Var {
  return subtractFrom(copyVar(a), b);
}

/** A Var as `[n, mean, S]` (compact, for the many Vars a regression tree stores). */
export function varToJson(v: Var): Json {
  return [encodeNumber(v.mean.n), encodeNumber(v.mean.mean), encodeNumber(v.s)];
}

/** Inverse of {@link varToJson}; throws a `StateError` naming `path` on bad input. */
export function varFromJson(data: Json | undefined, path: string): Var {
  const xs = new StateReader({ v: data ?? null }, path).numbers("v", 3);
  const v = new Var(1);
  v.mean.n = xs[0]!;
  v.mean.mean = xs[1]!;
  v.s = xs[2]!;
  return v;
}
