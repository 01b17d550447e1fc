/**
 * The error function, as glibc computes it (Sun's fdlibm algorithm, which CPython's `math.erf`
 * calls): rational approximations on |x| < 0.84375 and |x| < 1.25, then `exp`-based asymptotic
 * forms up to |x| = 6, where erf saturates to ±1. JS has no `erf`; the Gaussian splitter's CDF
 * needs one that agrees with glibc's to the last bits (V8's `Math.exp` may still differ by an ulp).
 */

// Coefficients of the fdlibm approximations (facts of the algorithm, exact binary64 values).
const ERX = 0.8450629115104675;
const EFX = 0.1283791670955126;
const PP = [
  0.12837916709551256, -0.3250421072470015, -0.02848174957559851, -0.005770270296489442,
  -0.000023763016656650163,
] as const;
const QQ = [
  0.39791722395915535, 0.0650222499887673, 0.005081306281875766, 0.00013249473800432164,
  -0.000003960228278775368,
] as const;
const PA = [
  -0.0023621185607526594, 0.41485611868374833, -0.3722078760357013, 0.31834661990116175, -0.11089469428239668,
  0.035478304325618236, -0.002166375594868791,
] as const;
const QA = [
  0.10642088040084423, 0.540397917702171, 0.07182865441419627, 0.12617121980876164, 0.01363708391202905,
  0.011984499846799107,
] as const;
const RA = [
  -0.009864944034847148, -0.6938585727071818, -10.558626225323291, -62.375332450326006, -162.39666946257347,
  -184.60509290671104, -81.2874355063066, -9.814329344169145,
] as const;
const SA = [
  19.651271667439257, 137.65775414351904, 434.56587747522923, 645.3872717332679, 429.00814002756783,
  108.63500554177944, 6.570249770319282, -0.0604244152148581,
] as const;
const RB = [
  -0.0098649429247001, -0.799283237680523, -17.757954917754752, -160.63638485582192, -637.5664433683896,
  -1025.0951316110772, -483.5191916086514,
] as const;
const SB = [
  30.33806074348246, 325.7925129965739, 1536.729586084437, 3199.8582195085955, 2553.0504064331644,
  474.52854120695537, -22.44095244658582,
] as const;

const scratch = new DataView(new ArrayBuffer(8));

/** glibc picks the asymptotic form by the high word: |x| < 0x4006DB6E_00000000 (≈ 1/0.35). */
const RA_LIMIT = (() => {
  scratch.setUint32(0, 0x4006db6e);
  scratch.setUint32(4, 0);
  return scratch.getFloat64(0);
})();

/** `x` with the low 32 bits of its binary64 representation cleared. */
function highWord(x: number): number {
  scratch.setFloat64(0, x);
  scratch.setUint32(4, 0);
  return scratch.getFloat64(0);
}

/** erf(x) = 2/√π ∫₀ˣ exp(−t²) dt, with glibc's algorithm and branch points. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x === Infinity) return 1;
  if (x === -Infinity) return -1;
  const negative = x < 0;
  const a = negative ? -x : x;
  if (a < 0.84375) {
    let r: number;
    if (a < 2 ** -28) {
      r = a < 2.848094538889218e-306 ? 0.0625 * (16 * a + 16 * EFX * a) : a + EFX * a;
    } else {
      // glibc's pipelined (Estrin-like) evaluation; the order of operations fixes the last bits.
      const z = a * a;
      const z2 = z * z;
      const z4 = z2 * z2;
      const p = PP[0] + z * PP[1] + z2 * (PP[2] + z * PP[3]) + z4 * PP[4];
      const q = 1 + z * QQ[0] + z2 * (QQ[1] + z * QQ[2]) + z4 * (QQ[3] + z * QQ[4]);
      r = a + a * (p / q);
    }
    return negative ? -r : r;
  }
  if (a < 1.25) {
    const s = a - 1;
    const s2 = s * s;
    const s4 = s2 * s2;
    const s6 = s4 * s2;
    const p = PA[0] + s * PA[1] + s2 * (PA[2] + s * PA[3]) + s4 * (PA[4] + s * PA[5]) + s6 * PA[6];
    const q = 1 + s * QA[0] + s2 * (QA[1] + s * QA[2]) + s4 * (QA[3] + s * QA[4]) + s6 * QA[5];
    return negative ? -ERX - p / q : ERX + p / q;
  }
  if (a >= 6) return negative ? -1 : 1;
  const s = 1 / (a * a);
  const s2 = s * s;
  const s4 = s2 * s2;
  const s6 = s4 * s2;
  let ratio: number;
  if (a < RA_LIMIT) {
    const s8 = s4 * s4;
    const rr =
      RA[0] + s * RA[1] + s2 * (RA[2] + s * RA[3]) + s4 * (RA[4] + s * RA[5]) + s6 * (RA[6] + s * RA[7]);
    const ss =
      1 +
      s * SA[0] +
      s2 * (SA[1] + s * SA[2]) +
      s4 * (SA[3] + s * SA[4]) +
      s6 * (SA[5] + s * SA[6]) +
      s8 * SA[7];
    ratio = rr / ss;
  } else {
    const rr = RB[0] + s * RB[1] + s2 * (RB[2] + s * RB[3]) + s4 * (RB[4] + s * RB[5]) + s6 * RB[6];
    const ss = 1 + s * SB[0] + s2 * (SB[1] + s * SB[2]) + s4 * (SB[3] + s * SB[4]) + s6 * (SB[5] + s * SB[6]);
    ratio = rr / ss;
  }
  const z = highWord(a);
  const e = Math.exp(-z * z - 0.5625) * Math.exp((z - a) * (z + a) + ratio);
  return negative ? e / a - 1 : 1 - e / a;
}
