/**
 * Small numeric helpers with River's exact semantics.
 */

/** River's `utils.math.sigmoid`: saturates to exactly 0 below -30 and 1 above 30. */
export function sigmoid(z: number): number {
  if (z < -30) return 0;
  if (z > 30) return 1;
  return 1 / (1 + Math.exp(-z));
}

/** River's `clamp(x, lo, hi) = max(min(x, hi), lo)` (NaN passes through as Python's min/max do). */
export function clamp(x: number, lo: number, hi: number): number {
  return Math.max(Math.min(x, hi), lo);
}

/** `a / b`, or 0 when `b` is zero (River's `safe_div`; a NaN divisor still divides). */
export function safeDiv(a: number, b: number): number {
  return b !== 0 ? a / b : 0;
}

/**
 * Sum in numpy's pairwise order (what `ndarray.sum()` does for contiguous float64 data):
 * under 8 terms a plain loop, up to 128 terms eight interleaved partial sums, beyond that a
 * split at a multiple of 8 and recursion. Matching it keeps ROCAUC bit-identical to River.
 */
export function pairwiseSum(a: ArrayLike<number>, start = 0, n = a.length - start): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i]!;
    return res;
  }
  if (n <= 128) {
    let r0 = a[start]!;
    let r1 = a[start + 1]!;
    let r2 = a[start + 2]!;
    let r3 = a[start + 3]!;
    let r4 = a[start + 4]!;
    let r5 = a[start + 5]!;
    let r6 = a[start + 6]!;
    let r7 = a[start + 7]!;
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      const j = start + i;
      r0 += a[j]!;
      r1 += a[j + 1]!;
      r2 += a[j + 2]!;
      r3 += a[j + 3]!;
      r4 += a[j + 4]!;
      r5 += a[j + 5]!;
      r6 += a[j + 6]!;
      r7 += a[j + 7]!;
    }
    let res = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) res += a[start + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}
