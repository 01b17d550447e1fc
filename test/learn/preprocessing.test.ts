import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadStream, type Row } from "../../src/data/datasets.js";
import { pyStrLess } from "../../src/learn/base/py-values.js";
import { Discard, Select, type SelectType } from "../../src/learn/compose/select.js";
import { TransformerUnion } from "../../src/learn/compose/union.js";
import {
  asSupervised,
  build,
  type Component,
  describe as describeSpec,
  type FeatureValue,
  type Label,
  type Metric,
  type Pipeline,
  predictFor,
  type RawFeatures,
  restore,
  SpecError,
  scorePrediction,
  type Transformer,
} from "../../src/learn/index.js";
import { FeatureHasher } from "../../src/learn/preprocessing/feature-hasher.js";
import { blake2s, blake2sBucket, numpySeedBytes } from "../../src/learn/preprocessing/hashing.js";
import { MinMaxScaler } from "../../src/learn/preprocessing/min-max-scaler.js";
import { OneHotEncoder, pyStr } from "../../src/learn/preprocessing/one-hot-encoder.js";
import { checkEstimator } from "../helpers/estimator-checks.js";
import { close, closeMap, closeProba, closeState, num, readCombo } from "../helpers/river.js";
import { phishingWithStrings } from "../helpers/streams.js";
import { sameMetricText } from "./metric-text.js";

const raw = (entries: [string, FeatureValue][]): RawFeatures => new Map(entries);
const entries = (x: ReadonlyMap<string, unknown>) => [...x.entries()];
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const utf8 = (s: string) => new TextEncoder().encode(s);

describe("BLAKE2s and numpy's seed bytes (FeatureHasher's hash)", () => {
  it("matches the RFC 7693 test vector and Python's hashlib, with and without salt", () => {
    assert.equal(
      hex(blake2s(utf8("abc"))),
      "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982",
    );
    assert.equal(
      hex(blake2s(new Uint8Array(0))),
      "69217a3079908094e11121d042354a7c1f55b6482ca1a51e1b250dfd1ed0eef9",
    );
    // hashlib.blake2s(data, salt=numpy.random.RandomState(42).bytes(8)).hexdigest()
    const salt = numpySeedBytes(42);
    const cases: [string, string][] = [
      ["dog", "f12962975dd24c3f4ae9777dc9b1f2d41e9accefb9ba0daf782c772d0898008a"],
      ["a".repeat(64), "507d3aecfd3e5c89f8f76f5b2ad2f3307b00dde503584484c8f77b9e52dc941a"],
      ["b".repeat(65), "a3c21761e3361ff21f0abd2081702964b95dc42665d849c047bf11dc43588d7c"],
      ["x".repeat(200), "123e5397d1a782fc846dcbf88343dcd0d6c64512ae3dfdc73e2068de9ac2bafc"],
      ["héllo=wörld", "75821862fbf2ee6a12e7f0f5ae9d92b6ecb9f5f6a270286241d3751e603e4303"],
    ];
    for (const [text, digest] of cases) assert.equal(hex(blake2s(utf8(text), salt)), digest, text);
  });

  it("reproduces numpy.random.RandomState(seed).bytes(8)", () => {
    const expected: [number, string][] = [
      [0, "ac0a7f8c2faac497"],
      [1, "25f4c16aeb8047ff"],
      [42, "66dce15fb33deacb"],
      [123456789, "b8be67889c2e9bfd"],
      [2 ** 32 - 1, "a369fe182241921c"],
    ];
    for (const [seed, bytes] of expected) assert.equal(hex(numpySeedBytes(seed)), bytes, `seed ${seed}`);
  });

  it("reduces the digest as a big-endian integer, for powers of two and other moduli", () => {
    // int(blake2s(name, salt).hexdigest(), 16) % n, computed in Python.
    const cases: [string, number | null, number, number][] = [
      ["dog", null, 1048576, 449571],
      ["dog", null, 1000, 515],
      ["dog", null, 2 ** 32, 2283199523],
      ["dog", null, 2 ** 40 + 7, 913705969806],
      ["color=red", null, 1048576, 352064],
      ["elephant", 42, 1048576, 45479],
      ["elephant", 42, 1000, 551],
      ["héllo", 42, 2 ** 40 + 7, 598222386269],
      ["popup_window", 0, 1048576, 719164],
      ["run", 0, 2 ** 32, 3981148298],
    ];
    for (const [name, seed, n, bucket] of cases) {
      const salt = seed === null ? new Uint8Array(8) : numpySeedBytes(seed);
      assert.equal(blake2sBucket(name, salt, n), bucket, `${name} seed=${seed} n=${n}`);
    }
  });
});

