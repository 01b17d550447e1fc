/**
 * The hashing River 0.22's `preprocessing.FeatureHasher` uses: BLAKE2s (RFC 7693, 32-byte digest,
 * no key) salted with 8 bytes drawn from `numpy.random.RandomState(seed)`.
 *
 * (River's docstring still says MurmurHash from scikit-learn, but 0.22's code and its dependency
 * list have no scikit-learn: the bucket is `int(blake2s(name, salt).hexdigest(), 16) % n`.)
 */

const IV = Uint32Array.of(
  0x6a09e667,
  0xbb67ae85,
  0x3c6ef372,
  0xa54ff53a,
  0x510e527f,
  0x9b05688c,
  0x1f83d9ab,
  0x5be0cd19,
);

/** The message word permutation of each of the 10 rounds. */
const SIGMA = Uint8Array.of(
  ...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  ...[14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  ...[11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
  ...[7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  ...[9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
  ...[2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  ...[12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
  ...[13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  ...[6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
  ...[10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
);

// Scratch state reused across calls (hashing is synchronous, so sharing is safe).
const v = new Uint32Array(16);
const m = new Uint32Array(16);
const h = new Uint32Array(8);
const block = new Uint8Array(64);
const encoder = new TextEncoder();

function g(a: number, b: number, c: number, d: number, x: number, y: number): void {
  v[a] = v[a]! + v[b]! + x;
  let t = v[d]! ^ v[a]!;
  v[d] = (t >>> 16) | (t << 16);
  v[c] = v[c]! + v[d]!;
  t = v[b]! ^ v[c]!;
  v[b] = (t >>> 12) | (t << 20);
  v[a] = v[a]! + v[b]! + y;
  t = v[d]! ^ v[a]!;
  v[d] = (t >>> 8) | (t << 24);
  v[c] = v[c]! + v[d]!;
  t = v[b]! ^ v[c]!;
  v[b] = (t >>> 7) | (t << 25);
}

/** One compression of the 64-byte `block`; `t` counts the bytes hashed so far (< 2^53). */
function compress(t: number, last: boolean): void {
  for (let i = 0; i < 16; i++) {
    const j = i * 4;
    m[i] = block[j]! | (block[j + 1]! << 8) | (block[j + 2]! << 16) | (block[j + 3]! << 24);
  }
  v.set(h, 0);
  v.set(IV, 8);
  v[12] = v[12]! ^ t;
  v[13] = v[13]! ^ Math.floor(t / 2 ** 32);
  if (last) v[14] = ~v[14]!;
  for (let r = 0; r < 10; r++) {
    const s = r * 16;
    g(0, 4, 8, 12, m[SIGMA[s]!]!, m[SIGMA[s + 1]!]!);
    g(1, 5, 9, 13, m[SIGMA[s + 2]!]!, m[SIGMA[s + 3]!]!);
    g(2, 6, 10, 14, m[SIGMA[s + 4]!]!, m[SIGMA[s + 5]!]!);
    g(3, 7, 11, 15, m[SIGMA[s + 6]!]!, m[SIGMA[s + 7]!]!);
    g(0, 5, 10, 15, m[SIGMA[s + 8]!]!, m[SIGMA[s + 9]!]!);
    g(1, 6, 11, 12, m[SIGMA[s + 10]!]!, m[SIGMA[s + 11]!]!);
    g(2, 7, 8, 13, m[SIGMA[s + 12]!]!, m[SIGMA[s + 13]!]!);
    g(3, 4, 9, 14, m[SIGMA[s + 14]!]!, m[SIGMA[s + 15]!]!);
  }
  for (let i = 0; i < 8; i++) h[i] = h[i]! ^ v[i]! ^ v[i + 8]!;
}

/**
 * BLAKE2s-256 of `data` with an 8-byte `salt` (all zeros = no salt), as Python's
 * `hashlib.blake2s(data, salt=salt).digest()`.
 */
export function blake2s(data: Uint8Array, salt: Uint8Array = new Uint8Array(8)): Uint8Array {
  if (salt.length !== 8) throw new RangeError("the BLAKE2s salt must be 8 bytes");
  h.set(IV);
  // Parameter block: digest length 32, key length 0, fanout 1, depth 1; salt in words 4 and 5.
  h[0] = h[0]! ^ 0x01010020;
  h[4] = h[4]! ^ (salt[0]! | (salt[1]! << 8) | (salt[2]! << 16) | (salt[3]! << 24));
  h[5] = h[5]! ^ (salt[4]! | (salt[5]! << 8) | (salt[6]! << 16) | (salt[7]! << 24));
  let offset = 0;
  // Every full block but the last one; the last (possibly partial or empty) block is flagged final.
  while (data.length - offset > 64) {
    block.set(data.subarray(offset, offset + 64));
    offset += 64;
    compress(offset, false);
  }
  block.fill(0);
  block.set(data.subarray(offset));
  compress(data.length, true);
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const w = h[i]!;
    out[i * 4] = w & 0xff;
    out[i * 4 + 1] = (w >>> 8) & 0xff;
    out[i * 4 + 2] = (w >>> 16) & 0xff;
    out[i * 4 + 3] = w >>> 24;
  }
  return out;
}

/**
 * `int(blake2s(text.encode("utf8"), salt=salt).hexdigest(), 16) % n`: the digest read as a
 * big-endian integer, reduced exactly (n ≤ 2^44 keeps every step below 2^53).
 */
export function blake2sBucket(text: string, salt: Uint8Array, n: number): number {
  const d = blake2s(encoder.encode(text), salt);
  if (n <= 2 ** 32 && (n & (n - 1)) === 0) {
    // A power of two only needs the low bits: the last four bytes.
    const low = ((d[28]! << 24) | (d[29]! << 16) | (d[30]! << 8) | d[31]!) >>> 0;
    return n === 2 ** 32 ? low : low & (n - 1);
  }
  let r = 0;
  for (let i = 0; i < 32; i++) r = (r * 256 + d[i]!) % n;
  return r;
}

/**
 * `numpy.random.RandomState(seed).bytes(8)`: the legacy integer seeding (Knuth's
 * `init_genrand`), then two tempered MT19937 outputs written little-endian.
 */
export function numpySeedBytes(seed: number): Uint8Array {
  const N = 624;
  const mt = new Uint32Array(N);
  mt[0] = seed >>> 0;
  for (let i = 1; i < N; i++) {
    const prev = mt[i - 1]!;
    mt[i] = Math.imul(1812433253, prev ^ (prev >>> 30)) + i;
  }
  // One full twist (in place, as the reference code does), then temper the first two words.
  for (let k = 0; k < N; k++) {
    const y = (mt[k]! & 0x80000000) | (mt[(k + 1) % N]! & 0x7fffffff);
    mt[k] = mt[(k + 397) % N]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
  }
  const out = new Uint8Array(8);
  for (let i = 0; i < 2; i++) {
    let y = mt[i]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    y >>>= 0;
    out[i * 4] = y & 0xff;
    out[i * 4 + 1] = (y >>> 8) & 0xff;
    out[i * 4 + 2] = (y >>> 16) & 0xff;
    out[i * 4 + 3] = y >>> 24;
  }
  return out;
}
