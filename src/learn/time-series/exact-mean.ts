/**
 * Python's `statistics.mean` for floats: the exact rational mean of the values, rounded once to
 * the nearest double (ties to even). A plain `sum / n` can differ in the last bit, and River
 * initialises Holt-Winters with `statistics.mean`.
 */

const SCALE = 1074n;
const view = new DataView(new ArrayBuffer(8));

/** The finite double `v` times 2**1074, as an exact BigInt. */
function scaled(v: number): bigint {
  view.setFloat64(0, v);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let shift = 0n;
  if (biased !== 0) {
    mantissa |= 1n << 52n;
    shift = BigInt(biased - 1);
  }
  const magnitude = mantissa << shift;
  return hi >>> 31 ? -magnitude : magnitude;
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** `num / den` (den > 0) rounded to the nearest double, ties to even, with subnormals and overflow. */
export function ratioToDouble(num: bigint, den: bigint): number {
  if (num === 0n) return 0;
  const negative = num < 0n;
  const a = negative ? -num : num;
  // Choose e so that the quotient a / (den * 2**e) has 53 significant bits (or fewer when subnormal).
  let e = bitLength(a) - bitLength(den) - 53;
  const quotient = (exp: number): [bigint, bigint, bigint] => {
    const n = exp < 0 ? a << BigInt(-exp) : a;
    const d = exp > 0 ? den << BigInt(exp) : den;
    return [n / d, n % d, d];
  };
  let [q, r, d] = quotient(e);
  if (q >= 1n << 53n) {
    e++;
    [q, r, d] = quotient(e);
  }
  if (e < -1074) {
    e = -1074;
    [q, r, d] = quotient(e);
  }
  const twice = 2n * r;
  if (twice > d || (twice === d && (q & 1n) === 1n)) q++;
  const magnitude = Number(q) * 2 ** e;
  return negative ? -magnitude : magnitude;
}

/** `statistics.mean(values)` (values non-empty); any non-finite value gives their plain sum / n. */
export function exactMean(values: readonly number[]): number {
  const n = values.length;
  if (n === 0) throw new RangeError("mean of an empty list");
  let nonFinite: number | undefined;
  let total = 0n;
  for (const v of values) {
    if (Number.isFinite(v)) total += scaled(v);
    else nonFinite = nonFinite === undefined ? v : nonFinite + v;
  }
  if (nonFinite !== undefined) return nonFinite / n;
  return ratioToDouble(total, BigInt(n) << SCALE);
}