describe("FeatureHasher", () => {
  it("reproduces River's docstring example (n_features=10, seed=42)", () => {
    const hasher = build("FeatureHasher(n_features=10, seed=42)") as FeatureHasher;
    // River prints Counter({1: 4, 9: 2, 8: 1}) and Counter({4: 5, 8: 2}).
    const a = hasher.transformOne(
      raw([
        ["dog", 1],
        ["cat", 2],
        ["elephant", 4],
      ]),
    );
    assert.deepEqual(entries(a), [
      ["8", 1],
      ["9", 2],
      ["1", 4],
    ]);
    const b = hasher.transformOne(
      raw([
        ["dog", 2],
        ["run", 5],
      ]),
    );
    assert.deepEqual(entries(b), [
      ["8", 2],
      ["4", 5],
    ]);
  });

  it("hashes strings as name=value with value 1, booleans as 1/0, and never flips signs", () => {
    const hasher = new FeatureHasher();
    const out = hasher.transformOne(
      raw([
        ["color", "red"],
        ["dog", -3],
        ["flag", true],
        ["off", false],
      ]),
    );
    assert.deepEqual(entries(out), [
      [String(352064), 1], // color=red, unsalted
      [String(449571), -3],
      // int(hashlib.blake2s(b"flag").hexdigest(), 16) % 1048576 == 582323, and b"off" -> 202318
      // (Python's hashlib; no salt is the same as an all-zero 8-byte salt).
      [String(582323), 1],
      [String(202318), 0],
    ]);
  });

  it("sums the values that collide, in first-hit order", () => {
    const one = build("FeatureHasher(n_features=1)") as FeatureHasher;
    assert.deepEqual(
      entries(
        one.transformOne(
          raw([
            ["a", 1.5],
            ["b", "x"],
            ["c", 2],
          ]),
        ),
      ),
      [["0", 4.5]],
    );
    assert.deepEqual(entries(one.transformOne(raw([["a", -0]]))), [["0", 0]]);
    assert.ok(!Object.is(one.transformOne(raw([["a", -0]])).get("0"), -0), "Counter's int 0 + -0.0 is 0.0");
  });

  it("validates its params like numpy's seed", () => {
    assert.throws(() => build("FeatureHasher(seed=-1)"), SpecError);
    assert.throws(() => build("FeatureHasher(seed=4294967296)"), SpecError);
    assert.throws(() => build("FeatureHasher(n_features=0)"), SpecError);
    assert.equal((build("FeatureHasher(seed=None)").params as any).seed, null);
  });
});

