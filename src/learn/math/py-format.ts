/**
 * Python's float formatting, so that metric texts read exactly as River prints them
 * (`ROCAUC: 95.07%`, `MAE: 1.314548`, `[1,250] ...`).
 */

/** Python `repr(float)`: shortest round-trip digits, scientific below 1e-4 and from 1e16. */
export function pyRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  const [mantissa = "", expText = "0"] = Math.abs(x).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const frac = digits.length > 1 ? `.${digits.slice(1)}` : "";
    return `${sign}${digits[0]}${frac}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
  const fracPart = digits.slice(exp + 1);
  return `${sign}${intPart}.${fracPart || "0"}`;
}

/** Whether |x| * 10^digits lies exactly halfway between two integers (checked exactly). */
function isExactTie(absX: number, digits: number): boolean {
  const scaled = absX * 10 ** digits;
  if (scaled >= 2 ** 52 || scaled % 1 !== 0.5) return false;
  // Exact check on the binary value: absX = m * 2^e with an integer m.
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, absX);
  const bits = view.getBigUint64(0);
  const biasedExp = Number((bits >> 52n) & 0x7ffn);
  let m = bits & ((1n << 52n) - 1n);
  if (biasedExp !== 0) m |= 1n << 52n;
  const e = (biasedExp === 0 ? 1 : biasedExp) - 1075;
  if (e >= 0) return false;
  const k = BigInt(-e);
  const num = m * 10n ** BigInt(digits);
  return (num & ((1n << k) - 1n)) * 2n === 1n << k;
}

function groupThousands(intDigits: string): string {
  return intDigits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * Python `format(x, ".{digits}f")` (or `",.{digits}f"` with `thousands`): correctly rounded,
 * ties to even, sign kept for -0.
 */
export function pyFixed(x: number, digits: number, thousands = false): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const negative = x < 0 || Object.is(x, -0);
  const absX = Math.abs(x);
  let text: string;
  if (absX >= 1e21) {
    text = BigInt(absX).toString() + (digits > 0 ? `.${"0".repeat(digits)}` : "");
  } else if (isExactTie(absX, digits)) {
    // JS rounds ties away from zero, Python to even.
    const scaled = absX * 10 ** digits;
    const lower = Math.floor(scaled);
    const n = lower % 2 === 0 ? lower : lower + 1;
    const s = String(n).padStart(digits + 1, "0");
    text = digits > 0 ? `${s.slice(0, -digits)}.${s.slice(-digits)}` : s;
  } else {
    text = absX.toFixed(digits);
  }
  if (thousands) {
    const dot = text.indexOf(".");
    text = dot < 0 ? groupThousands(text) : groupThousands(text.slice(0, dot)) + text.slice(dot);
  }
  return (negative ? "-" : "") + text;
}

/** Python `format(x, ".{digits}%")`: multiplied by 100 (one rounding, as CPython does), then fixed. */
export function pyPercent(x: number, digits: number): string {
  return `${pyFixed(x * 100, digits)}%`;
}

/** Python `format(n, ",d")` for an integer. */
export function pyGroupedInt(n: number): string {
  return (n < 0 ? "-" : "") + groupThousands(String(Math.abs(Math.trunc(n))));
}
