/**
 * Every task through the HTTP API: multiclass labels, categorical features, anomaly scores
 * (learning without labels), forecasts, and a drift detector watching a model's errors.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { loadRawStream, loadStream } from "../../src/data/datasets.js";
import { asModel, build, type ForecastModel } from "../../src/learn/index.js";
import { readCombo } from "../helpers/river.js";
import { call, startTestServer, type TestServer } from "../helpers/server.js";

const obj = (x: ReadonlyMap<string, unknown>) => Object.fromEntries(x);

describe("tasks over HTTP", () => {
  let brook: TestServer;
  before(async () => {
    brook = await startTestServer();
  });
  after(() => brook.close());

  it("multiclass: string labels, probabilities for every class, multiclass metrics", async () => {
    const seg = loadStream("test/fixtures/datasets/segment.csv", "category").rows.slice(0, 400);
    const put = await call(brook.url, "PUT", "/v1/models/seg", {
      spec: "StandardScaler | SoftmaxRegression",
      metrics: ["Accuracy", "MacroF1"],
    });
    assert.equal(put.status, 201, put.text);
    assert.equal(put.body.task, "multiclass");
    const res = await call(brook.url, "POST", "/v1/models/seg/learn", {
      instances: seg.map((r) => ({ x: obj(r.x), y: r.y })),
    });
    assert.equal(res.status, 200, res.text);
    assert.ok(res.body.metrics.Accuracy > 0.5);
    const p = await call(brook.url, "POST", "/v1/models/seg/predict", {
      x: obj(seg[0]!.x),
      min_version: res.body.version,
    });
    assert.equal(typeof p.body.prediction, "string");
    assert.equal(Object.keys(p.body.probabilities).length, 7);
    const bad = await call(brook.url, "POST", "/v1/models/seg/learn", { x: obj(seg[0]!.x), y: [1] });
    assert.equal(bad.body.code, "BROOK_INVALID_TARGET");
  });

  it("categorical features reach models that can encode them, and only those", async () => {
    const spec =
      "(SelectType(number) | StandardScaler) + (SelectType(str) | OneHotEncoder) | LogisticRegression";
    assert.equal((await call(brook.url, "PUT", "/v1/models/cat", { spec })).status, 201);
    const x = { popup_window: "yes", https: 1, age_of_domain: "old", long_url: 0 };
    const learn = await call(brook.url, "POST", "/v1/models/cat/learn", { x, y: true });
    assert.equal(learn.status, 200, learn.text);
    const p = await call(brook.url, "POST", "/v1/models/cat/predict", {
      x: { ...x, popup_window: "no" },
      min_version: learn.body.version,
    });
    assert.equal(p.status, 200);
    const numeric = await call(brook.url, "POST", "/v1/models/default/learn", { x, y: true });
    assert.equal(numeric.status, 400);
    assert.match(
      numeric.body.error,
      /x\.popup_window is the string "yes", but model "default" only takes numbers/,
    );
  });

  it("anomaly detection: learns without labels, predicts scores; labels only feed the metric (River's numbers)", async () => {
    const combo = readCombo("m1_phishing_minmax_halfspacetrees.json");
    const put = await call(brook.url, "PUT", "/v1/models/hst", {
      spec: "MinMaxScaler | HalfSpaceTrees(seed=42)",
      metrics: ["ROCAUC"],
    });
    assert.equal(put.status, 201, put.text);
    assert.equal(put.body.task, "anomaly");
    const rows = loadStream("phishing").rows;
    // River's loop: score, learn, update the metric with the label.
    const res = await call(brook.url, "POST", "/v1/models/hst/learn", {
      instances: rows.map((r) => ({ x: obj(r.x), y: r.y })),
    });
    assert.equal(res.status, 200, res.text);
    assert.ok(Math.abs(res.body.metrics.ROCAUC - combo.final.metrics["ROCAUC(n_thresholds=10)"]) < 1e-9);
    const unlabelled = await call(brook.url, "POST", "/v1/models/hst/learn", { x: obj(rows[0]!.x) });
    assert.equal(unlabelled.status, 200);
    assert.equal(unlabelled.body.metrics.ROCAUC, res.body.metrics.ROCAUC, "no label, no metric update");
    const p = await call(brook.url, "POST", "/v1/models/hst/predict", {
      x: obj(rows[1]!.x),
      min_version: unlabelled.body.version,
    });
    assert.equal(typeof p.body.score, "number");
    assert.equal(p.body.prediction, undefined);
    const bad = await call(brook.url, "POST", "/v1/models/hst/learn", { x: obj(rows[0]!.x), y: "spam" });
    assert.equal(bad.status, 400);
  });

  it("forecasting: learns observed values, forecasts a horizon like the library does", async () => {
    const spec = "HoltWinters(alpha=0.3, beta=0.1, gamma=0.6, seasonality=12, multiplicative=True)";
    const put = await call(brook.url, "PUT", "/v1/models/air", { spec });
    assert.equal(put.status, 201, put.text);
    assert.equal(put.body.task, "forecasting");
    const series = loadRawStream("airline_passengers").rows.map((r) => r.y as number);
    const early = await call(brook.url, "POST", "/v1/models/air/forecast", { horizon: 3 });
    assert.equal(early.status, 400, "not enough history yet");
    const res = await call(brook.url, "POST", "/v1/models/air/learn", {
      instances: series.map((y) => ({ y })),
    });
    assert.equal(res.status, 200, res.text);
    assert.ok(res.body.metrics.MAE > 0);
    const f = await call(brook.url, "POST", "/v1/models/air/forecast", {
      horizon: 12,
      min_version: res.body.version,
    });
    assert.equal(f.status, 200);
    const local = asModel(build(spec)) as ForecastModel;
    for (const y of series) local.learnOne(y);
    assert.deepEqual(f.body.forecast, local.forecast(12));
    assert.equal((await call(brook.url, "POST", "/v1/models/air/predict", { x: {} })).status, 400);
    assert.equal((await call(brook.url, "POST", "/v1/models/default/forecast", { horizon: 2 })).status, 400);
    assert.equal((await call(brook.url, "POST", "/v1/models/air/forecast", { horizon: 0 })).status, 400);
    assert.equal((await call(brook.url, "POST", "/v1/models/air/learn", { y: "high" })).status, 400);
  });

  it("drift: a detector on the model's own errors counts detections, timestamped", async () => {
    const put = await call(brook.url, "PUT", "/v1/models/drifty", {
      spec: "StandardScaler | LinearRegression",
      drift: "ADWIN",
    });
    assert.equal(put.status, 201, put.text);
    // y = x for a while, then y = -x + 20: the error jumps.
    const instances = Array.from({ length: 2000 }, (_, i) => {
      const x = (i % 50) / 10;
      return { x: { a: x }, y: i < 1000 ? x : 20 - x };
    });
    await call(brook.url, "POST", "/v1/models/drifty/learn", { instances });
    const info = await call(brook.url, "GET", "/v1/models/drifty");
    assert.equal(info.body.drift.detector, "ADWIN");
    assert.ok(info.body.drift.detections >= 1, JSON.stringify(info.body.drift));
    assert.ok(info.body.drift.recent.some((d: { version: number }) => d.version > 1000));
    assert.match(info.body.drift.recent[0].at, /^\d{4}-\d\d-\d\dT/);
    const bad = await call(brook.url, "PUT", "/v1/models/nodrift", {
      spec: "LinearRegression",
      drift: "Accuracy",
    });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /not a drift detector/);
  });
});