describe("MinMaxScaler", () => {
  it("reproduces River's docstring example", () => {
    // random.seed(42); [random.uniform(8, 12) for _ in range(5)]
    const xs = [
      10.557707193831535, 8.100043020890668, 9.100117273476478, 8.892842952595291, 10.94588485665605,
    ];
    const expected = [0, 0, 0.4069206295948525, 0.32258269475277845, 1];
    const scaler = new MinMaxScaler();
    xs.forEach((v, i) => {
      const x = new Map([["x", v]]);
      scaler.learnOne(x);
      assert.equal(scaler.transformOne(x).get("x"), expected[i]);
    });
    // learnTransformOne (what a pipeline calls) gives the same as learnOne then transformOne.
    const other = new MinMaxScaler();
    xs.forEach((v, i) => {
      assert.equal(other.learnTransformOne(new Map([["x", v]])).get("x"), expected[i]);
    });
  });

  it("gives 0 for a constant or unseen feature, ignores NaN in the range, keeps x's order", () => {
    const scaler = new MinMaxScaler();
    scaler.learnOne(
      new Map([
        ["a", 2],
        ["b", 5],
      ]),
    );
    scaler.learnOne(
      new Map([
        ["a", 4],
        ["b", Number.NaN],
      ]),
    );
    assert.deepEqual(scaler.statistics, [
      { name: "a", min: 2, max: 4 },
      { name: "b", min: 5, max: 5 },
    ]);
    const out = scaler.transformOne(
      new Map([
        ["new", 7],
        ["b", 9],
        ["a", 3],
      ]),
    );
    assert.deepEqual(entries(out), [
      ["new", 0],
      ["b", 0],
      ["a", 0.5],
    ]);
    // Before anything is learned every value is 0 (River: NaN, see the class comment).
    assert.deepEqual(entries(new MinMaxScaler().transformOne(new Map([["a", 1]]))), [["a", 0]]);
  });
});

describe("OneHotEncoder", () => {
  const X = [
    raw([
      ["c1", "u"],
      ["c2", "d"],
    ]),
    raw([
      ["c1", "a"],
      ["c2", "x"],
    ]),
    raw([
      ["c1", "i"],
      ["c2", "h"],
    ]),
    raw([
      ["c1", "h"],
      ["c2", "e"],
    ]),
  ];

  it("emits a 0 for every known value and a 1 for x's (River's docstring, in first-seen order)", () => {
    const oh = new OneHotEncoder();
    oh.learnOne(X[0]!);
    assert.deepEqual(entries(oh.transformOne(X[0]!)), [
      ["c1_u", 1],
      ["c2_d", 1],
    ]);
    oh.learnOne(X[1]!);
    assert.deepEqual(entries(oh.transformOne(X[1]!)), [
      ["c1_u", 0],
      ["c1_a", 1],
      ["c2_d", 0],
      ["c2_x", 1],
    ]);
    // A value never learned still gets its 1, after the known ones.
    assert.deepEqual(entries(oh.transformOne(raw([["c1", "z"]]))), [
      ["c1_u", 0],
      ["c1_a", 0],
      ["c2_d", 0],
      ["c2_x", 0],
      ["c1_z", 1],
    ]);
    assert.deepEqual(
      [...oh.categories],
      [
        ["c1", ["u", "a"]],
        ["c2", ["d", "x"]],
      ],
    );
  });

  it("drop_zeros emits only x's 1s and learns nothing", () => {
    const oh = build("OneHotEncoder(drop_zeros=True)") as OneHotEncoder;
    const outs = X.map((x) => {
      oh.learnOne(x);
      return entries(oh.transformOne(x));
    });
    assert.deepEqual(outs[3], [
      ["c1_h", 1],
      ["c2_e", 1],
    ]);
    assert.deepEqual(oh.exportState(), { names: [], values: [] });
  });

  it("drop_first removes the smallest key (River's docstring with drop_zeros, and with zeros)", () => {
    const oh = build("OneHotEncoder(drop_zeros=True, drop_first=True)") as OneHotEncoder;
    const outs = X.map((x) => {
      oh.learnOne(x);
      return entries(oh.transformOne(x));
    });
    assert.deepEqual(outs, [[["c2_d", 1]], [["c2_x", 1]], [["c2_h", 1]], [["c2_e", 1]]]);
    const withZeros = build("OneHotEncoder(False, True)") as OneHotEncoder;
    for (const x of X) withZeros.learnOne(x);
    // Known: c1_u c1_a c1_i c1_h c2_d c2_x c2_h c2_e; the smallest is c1_a.
    const out = withZeros.transformOne(X[2]!);
    assert.equal(out.size, 7);
    assert.ok(!out.has("c1_a"));
    assert.equal(out.get("c1_i"), 1);
    assert.deepEqual(entries(withZeros.transformOne(new Map())).length, 7);
    assert.deepEqual(
      entries((build("OneHotEncoder(drop_first=True)") as OneHotEncoder).transformOne(new Map())),
      [],
    );
  });

  it("a key that two features produce is one output key, as in River's dict", () => {
    const oh = new OneHotEncoder();
    oh.learnOne(raw([["a_b", "c"]]));
    // Feature "a" with value "b_c" writes the same key "a_b_c".
    assert.deepEqual(entries(oh.transformOne(raw([["a", "b_c"]]))), [["a_b_c", 1]]);
    oh.learnOne(
      raw([
        ["a", "b_c"],
        ["n", 1],
      ]),
    );
    oh.learnOne(raw([["n", "1"]])); // the same text as the number 1: one value
    assert.deepEqual(oh.exportState(), { names: ["a_b", "a", "n"], values: [["c"], ["b_c"], ["1"]] });
    assert.deepEqual(
      entries(
        oh.transformOne(
          raw([
            ["x", "1"],
            ["a", "zz"],
            ["a_b", "zz"],
          ]),
        ),
      ),
      [
        ["a_b_c", 0],
        ["n_1", 0],
        ["x_1", 1],
        ["a_zz", 1],
        ["a_b_zz", 1],
      ],
    );
    const zeros = build("OneHotEncoder(drop_zeros=True)") as OneHotEncoder;
    assert.deepEqual(
      entries(
        zeros.transformOne(
          raw([
            ["a", "b_c"],
            ["a_b", "c"],
          ]),
        ),
      ),
      [["a_b_c", 1]],
    );
  });

  it("writes values as Python's str() does and orders keys like Python", () => {
    assert.equal(pyStr("red"), "red");
    assert.equal(pyStr(true), "True");
    assert.equal(pyStr(false), "False");
    assert.equal(pyStr(3), "3");
    assert.equal(pyStr(0.5), "0.5");
    assert.equal(pyStr(1e-7), "1e-07");
    assert.equal(pyStr(1e20), "1e+20");
    const oh = new OneHotEncoder();
    oh.learnOne(
      raw([
        ["x", 0.5],
        ["b", true],
      ]),
    );
    assert.deepEqual([...oh.transformOne(raw([["x", 1]])).keys()], ["x_0.5", "b_True", "x_1"]);
    // Code point order: U+1F600 (a surrogate pair in UTF-16) sorts after U+FF5E in Python.
    assert.ok(pyStrLess("\uff5e", "\u{1f600}"));
    assert.ok(!pyStrLess("\u{1f600}", "\uff5e"));
    assert.ok(pyStrLess("ab", "abc"));
  });

  it("rejects a malformed state without changing anything", () => {
    const oh = new OneHotEncoder();
    oh.learnOne(X[0]!);
    const before = JSON.stringify(oh.exportState());
    assert.throws(() => oh.importState({ names: ["c1"], values: [["u", "u"]] }), /distinct/);
    assert.throws(() => oh.importState({ names: ["c1", "c2"], values: [["u"]] }), /one per feature/);
    assert.throws(() => oh.importState({ names: ["c1"], values: [[1]] }), /strings/);
    assert.equal(JSON.stringify(oh.exportState()), before);
  });
});

