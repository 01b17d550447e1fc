/**
 * Targets that do not fit the task never reach a model, for every task: `1e999` and `-1e999`
 * are valid JSON that parse to ±Infinity (JSON.stringify cannot write them, so these bodies are
 * raw text), and a regressor or forecaster must refuse them like any other non-finite number.
 * Singly, in batches (all or nothing), as late labels, and through the order-keeping parser
 * (integer-like feature names) — each answered 400 BROOK_INVALID_TARGET with the model untouched.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { call, startTestServer, type TestServer } from "../helpers/server.js";

interface TaskCase {
  name: string;
  spec: string;
  task: string;
  /** A valid example's features (JSON text) and target (JSON text). */
  x: string;
  y: string;
  /** Target texts that must be refused, besides ±1e999. */
  refused: string[];
  /** Target texts the task accepts (each is learned). */
  accepted: string[];
}

const TASKS: TaskCase[] = [
  {
    name: "binary",
    spec: "LogisticRegression",
    task: "binary",
    x: '{"a": 1, "b": 0.5}',
    y: "true",
    refused: ['"true"', "2", "0.5", "null", "[true]"],
    // 1e-999 is the number 0 once parsed (JSON has no smaller value), so it is `false`.
    accepted: ["false", "1", "0", "1.0", "-0", "1e-999"],
  },
  {
    name: "multiclass",
    spec: "SoftmaxRegression",
    task: "multiclass",
    x: '{"a": 1, "b": 0.5}',
    y: '"cat"',
    refused: ["null", "[1]", '{"k": 1}'],
    accepted: ['"dog"', "3", "false", "1e308"],
  },
  {
    name: "regression",
    spec: "LinearRegression",
    task: "regression",
    x: '{"a": 1, "b": 0.5}',
    y: "2.5",
    refused: ['"2.5"', "true", "null", "[2.5]"],
    accepted: ["-3", "0", "1e308", "-1e308", "1e-999"],
  },
  {
    name: "anomaly",
    spec: "HalfSpaceTrees(seed=1)",
    task: "anomaly",
    x: '{"a": 0.2, "b": 0.5}',
    y: "false",
    refused: ["2", '"spam"', "null", "0.5"],
    accepted: ["true", "1", "0"],
  },
  {
    name: "forecasting",
    spec: "HoltWinters(alpha=0.3, beta=0.1, gamma=0.6, seasonality=4)",
    task: "forecasting",
    x: "{}",
    y: "112",
    refused: ['"112"', "true", "null"],
    accepted: ["118", "0", "1e308"],
  },
];

const NON_FINITE = ["1e999", "-1e999", "-1E999", "1e400"];

describe("targets that do not fit the task, for every task (raw JSON bodies)", () => {
  let brook: TestServer;
  before(async () => {
    brook = await startTestServer();
  });
  after(() => brook.close());

  const learnPath = (name: string) => `/v1/models/${name}/learn`;
  const exported = async (name: string) => (await call(brook.url, "GET", `/v1/models/${name}/export`)).text;
  const expectRefused = async (name: string, body: string, path: string, what: string) => {
    const res = await call(brook.url, "POST", learnPath(name), body);
    assert.equal(res.status, 400, `${what}: ${res.text}`);
    assert.match(res.type, /^application\/problem\+json/);
    assert.equal(res.body.code, "BROOK_INVALID_TARGET", what);
    assert.equal(res.body.path, path, what);
    return res.body.error as string;
  };

  for (const t of TASKS) {
    it(`${t.name}: ±1e999 and wrong types are 400 BROOK_INVALID_TARGET, one at a time and in batches`, async () => {
      const name = `t-${t.name}`;
      const put = await call(brook.url, "PUT", `/v1/models/${name}`, { spec: t.spec });
      assert.equal(put.status, 201, put.text);
      assert.equal(put.body.task, t.task);
      // Something learned first, so that "untouched" means something.
      for (let i = 0; i < 3; i++) {
        const ok = await call(brook.url, "POST", learnPath(name), `{"x": ${t.x}, "y": ${t.y}}`);
        assert.equal(ok.status, 200, ok.text);
      }
      const before_ = await exported(name);
      for (const y of [...NON_FINITE, ...t.refused]) {
        const message = await expectRefused(name, `{"x": ${t.x}, "y": ${y}}`, "y", `y = ${y}`);
        // The message shows what was received: Infinity, not JSON.stringify's "null".
        if (NON_FINITE.includes(y)) assert.match(message, /^y .*, got -?Infinity$/, message);
        await expectRefused(
          name,
          `{"instances": [{"x": ${t.x}, "y": ${t.y}}, {"x": ${t.x}, "y": ${t.y}}, {"x": ${t.x}, "y": ${y}}]}`,
          "instances[2].y",
          `batch with y = ${y}`,
        );
      }
      assert.equal(await exported(name), before_, "nothing was learned from the refused requests");
      // What the task does accept is learned, and moves the version.
      let version = JSON.parse(before_).version as number;
      for (const y of t.accepted) {
        const res = await call(brook.url, "POST", learnPath(name), `{"x": ${t.x}, "y": ${y}}`);
        assert.equal(res.status, 200, `y = ${y}: ${res.text}`);
        assert.equal(res.body.version, ++version, `y = ${y}`);
      }
    });
  }

  it("the order-keeping parser (integer-like feature names) reads 1e999 as Infinity too", async () => {
    assert.equal(
      (await call(brook.url, "PUT", "/v1/models/ordered", { spec: "LinearRegression" })).status,
      201,
    );
    const x = '{"2": 1, "1": 0.5}';
    assert.equal((await call(brook.url, "POST", learnPath("ordered"), `{"x": ${x}, "y": 1}`)).status, 200);
    const before_ = await exported("ordered");
    await expectRefused("ordered", `{"x": ${x}, "y": 1e999}`, "y", "ordered, 1e999");
    await expectRefused(
      "ordered",
      `{"instances": [{"x": ${x}, "y": 1}, {"x": ${x}, "y": -1e999}]}`,
      "instances[1].y",
      "ordered batch",
    );
    assert.equal(await exported("ordered"), before_);
  });

  it("a late label of 1e999 is refused and the prediction still waits for a real label", async () => {
    assert.equal((await call(brook.url, "PUT", "/v1/models/late", { spec: "LinearRegression" })).status, 201);
    const p = await call(brook.url, "POST", "/v1/models/late/predict", '{"x": {"a": 1}, "id": "p-1"}');
    assert.equal(p.status, 200, p.text);
    assert.equal(p.body.id, "p-1");
    const before_ = await exported("late");
    await expectRefused("late", '{"id": "p-1", "y": 1e999}', "y", "late label 1e999");
    await expectRefused(
      "late",
      '{"instances": [{"id": "p-1", "y": -1e999}]}',
      "instances[0].y",
      "late batch",
    );
    assert.equal(await exported("late"), before_);
    const info = await call(brook.url, "GET", "/v1/models/late");
    assert.equal(info.body.pending.waiting, 1, JSON.stringify(info.body.pending));
    assert.equal(info.body.pending.labelled, 0, JSON.stringify(info.body.pending));
    const ok = await call(brook.url, "POST", "/v1/models/late/learn", '{"id": "p-1", "y": 4}');
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.learned, 1);
  });
});
