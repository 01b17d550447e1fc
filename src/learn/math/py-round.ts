/**
 * Python's `round(x, ndigits)` for a float: the exact binary value of `x` rounded to `ndigits`
 * decimal places, ties to even, then the double nearest to that decimal. (`Math.round` rounds
 * ties up and `toFixed` rounds them away from zero; both differ on values such as 0.25.)
 */

/** Beyond this, x·10^d computed in floating point may be off by more than the tie guard below. */
const FAST_LIMIT = 2 ** 33;
const TIE_GUARD = 1e-6;

export function pyRound(x: number, ndigits: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const scale = 10 ** ndigits; // exact for ndigits <= 22
  const t = x * scale;
  if (Math.abs(t) < FAST_LIMIT) {
    // Far from a tie, the rounding error of the product cannot change the nearest integer.
    const frac = Math.abs(t - Math.trunc(t));
    if (Math.abs(frac - 0.5) > TIE_GUARD) return Math.round(t) / scale;
  }
  return exactRound(x, ndigits);
}

/** The same, in exact integer arithmetic on the double's mantissa and exponent. */
function exactRound(x: number, ndigits: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const biased = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & ((1n << 52n) - 1n);
  let exponent: number;
  if (biased === 0) {
    exponent = -1074; // subnormal
  } else {
    mantissa |= 1n << 52n;
    exponent = biased - 1075;
  }
  // |x| = mantissa · 2^exponent; an integer has no decimals to round.
  if (exponent >= 0) return x;
  const power = 10n ** BigInt(ndigits);
  const numerator = mantissa * power;
  const denominator = 1n << BigInt(-exponent);
  let q = numerator / denominator;
  const twice = 2n * (numerator - q * denominator);
  if (twice > denominator || (twice === denominator && (q & 1n) === 1n)) q += 1n;
  // q / 10^d, correctly rounded: both are exact doubles while q < 2^53 (always, at the
  // magnitudes where decimals remain), so IEEE division gives the nearest double.
  const result = Number(q) / Number(power);
  return negative ? -result : result;
}