describe("Select, Discard and SelectType", () => {
  const x = raw([
    ["a", 1],
    ["b", "s"],
    ["c", true],
    ["d", 2.5],
  ]);

  it("Select keeps the named features in x's order and skips missing ones", () => {
    for (const spec of ['Select("d", "a", "zz")', "Select(d, a, zz)", 'Select(keys=["d", "a", "zz"])']) {
      const s = build(spec) as Select;
      assert.deepEqual(s.params.keys, ["d", "a", "zz"], spec);
      assert.deepEqual(
        entries(s.transformOne(x)),
        [
          ["a", 1],
          ["d", 2.5],
        ],
        spec,
      );
    }
    assert.deepEqual(entries((build('Select("b", "c")') as Select).transformOne(x)), [
      ["b", "s"],
      ["c", true],
    ]);
    assert.deepEqual(entries(new Select().transformOne(x)), []);
  });

  it("Discard drops the named features", () => {
    assert.deepEqual(entries((build("Discard(b, zz)") as Discard).transformOne(x)), [
      ["a", 1],
      ["c", true],
      ["d", 2.5],
    ]);
    assert.deepEqual(entries(new Discard().transformOne(x)), entries(x));
  });

  it("SelectType filters by value type; booleans count as numbers (1/0) unless bool is selected", () => {
    const cases: [string, [string, FeatureValue][]][] = [
      [
        "SelectType(number)",
        [
          ["a", 1],
          ["c", 1],
          ["d", 2.5],
        ],
      ],
      [
        "SelectType(numbers.Number)",
        [
          ["a", 1],
          ["c", 1],
          ["d", 2.5],
        ],
      ],
      [
        "SelectType(Number)",
        [
          ["a", 1],
          ["c", 1],
          ["d", 2.5],
        ],
      ],
      [
        "SelectType(float)",
        [
          ["a", 1],
          ["c", 1],
          ["d", 2.5],
        ],
      ],
      [
        "SelectType(int)",
        [
          ["a", 1],
          ["c", 1],
          ["d", 2.5],
        ],
      ],
      ["SelectType(str)", [["b", "s"]]],
      ['SelectType("string")', [["b", "s"]]],
      ["SelectType(bool)", [["c", true]]],
      [
        "SelectType(boolean, num)",
        [
          ["a", 1],
          ["c", true],
          ["d", 2.5],
        ],
      ],
      [
        "SelectType(str, bool)",
        [
          ["b", "s"],
          ["c", true],
        ],
      ],
      ['SelectType(types=["builtins.str"])', [["b", "s"]]],
      ["SelectType", []],
    ];
    for (const [spec, expected] of cases) {
      assert.deepEqual(entries((build(spec) as SelectType).transformOne(x)), expected, spec);
    }
    assert.deepEqual((build("SelectType(numbers.Number, str)") as SelectType).valueTypes, [
      "number",
      "string",
    ]);
    assert.throws(
      () => build("SelectType(dict)"),
      (e: unknown) => e instanceof SpecError && /dict/.test(e.message),
    );
  });

  it("the spec spelling round-trips through describe()", () => {
    for (const spec of [
      "Select(a, b)",
      "Discard(x)",
      "SelectType(str)",
      "SelectType(numbers.Number, bool)",
    ]) {
      const c = build(spec);
      assert.deepEqual(build(describeSpec(c)).getParams(), c.getParams(), spec);
    }
    assert.equal(describeSpec(build("Select(a, b)")), 'Select(keys=["a", "b"])');
  });
});

