/**
 * Guardrails over HTTP: a learn that would make the model non-finite is a 422 and changes
 * nothing (the issue's six learns of x.a = ±1e300·k); imports are validated as strictly as
 * learns (each case of the issue is refused, the model byte-identical after); a class label
 * `__proto__` keeps its probability. References: the export before the refused request, and
 * hand-made envelopes.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { call, startTestServer, type TestServer } from "../helpers/server.js";

const SPEC = "StandardScaler | LogisticRegression";
const good = (i: number) => ({ x: { a: i % 5, b: 1 }, y: i % 2 === 0 });

describe("guardrails on learning and imports", () => {
  let brook: TestServer;
  before(async () => {
    brook = await startTestServer();
    await call(brook.url, "PUT", "/v1/models/g", { spec: SPEC, metrics: ["ROCAUC", "Accuracy"] });
    await call(brook.url, "POST", "/v1/models/g/learn", {
      instances: Array.from({ length: 30 }, (_, i) => good(i)),
    });
  });
  after(() => brook.close());

  const exportText = async (name: string) => (await call(brook.url, "GET", `/v1/models/${name}/export`)).text;

  it("refuses learns that would make the model non-finite (422), the model exactly as before", async () => {
    const before_ = await exportText("g");
    const info = (await call(brook.url, "GET", "/v1/models/g")).body;
    for (let k = 1; k <= 6; k++) {
      const r = await call(brook.url, "POST", "/v1/models/g/learn", {
        x: { a: (k % 2 ? 1 : -1) * 1e300 * k, b: 1 },
        y: k % 2 === 0,
      });
      assert.equal(r.status, 422, r.text);
      assert.equal(r.body.code, "BROOK_NON_FINITE");
      assert.match(r.body.error, /non-finite/);
    }
    const batch = await call(brook.url, "POST", "/v1/models/g/learn", {
      instances: [good(1), { x: { a: 1e308, b: 1 }, y: true }, good(2)],
    });
    assert.equal(batch.status, 422);
    assert.equal(batch.body.path, "instances[1]");
    assert.equal(await exportText("g"), before_);
    const now = (await call(brook.url, "GET", "/v1/models/g")).body;
    assert.equal(now.version, info.version);
    // Still answering with numbers (the issue: `{"false": null, "true": null}` for good).
    const p = await call(brook.url, "POST", "/v1/models/g/predict", { x: { a: 2, b: 1 } });
    assert.equal(p.status, 200);
    for (const v of Object.values(p.body.probabilities)) assert.ok(Number.isFinite(v), String(v));
  });

  it("a stream of examples refuses only the bad line", async () => {
    await call(brook.url, "PUT", "/v1/models/gs", { spec: SPEC });
    const lines = [good(0), good(1), { x: { a: 1e308, b: 1 }, y: true }, good(2)];
    const res = await fetch(`${brook.url}/v1/models/gs/learn`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: lines.map((l) => JSON.stringify(l)).join("\n"),
    });
    const body = (await res.json()) as {
      learned_now: number;
      rejected: number;
      errors: { line: number; code: string }[];
    };
    assert.equal(body.learned_now, 3);
    assert.equal(body.rejected, 1);
    assert.deepEqual(
      body.errors.map((e) => [e.line, e.code]),
      [[3, "BROOK_NON_FINITE"]],
    );
  });

  describe("imports are as strict as learns", () => {
    let exported: any;
    before(async () => {
      exported = (await call(brook.url, "GET", "/v1/models/g/export")).body;
      await call(brook.url, "PUT", "/v1/models/target", { spec: SPEC, metrics: ["ROCAUC", "Accuracy"] });
      await call(brook.url, "POST", "/v1/models/target/learn", { instances: [good(3), good(4)] });
    });

    const cases: [string, (e: any) => void, number, string, RegExp][] = [
      [
        "an inherited property name for a number",
        (e) => {
          e.state.state.steps[1].intercept = "constructor";
        },
        400,
        "BROOK_INVALID_STATE",
        /intercept must be a number/,
      ],
      [
        "a NaN weight",
        (e) => {
          e.state.state.steps[1].weights[0] = "NaN";
        },
        422,
        "BROOK_INVALID_STATE_VALUE",
        /state\.state\.steps\[1\]\.weights\[0\] must be finite/,
      ],
      [
        "an infinite intercept",
        (e) => {
          e.state.state.steps[1].intercept = "-Infinity";
        },
        422,
        "BROOK_INVALID_STATE_VALUE",
        /intercept must be finite/,
      ],
      [
        "a negative count",
        (e) => {
          e.state.state.steps[0].counts[0] = -3;
        },
        422,
        "BROOK_INVALID_STATE_VALUE",
        /counts\[0\] must be a non-negative integer/,
      ],
      [
        "a fractional count",
        (e) => {
          e.state.state.steps[0].counts[1] = 2.5;
        },
        422,
        "BROOK_INVALID_STATE_VALUE",
        /counts\[1\] must be a non-negative integer/,
      ],
      [
        "a negative variance",
        (e) => {
          e.state.state.steps[0].vars[0] = -1;
        },
        422,
        "BROOK_INVALID_STATE_VALUE",
        /vars\[0\] must be a number >= 0/,
      ],
      [
        "a metric state of another kind",
        (e) => {
          e.metrics[0] = e.metrics[1];
        },
        422,
        "BROOK_INVALID_STATE_VALUE",
        /metrics\[0\] is not a state of this model's ROCAUC/,
      ],
      [
        "a metric state with a negative count",
        (e) => {
          e.metrics[1].state.cm.total_weight = -1;
        },
        422,
        "BROOK_INVALID_STATE_VALUE",
        /total_weight must be a number >= 0/,
      ],
      [
        "fewer metric states than the model has",
        (e) => {
          e.metrics = e.metrics.slice(0, 1);
        },
        422,
        "BROOK_INVALID_STATE_VALUE",
        /metrics must hold the states of this model's 2 metrics/,
      ],
      [
        "a negative learned count",
        (e) => {
          e.learned = -5;
        },
        422,
        "BROOK_INVALID_STATE_VALUE",
        /learned must be a non-negative integer/,
      ],
    ];
    for (const [what, mutate, status, code, message] of cases) {
      it(`refuses ${what} (${status}), the model unchanged`, async () => {
        const before_ = await exportText("target");
        const doc = JSON.parse(JSON.stringify(exported));
        mutate(doc);
        const r = await call(brook.url, "POST", "/v1/models/target/import", doc);
        assert.equal(r.status, status, r.text);
        assert.equal(r.body.code, code);
        assert.match(r.body.error, message);
        assert.equal(await exportText("target"), before_);
      });
    }

    it("still takes a good export", async () => {
      const r = await call(brook.url, "POST", "/v1/models/target/import", exported);
      assert.equal(r.status, 200, r.text);
      const { version: _v, ...now } = JSON.parse(await exportText("target"));
      const { version: _w, model: _m, ...want } = exported;
      assert.deepEqual({ ...now, model: undefined, seq: 0 }, { ...want, model: undefined, seq: 0 });
    });
  });

  it("keeps a class label named __proto__ in probabilities", async () => {
    await call(brook.url, "PUT", "/v1/models/nb", { spec: "GaussianNB" });
    const instances = Array.from({ length: 10 }, (_, i) => ({
      x: { a: i },
      y: i % 2 === 0 ? "__proto__" : "other",
    }));
    const learned = await call(brook.url, "POST", "/v1/models/nb/learn", { instances });
    assert.equal(learned.status, 200, learned.text);
    const p = await call(brook.url, "POST", "/v1/models/nb/predict", { x: { a: 2 } });
    assert.equal(p.status, 200);
    assert.deepEqual(Object.keys(p.body.probabilities).sort(), ["__proto__", "other"]);
    assert.ok(Object.hasOwn(p.body.probabilities, "__proto__"));
    assert.ok(Object.getOwnPropertyDescriptor(p.body.probabilities, "__proto__")!.value > 0.5);
    assert.equal(p.body.prediction, "__proto__");
  });
});
