/**
 * Python's round(x, d), checked against CPython 3.11's own answers (test/fixtures/py-round.json,
 * made with `round(v, d).hex()` for 1,500 doubles, many of them exact ties such as 0.25).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { pyRound } from "../../src/learn/math/py-round.js";

/** Reads Python's `float.hex()` (`-0x1.8p+1`) exactly. */
function fromHex(s: string): number {
  if (s === "inf" || s === "-inf") return s[0] === "-" ? -Infinity : Infinity;
  const m = /^(-?)0x([01])\.([0-9a-f]*)p([+-]\d+)$/.exec(s);
  if (!m) throw new Error(`not a float hex: ${s}`);
  const [, sign, lead, frac, exp] = m;
  const mantissa = BigInt(`0x${lead}${frac || "0"}`);
  const bits = (frac ?? "").length * 4;
  // mantissa · 2^(exp - bits), exactly (the product of a ≤53-bit integer and a power of two).
  const value = Number(mantissa) * 2 ** (Number(exp) - bits);
  return sign === "-" ? -value : value;
}

const { cases } = JSON.parse(
  readFileSync(join(import.meta.dirname, "../fixtures/py-round.json"), "utf8"),
) as { cases: { x: string; round1: string; round2: string; round3: string }[] };

describe("pyRound", () => {
  it("equals CPython's round(x, d) for d = 1, 2, 3, ties to even included", () => {
    let ties = 0;
    for (const c of cases) {
      const x = fromHex(c.x);
      for (const [d, expected] of [
        [1, c.round1],
        [2, c.round2],
        [3, c.round3],
      ] as const) {
        const got = pyRound(x, d);
        assert.ok(Object.is(got, fromHex(expected)), `round(${x}, ${d}) = ${fromHex(expected)}, got ${got}`);
      }
      if (Math.abs(x * 10 - Math.trunc(x * 10)) === 0.5) ties++;
    }
    assert.ok(ties > 100, `the fixture holds ties (${ties})`);
  });

  it("keeps non-finite values and zeros as they are", () => {
    assert.equal(pyRound(Number.POSITIVE_INFINITY, 1), Number.POSITIVE_INFINITY);
    assert.ok(Number.isNaN(pyRound(Number.NaN, 1)));
    assert.ok(Object.is(pyRound(-0, 1), -0));
  });
});