describe("TransformerUnion", () => {
  it("merges like ChainMap: the first member wins a collision, keys in last-to-first order", () => {
    const union = build(
      "(Select(a, b) | MinMaxScaler) + (Select(b, c) | StandardScaler)",
    ) as TransformerUnion;
    assert.ok(union instanceof TransformerUnion);
    const rows = [
      raw([
        ["a", 1],
        ["b", 10],
        ["c", 5],
      ]),
      raw([
        ["a", 3],
        ["b", 20],
        ["c", 7],
      ]),
    ];
    for (const r of rows) union.learnOne(r);
    const out = union.transformOne(
      raw([
        ["a", 2],
        ["b", 15],
        ["c", 6],
      ]),
    );
    // Last member's keys (b, c), then the first's new key (a); b from the first member (min-max).
    assert.deepEqual(entries(out), [
      ["b", 0.5],
      ["c", 0],
      ["a", 0.5],
    ]);
    // The same key sequences again (the merge is replayed by position): still first member wins.
    assert.deepEqual(
      entries(
        union.transformOne(
          raw([
            ["a", 3],
            ["b", 20],
            ["c", 7],
          ]),
        ),
      ),
      [
        ["b", 1],
        ["c", 1],
        ["a", 1],
      ],
    );
    // A new key sequence (c missing) is merged afresh.
    assert.deepEqual(
      entries(
        union.transformOne(
          raw([
            ["a", 1],
            ["b", 10],
          ]),
        ),
      ),
      [
        ["b", 0],
        ["a", 0],
      ],
    );
    // Three members: ChainMap order is the last's keys, then the middle's new ones, then the first's.
    const three = build("Select(a) + Select(c, b) + Select(b, d)") as TransformerUnion;
    assert.equal(three.transformers.length, 3);
    assert.deepEqual(
      [
        ...three
          .transformOne(
            raw([
              ["a", 1],
              ["b", 2],
              ["c", 3],
              ["d", 4],
            ]),
          )
          .keys(),
      ],
      ["b", "d", "c", "a"],
    );
  });

  it("learns every member on the same x; learnTransformOne equals learnOne then transformOne", () => {
    const spec = "(SelectType(number) | StandardScaler) + (SelectType(str) | OneHotEncoder) + MinMaxScaler";
    const a = build(
      "(SelectType(number) | StandardScaler) + (SelectType(str) | OneHotEncoder)",
    ) as TransformerUnion;
    const b = build(
      "(SelectType(number) | StandardScaler) + (SelectType(str) | OneHotEncoder)",
    ) as TransformerUnion;
    const rows = phishingWithStrings().slice(0, 50);
    for (const { x } of rows) {
      a.learnOne(x);
      const expected = entries(a.transformOne(x));
      assert.deepEqual(entries(b.learnTransformOne(x)), expected);
    }
    assert.equal(JSON.stringify(a.toState()), JSON.stringify(b.toState()));
    // Members learn independently: the scaler saw the 7 numeric features, the encoder the 2 strings.
    const [num, str] = (a.transformers as Pipeline[]).map((p) => p.finalStep.exportState() as any);
    assert.equal(num.names.length, 7);
    assert.deepEqual(str.names, ["popup_window", "age_of_domain"]);
    assert.ok(!(build(spec) as TransformerUnion).acceptsRaw);
  });

  it("spec forms: a + b, flattening, positional TransformerUnion(...), and at least two members", () => {
    const plus = build("StandardScaler + MinMaxScaler + OneHotEncoder");
    const nested = build("(StandardScaler + MinMaxScaler) + OneHotEncoder");
    const call = build("TransformerUnion(StandardScaler, MinMaxScaler, OneHotEncoder)");
    const named = build("TransformerUnion(transformers=[StandardScaler, MinMaxScaler, OneHotEncoder])");
    for (const c of [nested, call, named]) assert.deepEqual(c.getParams(), plus.getParams());
    assert.equal(describeSpec(plus), "StandardScaler + MinMaxScaler + OneHotEncoder");
    assert.throws(() => build("TransformerUnion(StandardScaler)"), SpecError);
    assert.throws(() => build("StandardScaler + LogisticRegression"), SpecError);
    const pipe = build("(Select(a) | StandardScaler) + Select(b) | LogisticRegression") as Pipeline;
    assert.equal(pipe.steps.length, 2);
    assert.equal(
      describeSpec(pipe),
      '(Select(keys=["a"]) | StandardScaler) + Select(keys=["b"]) | LogisticRegression',
    );
  });

  it("accepts raw input exactly when every member does", () => {
    const cases: [string, boolean][] = [
      ["OneHotEncoder", true],
      ["FeatureHasher", true],
      ["Select(a)", true],
      ["Discard(a)", true],
      ["SelectType(str)", true],
      ["MinMaxScaler", false],
      ["(SelectType(number) | StandardScaler) + (SelectType(str) | OneHotEncoder)", true],
      [
        "(SelectType(number) | StandardScaler) + (SelectType(str) | OneHotEncoder) | LogisticRegression",
        true,
      ],
      ["StandardScaler + OneHotEncoder", false],
      ["OneHotEncoder + FeatureHasher", true],
      ["(Select(a) | MinMaxScaler) + OneHotEncoder", true],
      ["(MinMaxScaler | OneHotEncoder) + OneHotEncoder", false],
    ];
    for (const [spec, expected] of cases) assert.equal(build(spec).acceptsRaw, expected, spec);
  });

  it("rejects a bad member state without changing any member", () => {
    const union = build("MinMaxScaler + OneHotEncoder") as TransformerUnion;
    union.learnOne(raw([["a", 1]]));
    const before = JSON.stringify(union.toState());
    const good = union.exportState() as any;
    assert.throws(() => union.importState({ transformers: [good.transformers[0]] }), /1 transformers/);
    assert.throws(() => union.importState({ transformers: [good.transformers[0], { names: 3 }] }));
    assert.throws(() => union.importState({ transformers: [{ names: "x" }, good.transformers[1]] }));
    assert.equal(JSON.stringify(union.toState()), before);
    assert.equal(JSON.stringify(restore(JSON.parse(before)).toState()), before);
  });
});

