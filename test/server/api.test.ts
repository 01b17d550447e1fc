import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { loadStream } from "../../src/data/datasets.js";
import { asSupervised, build, restore } from "../../src/learn/index.js";
import { call, startTestServer, type TestServer } from "../helpers/server.js";

const phishing = loadStream("phishing").rows;
const obj = (x: ReadonlyMap<string, number>) => Object.fromEntries(x);

describe("JSON API /v1/models", () => {
  let brook: TestServer;
  before(async () => {
    brook = await startTestServer({ metrics: "ROCAUC, Accuracy, LogLoss" });
  });
  after(() => brook.close());

  it("lists the default model and describes it", async () => {
    const list = await call(brook.url, "GET", "/v1/models");
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.models, [
      { name: "default", spec: "StandardScaler | LogisticRegression", task: "binary", version: 0 },
    ]);
    const one = await call(brook.url, "GET", "/v1/models/default");
    assert.equal(one.body.kind, "Pipeline");
    assert.equal(one.body.params.steps[1].kind, "LogisticRegression");
    assert.deepEqual(Object.keys(one.body.metrics), ["ROCAUC", "Accuracy", "LogLoss"]);
    assert.equal(one.body.learned, 0);
  });

  it("learns single examples and batches in order, one version per example", async () => {
    const single = await call(brook.url, "POST", "/v1/models/default/learn", {
      x: obj(phishing[0]!.x),
      y: phishing[0]!.y,
    });
    assert.equal(single.status, 200);
    assert.equal(single.body.version, 1);
    assert.equal(single.body.learned, 1);
    assert.equal(single.body.learned_now, 1);
    const instances = phishing.slice(1, 400).map((r) => ({ x: obj(r.x), y: r.y }));
    const batch = await call(brook.url, "POST", "/v1/models/default/learn", { instances });
    assert.equal(batch.body.version, 400);
    // `learned` is the model's total, `learned_now` what this request learned.
    assert.equal(batch.body.learned, 400);
    assert.equal(batch.body.learned_now, 399);
    // Same as learning the same stream locally, in the same order.
    const local = asSupervised(build("StandardScaler | LogisticRegression"));
    for (const r of phishing.slice(0, 400)) local.learnOne(r.x, r.y);
    const p = await call(brook.url, "POST", "/v1/models/default/predict", {
      x: obj(phishing[500]!.x),
      min_version: 400,
    });
    assert.equal(p.body.version, 400);
    assert.equal(p.body.probabilities.true, local.predictProbaOne(phishing[500]!.x).get(true));
  });

  it("predicts batches with one result per instance, in order", async () => {
    const xs = phishing.slice(400, 410).map((r) => obj(r.x));
    const res = await call(brook.url, "POST", "/v1/models/default/predict", { instances: xs });
    assert.equal(res.status, 200);
    assert.equal(res.body.predictions.length, 10);
    for (const [i, x] of xs.entries()) {
      const one = await call(brook.url, "POST", "/v1/models/default/predict", { x });
      assert.deepEqual(res.body.predictions[i], {
        prediction: one.body.prediction,
        probabilities: one.body.probabilities,
      });
    }
    // {"x": {...}} items are accepted too, like learn instances.
    const wrapped = await call(brook.url, "POST", "/v1/models/default/predict", {
      instances: xs.map((x) => ({ x })),
    });
    assert.deepEqual(wrapped.body.predictions, res.body.predictions);
  });

  it("metrics follow progressive validation (each example scored before it is learned)", async () => {
    const res = await call(brook.url, "GET", "/v1/models/default/metrics?min_version=400");
    assert.equal(res.body.version, 400);
    const local = asSupervised(build("StandardScaler | LogisticRegression"));
    const acc = { right: 0, n: 0 };
    for (const r of phishing.slice(0, 400)) {
      acc.right += Number(local.predictOne(r.x) === r.y);
      acc.n += 1;
      local.learnOne(r.x, r.y);
    }
    assert.equal(res.body.metrics.Accuracy, acc.right / acc.n);
    assert.match(res.body.text[1], /^Accuracy: \d+\.\d\d%$/);
  });

  it("exports a state that rebuilds the exact model elsewhere", async () => {
    const exp = await call(brook.url, "GET", "/v1/models/default/export?min_version=400");
    assert.equal(exp.status, 200);
    assert.equal(exp.body.version, 400);
    assert.equal(exp.body.state.format, "brook.state");
    const copy = asSupervised(restore(exp.body.state));
    for (const r of phishing.slice(600, 620)) {
      const served = await call(brook.url, "POST", "/v1/models/default/predict", { x: obj(r.x) });
      assert.equal(served.body.probabilities.true, copy.predictProbaOne(r.x).get(true));
    }
    assert.equal(exp.body.metrics.length, 3);
  });

  it("keeps the wire order of integer-like feature names (River sums in that order)", async () => {
    const local = asSupervised(build("StandardScaler | LogisticRegression"));
    const body = '{"x": {"b": 1.5, "10": -2.25, "a": 0.5, "2": 3}, "y": true}';
    local.learnOne(
      new Map([
        ["b", 1.5],
        ["10", -2.25],
        ["a", 0.5],
        ["2", 3],
      ]),
      true,
    );
    const other = await startTestServer();
    try {
      await call(other.url, "POST", "/v1/models/default/learn", body);
      const exp = await call(other.url, "GET", "/v1/models/default/export?min_version=1");
      assert.deepEqual(exp.body.state.state.steps[1].names, ["b", "10", "a", "2"]);
      assert.deepEqual(exp.body.state, JSON.parse(JSON.stringify(local.toState())));
    } finally {
      await other.close();
    }
  });

  it("answers health and readiness checks", async () => {
    assert.deepEqual((await call(brook.url, "GET", "/healthz")).body, { status: "ok" });
    assert.equal((await call(brook.url, "GET", "/readyz")).body.status, "ready");
  });
});

describe("a regression model", () => {
  let brook: TestServer;
  before(async () => {
    brook = await startTestServer({ model: "StandardScaler | LinearRegression" });
  });
  after(() => brook.close());

  it("takes numeric targets, scores MAE by default and predicts numbers", async () => {
    const trump = loadStream("trump_approval").rows.slice(0, 50);
    const res = await call(brook.url, "POST", "/v1/models/default/learn", {
      instances: trump.map((r) => ({ x: obj(r.x), y: r.y })),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body.metrics), ["MAE"]);
    const p = await call(brook.url, "POST", "/v1/models/default/predict", {
      x: obj(trump[0]!.x),
      min_version: res.body.version,
    });
    assert.equal(typeof p.body.prediction, "number");
    assert.equal(p.body.probabilities, undefined);
    const text = await call(brook.url, "POST", "/predict", { x: obj(trump[0]!.x) });
    assert.equal(text.text, String(p.body.prediction));
    const bad = await call(brook.url, "POST", "/v1/models/default/learn", { x: obj(trump[0]!.x), y: true });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, "BROOK_INVALID_TARGET");
  });
});
