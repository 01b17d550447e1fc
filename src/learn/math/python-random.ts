/**
 * CPython's `random.Random` (Mersenne Twister MT19937, `Modules/_randommodule.c` and
 * `Lib/random.py` of CPython 3.11), ported so that a River model seeded with an int draws
 * exactly the same numbers here as in Python.
 */

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** Python's `random.Random(seed)` for an integer seed: same words, same doubles. */
export class PythonRandom {
  private readonly mt = new Uint32Array(N);
  private index = N + 1;

  /** Seeds like `random.Random(seed)`; `seed` is an integer (its absolute value is used, as in Python). */
  constructor(seed: number | bigint = 0) {
    this.seed(seed);
  }

  /**
   * `random.seed(n)` for an int `n`: the 32-bit words of |n| (least significant first; `[0]` for 0)
   * go through `init_by_array`.
   */
  seed(seed: number | bigint): void {
    if (typeof seed === "number" && !Number.isSafeInteger(seed)) {
      throw new RangeError(`seed must be a safe integer, got ${seed}`);
    }
    let n = BigInt(seed);
    if (n < 0n) n = -n;
    const key: number[] = [];
    do {
      key.push(Number(n & 0xffffffffn));
      n >>= 32n;
    } while (n > 0n);
    this.initByArray(key);
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]!;
      mt[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
    }
    this.index = N;
  }

  /** MT19937's `init_by_array` (what CPython's int seeding calls). */
  initByArray(key: ArrayLike<number>): void {
    const mt = this.mt;
    const len = key.length;
    if (len === 0) throw new RangeError("init_by_array needs at least one key word");
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, len); k > 0; k--) {
      const prev = mt[i - 1]!;
      mt[i] = ((mt[i]! ^ Math.imul(prev ^ (prev >>> 30), 1664525)) + (key[j]! >>> 0) + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
      if (j >= len) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1]!;
      mt[i] = ((mt[i]! ^ Math.imul(prev ^ (prev >>> 30), 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
    this.index = N;
  }

  /** The next 32-bit output (`genrand_uint32`). */
  nextUint32(): number {
    const mt = this.mt;
    if (this.index >= N) {
      let kk = 0;
      for (; kk < N - M; kk++) {
        const y = (mt[kk]! & UPPER_MASK) | (mt[kk + 1]! & LOWER_MASK);
        mt[kk] = mt[kk + M]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      for (; kk < N - 1; kk++) {
        const y = (mt[kk]! & UPPER_MASK) | (mt[kk + 1]! & LOWER_MASK);
        mt[kk] = mt[kk + (M - N)]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      const y = (mt[N - 1]! & UPPER_MASK) | (mt[0]! & LOWER_MASK);
      mt[N - 1] = mt[M - 1]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      this.index = 0;
    }
    let y = mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `random()`: a double in [0, 1) from 53 random bits (`genrand_res53`). */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) * (1 / 9007199254740992);
  }

  /** `getrandbits(k)` for 0 <= k <= 53 (32-bit words, least significant first, as CPython fills them). */
  getrandbits(k: number): number {
    if (!Number.isInteger(k) || k < 0 || k > 53) throw new RangeError("getrandbits supports 0 <= k <= 53");
    if (k === 0) return 0;
    if (k <= 32) return this.nextUint32() >>> (32 - k);
    const low = this.nextUint32();
    const high = this.nextUint32() >>> (64 - k);
    return high * 4294967296 + low;
  }

  /** `_randbelow(n)` (rejection sampling on `n.bit_length()` bits), for 1 <= n <= 2**53. */
  randbelow(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 2 ** 53) throw new RangeError("randbelow needs 1 <= n <= 2**53");
    const k = bitLength(n);
    let r = this.getrandbits(k);
    while (r >= n) r = this.getrandbits(k);
    return r;
  }

  /** `randint(a, b)`: an integer in [a, b], both ends included. */
  randint(a: number, b: number): number {
    return a + this.randbelow(b - a + 1);
  }

  /** `uniform(a, b) = a + (b - a) * random()`. */
  uniform(a: number, b: number): number {
    return a + (b - a) * this.random();
  }

  /**
   * `choices(population, weights, k)` with weights: cumulative sums (`itertools.accumulate`),
   * then `bisect_right(cum, random() * total, 0, n - 1)` per pick. Like Python it rejects a
   * non-positive or non-finite total.
   */
  choices<T>(population: readonly T[], weights: readonly number[], k = 1): T[] {
    const n = population.length;
    if (weights.length !== n) throw new RangeError("the number of weights does not match the population");
    if (n === 0) throw new RangeError("choices from an empty population");
    const cum = new Array<number>(n);
    let acc = 0;
    for (let i = 0; i < n; i++) {
      acc = i === 0 ? weights[0]! : acc + weights[i]!;
      cum[i] = acc;
    }
    const total = cum[n - 1]!;
    if (!(total > 0)) throw new RangeError("total of weights must be greater than zero");
    if (!Number.isFinite(total)) throw new RangeError("total of weights must be finite");
    const out: T[] = [];
    for (let pick = 0; pick < k; pick++) {
      out.push(population[bisectRight(cum, this.random() * total, 0, n - 1)]!);
    }
    return out;
  }

  /** The generator's full state (624 words and the position), like `getstate()`. */
  getState(): { key: number[]; pos: number } {
    return { key: Array.from(this.mt), pos: this.index };
  }

  /** Restores a state from {@link getState}. */
  setState(state: { key: ArrayLike<number>; pos: number }): void {
    if (state.key.length !== N || !Number.isInteger(state.pos) || state.pos < 0 || state.pos > N) {
      throw new RangeError("not a Mersenne Twister state");
    }
    for (let i = 0; i < N; i++) this.mt[i] = state.key[i]! >>> 0;
    this.index = state.pos;
  }
}

/** Python's `bisect.bisect_right(a, x, lo, hi)`. */
export function bisectRight(a: readonly number[], x: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x < a[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function bitLength(n: number): number {
  let bits = 0;
  while (n >= 1) {
    n = Math.floor(n / 2);
    bits++;
  }
  return bits;
}

/**
 * A fresh integer seed in [0, 2**53) from the platform's cryptographic RNG (Web Crypto,
 * `crypto.getRandomValues`), for estimators whose seed is `None`; Python seeds from
 * `os.urandom` in that case. The caller records it so a restored model continues identically.
 */
export function entropySeed(): number {
  const words = new Uint32Array(2);
  globalThis.crypto.getRandomValues(words);
  return (words[0]! & 0x1fffff) * 4294967296 + words[1]!;
}