/** Our state in the layout of River's reference `state` fields (for k1 and j1b). */
function riverState(c: Component): any {
  const s = c.exportState() as any;
  const byName = (names: string[], values: unknown[]) =>
    Object.fromEntries(names.map((n, i) => [n, num(values[i])]));
  switch (c.kind) {
    case "MinMaxScaler":
      return { min: byName(s.names, s.min), max: byName(s.names, s.max) };
    case "StandardScaler":
      return {
        counts: byName(s.names, s.counts),
        means: byName(s.names, s.means),
        vars: byName(s.names, s.vars),
      };
    case "LogisticRegression": {
      const out: any = {
        weights: byName(s.names, s.weights),
        intercept: num(s.intercept),
        optimizer_n_iterations: s.optimizer.n_iterations,
      };
      if (s.optimizer.g2) out.adagrad_g2 = byName(s.names, s.optimizer.g2);
      return out;
    }
    default:
      throw new Error(`no River state layout for ${c.kind}`);
  }
}

/** Replays a conformance file row by row; `check` compares the state after each row. */
function replay(
  file: string,
  spec: string,
  rows: Row[],
  check: (model: Pipeline, state: any, what: string) => void,
) {
  const combo = readCombo(file);
  assert.equal(rows.length, combo.rows.length);
  const pipeline = build(spec) as Pipeline;
  const model = asSupervised(pipeline);
  const metrics = combo.metrics.map((n: string) => build(n) as Metric);
  rows.forEach((row, i) => {
    const ref = combo.rows[i];
    assert.equal(row.y, ref.y, `row ${i} target`);
    const pred = predictFor(model, row.x, metrics) as Map<Label, number>;
    closeProba(pred, ref.y_pred_proba, `row ${i}`);
    assert.equal(model.predictOne(row.x), ref.y_pred_label, `row ${i} label`);
    scorePrediction(metrics, row.y, pred);
    const values = Object.fromEntries(metrics.map((m: Metric, k: number) => [combo.metrics[k], m.get()]));
    closeMap(values, ref.metrics, `row ${i} metrics`);
    model.learnOne(row.x, row.y);
    if (ref.state) check(pipeline, ref.state, `row ${i} state`);
  });
  check(pipeline, combo.final.state, "final state");
  metrics.forEach((m: Metric, k: number) => {
    const name = combo.metrics[k];
    close(m.get(), num(combo.final.metrics[name]), `final ${name}`);
    // River's text: percent formats exactly; LogLoss prints every digit, where V8's exp/log
    // (1 ulp off glibc's at times) can show, so its number within the tolerance.
    sameMetricText(m.toString(), combo.final.metrics_repr[name], `final text of ${name}`);
  });
}

describe("River conformance, row by row", () => {
  it("k1: MinMaxScaler | LogisticRegression(optimizer=AdaGrad())", () => {
    const rows = loadStream("phishing").rows;
    replay(
      "k1_phishing_minmax_logreg_adagrad.json",
      "MinMaxScaler | LogisticRegression(optimizer=AdaGrad())",
      rows,
      (model, ref, what) => {
        const [scaler, lr] = model.steps;
        closeState(riverState(scaler!), ref.MinMaxScaler, `${what}.MinMaxScaler`);
        const ours = riverState(lr!);
        closeState(ours, ref.LogisticRegression, `${what}.LogisticRegression`);
        assert.deepEqual(
          Object.keys(ours.weights),
          Object.keys(ref.LogisticRegression.weights),
          `${what} weight order`,
        );
      },
    );
  });

  it("j1b: (SelectType(number) | StandardScaler) + (SelectType(str) | OneHotEncoder) | LogisticRegression", () => {
    const spec =
      "(SelectType(number) | StandardScaler) + (SelectType(str) | OneHotEncoder) | LogisticRegression";
    // River's own spelling builds the same model.
    assert.deepEqual(
      build(
        "(compose.SelectType(numbers.Number) | preprocessing.StandardScaler()) + (compose.SelectType(str) | preprocessing.OneHotEncoder()) | linear_model.LogisticRegression()",
      ).getParams().steps,
      JSON.parse(JSON.stringify(build(spec).getParams().steps).replaceAll('"number"', '"numbers.Number"')),
    );
    replay(
      "j1b_phishingstr_selecttype_scaler_onehot_logreg.json",
      spec,
      phishingWithStrings(),
      (model, ref, what) => {
        const union = model.steps[0] as TransformerUnion;
        const [numeric, categorical] = union.transformers as Pipeline[];
        closeState(
          riverState(numeric!.finalStep),
          ref.TransformerUnion.Pipeline.StandardScaler,
          `${what}.StandardScaler`,
        );
        // River's values are Python sets (hash order); ours are in first-seen order: compare as sets.
        const categories = (categorical!.finalStep as OneHotEncoder).categories;
        const refValues = ref.TransformerUnion.Pipeline1.OneHotEncoder.values_in_set_iteration_order;
        assert.deepEqual([...categories.keys()], Object.keys(refValues), `${what} encoded features`);
        for (const [name, values] of categories) {
          assert.deepEqual([...values].sort(), [...refValues[name]].sort(), `${what} values of ${name}`);
        }
        const ours = riverState(model.steps[1]!);
        closeState(ours, ref.LogisticRegression, `${what}.LogisticRegression`);
        // The weight order does not depend on the set order (one new value per feature per row).
        assert.deepEqual(
          Object.keys(ours.weights),
          Object.keys(ref.LogisticRegression.weights),
          `${what} weight order`,
        );
      },
    );
  });

  it("j1b's learn-time key order reaching LogisticRegression on row 0 is River's", () => {
    const model = build(
      "(SelectType(number) | StandardScaler) + (SelectType(str) | OneHotEncoder) | LogisticRegression",
    ) as Pipeline;
    const x = phishingWithStrings()[0]!.x;
    const union = model.steps[0] as Transformer;
    assert.deepEqual(
      [...union.learnTransformOne(x).keys()],
      [
        "popup_window_no",
        "age_of_domain_old",
        "empty_server_form_handler",
        "https",
        "request_from_other_domain",
        "anchor_from_other_domain",
        "is_popular",
        "long_url",
        "ip_in_url",
      ],
    );
  });
});

describe("shared estimator checks", () => {
  const numeric = loadStream("phishing").rows.slice(0, 300);
  const strings = phishingWithStrings().slice(0, 300);
  const onNumbers = [
    "MinMaxScaler",
    "MinMaxScaler | LogisticRegression(optimizer=AdaGrad())",
    "OneHotEncoder",
    "OneHotEncoder(drop_first=True)",
    "FeatureHasher",
    "FeatureHasher(n_features=8, seed=7) | LogisticRegression",
    "Select(https, is_popular, long_url)",
    "Discard(https)",
    "SelectType(number)",
    "Select(https, is_popular) + MinMaxScaler",
    "(Select(https) | MinMaxScaler) + (Discard(https) | StandardScaler) | LogisticRegression",
  ];
  const onStrings = [
    "OneHotEncoder",
    "OneHotEncoder(drop_zeros=True, drop_first=True)",
    "FeatureHasher(n_features=1000, seed=42)",
    "SelectType(str) | OneHotEncoder",
    "(SelectType(number) | StandardScaler) + (SelectType(str) | OneHotEncoder)",
    "(SelectType(number) | MinMaxScaler) + (SelectType(str) | OneHotEncoder) + FeatureHasher | LogisticRegression",
  ];
  for (const spec of onNumbers) checkEstimator(spec, numeric);
  for (const spec of onStrings) checkEstimator(spec, strings);
});
