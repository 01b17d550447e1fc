/**
 * The Open Inference Protocol (KServe V2) REST API, spoken as a KServe or Triton HTTP client
 * speaks it: the request bodies follow the protocol documentation's examples (its
 * `{"id": "42", "inputs": [...], "outputs": [{"name": ...}]}` request), with Phishing's
 * feature names; answers are checked against the /v1 API on the same model.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { loadStream } from "../../src/data/datasets.js";
import { call, startTestServer, type TestServer } from "../helpers/server.js";

const phishing = loadStream("phishing").rows;
const FEATURES = [...phishing[0]!.x.keys()];
const obj = (i: number) => Object.fromEntries(phishing[i]!.x);

/** The protocol's tensor encoding of rows `from..to`: one FP64 input per feature, shape [N]. */
function inputs(from: number, to: number, nested = false) {
  return FEATURES.map((name) => {
    const data = phishing.slice(from, to).map((r) => r.x.get(name)!);
    return { name, shape: [to - from], datatype: "FP64", data: nested ? data.map((v) => [v]) : data };
  });
}

describe("Open Inference Protocol (KServe V2)", () => {
  let brook: TestServer;
  before(async () => {
    brook = await startTestServer({ readWaitMs: 50 });
  });
  after(() => brook.close());

  it("server metadata, liveness and readiness", async () => {
    const meta = await call(brook.url, "GET", "/v2");
    assert.equal(meta.status, 200);
    assert.equal(meta.body.name, "brook");
    assert.match(meta.body.version, /^\d+\.\d+\.\d+/);
    assert.ok(meta.body.extensions.includes("learn"));
    assert.deepEqual((await call(brook.url, "GET", "/v2/health/live")).body, { live: true });
    const ready = await call(brook.url, "GET", "/v2/health/ready");
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { ready: true });
    const model = await call(brook.url, "GET", "/v2/models/default/ready");
    assert.deepEqual(model.body, { name: "default", ready: true });
  });

  it("model metadata: dynamic inputs before learning, one input per feature after", async () => {
    const fresh = await call(brook.url, "GET", "/v2/models/default");
    assert.equal(fresh.status, 200);
    assert.equal(fresh.body.name, "default");
    assert.equal(fresh.body.platform, "brook");
    assert.deepEqual(fresh.body.inputs, []);
    assert.equal(fresh.body.parameters.dynamic_inputs, true);
    assert.deepEqual(
      fresh.body.outputs.map((o: { name: string; datatype: string }) => [o.name, o.datatype]),
      [
        ["predict", "BOOL"],
        ["predict_proba", "FP64"],
      ],
    );
    // The learn extension, with the targets as input y.
    const learn = await call(brook.url, "POST", "/v2/models/default/learn", {
      id: "learn-1",
      inputs: [
        ...inputs(0, 50),
        { name: "y", shape: [50], datatype: "BOOL", data: phishing.slice(0, 50).map((r) => r.y) },
      ],
    });
    assert.equal(learn.status, 200, learn.text);
    assert.equal(learn.body.id, "learn-1");
    assert.equal(learn.body.model_name, "default");
    assert.equal(learn.body.version, 50);
    assert.equal(learn.body.model_version, "50");
    assert.equal(learn.body.learned, 50);
    assert.equal(learn.body.learned_now, 50);
    const after_ = await call(brook.url, "GET", "/v2/models/default");
    assert.deepEqual(
      after_.body.inputs,
      FEATURES.map((name) => ({ name, datatype: "FP64", shape: [-1] })),
    );
    assert.deepEqual(after_.body.versions, ["50"]);
    assert.equal((await call(brook.url, "GET", "/v2/models/default/versions/50")).status, 200);
    const ahead = await call(brook.url, "GET", "/v2/models/default/versions/51/ready");
    assert.equal(ahead.status, 503);
    assert.deepEqual(ahead.body, { name: "default", ready: false });
  });

  it("infer: the documentation's request shape, flat or nested data, equal to /v1 predict", async () => {
    // As in the protocol's example: an id, inputs, and the outputs wanted.
    const request = {
      id: "42",
      inputs: inputs(100, 102),
      outputs: [{ name: "predict" }, { name: "predict_proba" }],
    };
    const res = await call(brook.url, "POST", "/v2/models/default/infer", request);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.id, "42");
    assert.equal(res.body.model_name, "default");
    assert.equal(res.body.model_version, "50");
    const [predict, proba] = res.body.outputs;
    assert.deepEqual([predict.name, predict.datatype, predict.shape], ["predict", "BOOL", [2]]);
    assert.deepEqual([proba.name, proba.datatype, proba.shape], ["predict_proba", "FP64", [2, 2]]);
    const classes = JSON.parse(proba.parameters.classes);
    assert.deepEqual(classes, [false, true]);
    for (const [r, i] of [100, 101].entries()) {
      const v1 = (await call(brook.url, "POST", "/v1/models/default/predict", { x: obj(i) })).body;
      assert.equal(predict.data[r], v1.prediction);
      assert.equal(proba.data[r * 2], v1.probabilities.false);
      assert.equal(proba.data[r * 2 + 1], v1.probabilities.true);
    }
    const nested = await call(brook.url, "POST", "/v2/models/default/infer", {
      id: "43",
      inputs: inputs(100, 102, true).map((t) => ({ ...t, shape: [2, 1] })),
    });
    assert.deepEqual(nested.body.outputs, res.body.outputs);
    // A Triton client asks for one output, with its own parameters.
    const one = await call(brook.url, "POST", "/v2/models/default/versions/50/infer", {
      inputs: inputs(100, 102),
      outputs: [{ name: "predict_proba", parameters: { binary_data: false } }],
    });
    assert.equal(one.status, 200, one.text);
    assert.equal(one.body.id, undefined);
    assert.deepEqual(
      one.body.outputs.map((o: { name: string }) => o.name),
      ["predict_proba"],
    );
  });

  it("integer and boolean datatypes, and min_version", async () => {
    const ints = inputs(200, 201).map((t) => ({ ...t, datatype: "INT64" }));
    const res = await call(brook.url, "POST", "/v2/models/default/infer", {
      inputs: ints.filter((t) => t.data.every((v) => Number.isInteger(v))),
      parameters: { min_version: 50 },
    });
    assert.equal(res.status, 200, res.text);
    const later = await call(brook.url, "POST", "/v2/models/default/infer", {
      inputs: inputs(200, 201),
      parameters: { min_version: 51 },
    });
    assert.equal(later.status, 503);
    assert.match(later.body.error, /version 51/);
    const ahead = await call(brook.url, "POST", "/v2/models/default/versions/99/infer", {
      inputs: inputs(200, 201),
    });
    assert.equal(ahead.status, 503);
  });

  it("errors are the protocol's {\"error\": ...}, with Brook's code in a header", async () => {
    const cases: [string, string, unknown, number, string][] = [
      ["POST", "/v2/models/nope/infer", { inputs: inputs(0, 1) }, 404, "BROOK_MODEL_NOT_FOUND"],
      ["GET", "/v2/models/nope", undefined, 404, "BROOK_MODEL_NOT_FOUND"],
      [
        "POST",
        "/v2/models/default/infer",
        { inputs: [{ name: "https", shape: [2], datatype: "FP64", data: [1] }] },
        400,
        "BROOK_INVALID_REQUEST",
      ],
      [
        "POST",
        "/v2/models/default/infer",
        { inputs: [{ name: "https", shape: [1], datatype: "BYTES", data: ["yes"] }] },
        400,
        "BROOK_INVALID_FEATURES",
      ],
      [
        "POST",
        "/v2/models/default/infer",
        { inputs: [{ name: "https", shape: [1], datatype: "FP64", data: ["1"] }] },
        400,
        "BROOK_INVALID_FEATURES",
      ],
      [
        "POST",
        "/v2/models/default/infer",
        { inputs: [{ name: "https", shape: [1], datatype: "FP17", data: [1] }] },
        400,
        "BROOK_INVALID_REQUEST",
      ],
      [
        "POST",
        "/v2/models/default/infer",
        { inputs: inputs(0, 1), outputs: [{ name: "output0" }] },
        400,
        "BROOK_INVALID_REQUEST",
      ],
      ["POST", "/v2/models/default/infer", { inputs: [] }, 400, "BROOK_INVALID_REQUEST"],
      ["POST", "/v2/models/default/infer", "{not json", 400, "BROOK_INVALID_JSON"],
      ["POST", "/v2/models/default/learn", { inputs: inputs(0, 2) }, 400, "BROOK_INVALID_TARGET"],
      [
        "POST",
        "/v2/models/default/learn",
        { inputs: [...inputs(0, 1), { name: "y", shape: [1], datatype: "BYTES", data: ["maybe"] }] },
        400,
        "BROOK_INVALID_TARGET",
      ],
      ["GET", "/v2/models/default/infer", undefined, 405, "BROOK_METHOD_NOT_ALLOWED"],
      ["GET", "/v2/models/default/versions/x", undefined, 400, "BROOK_INVALID_REQUEST"],
      ["GET", "/v2/repository/index", undefined, 404, "BROOK_ROUTE_NOT_FOUND"],
    ];
    const version = (await call(brook.url, "GET", "/v2/models/default")).body.versions[0];
    for (const [method, path, body, status, code] of cases) {
      const res = await fetch(brook.url + path, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await res.text();
      const where = `${method} ${path} ${JSON.stringify(body)?.slice(0, 80)}`;
      assert.equal(res.status, status, `${where}: ${text}`);
      assert.match(res.headers.get("content-type") ?? "", /^application\/json/, where);
      const parsed = JSON.parse(text);
      assert.deepEqual(Object.keys(parsed), ["error"], where);
      assert.ok(parsed.error.length > 10, where);
      assert.equal(res.headers.get("x-brook-error-code"), code, where);
      if (status === 405) assert.equal(res.headers.get("allow"), "POST");
    }
    // Nothing was learned by any of them.
    assert.equal((await call(brook.url, "GET", "/v2/models/default")).body.versions[0], version);
  });

  it("the learn extension learns exactly what /v1 learn learns", async () => {
    await call(brook.url, "PUT", "/v1/models/twin-a", { spec: "StandardScaler | LogisticRegression" });
    await call(brook.url, "PUT", "/v1/models/twin-b", { spec: "StandardScaler | LogisticRegression" });
    const y = phishing.slice(300, 340).map((r) => (r.y ? 1 : 0));
    const oip = await call(brook.url, "POST", "/v2/models/twin-a/learn", {
      inputs: [...inputs(300, 340), { name: "label", shape: [40], datatype: "INT32", data: y }],
      parameters: { target: "label" },
    });
    assert.equal(oip.status, 200, oip.text);
    await call(brook.url, "POST", "/v1/models/twin-b/learn", {
      instances: phishing.slice(300, 340).map((r, i) => ({ x: Object.fromEntries(r.x), y: y[i] })),
    });
    const a = (await call(brook.url, "GET", "/v1/models/twin-a/export")).body;
    const b = (await call(brook.url, "GET", "/v1/models/twin-b/export")).body;
    assert.deepEqual(a.state, b.state);
    assert.deepEqual(a.metrics, b.metrics);
  });

  it("regression and multiclass models: FP64 and BYTES predictions", async () => {
    await call(brook.url, "PUT", "/v1/models/reg", { spec: "StandardScaler | LinearRegression" });
    const learnReg = await call(brook.url, "POST", "/v2/models/reg/learn", {
      inputs: [
        { name: "a", shape: [3], datatype: "FP32", data: [1, 2, 3] },
        { name: "y", shape: [3], datatype: "FP64", data: [2.5, 4.5, 6.5] },
      ],
    });
    assert.equal(learnReg.status, 200, learnReg.text);
    const reg = await call(brook.url, "POST", "/v2/models/reg/infer", {
      inputs: [{ name: "a", shape: [1], datatype: "FP32", data: [4] }],
    });
    const v1 = await call(brook.url, "POST", "/v1/models/reg/predict", { x: { a: 4 } });
    assert.deepEqual(reg.body.outputs, [
      { name: "predict", shape: [1], datatype: "FP64", data: [v1.body.prediction] },
    ]);

    await call(brook.url, "PUT", "/v1/models/colors", {
      spec: "OneHotEncoder | SoftmaxRegression",
      metrics: ["Accuracy"],
    });
    const colors = ["red", "green", "blue"];
    const learnMc = await call(brook.url, "POST", "/v2/models/colors/learn", {
      inputs: [
        { name: "shade", shape: [6], datatype: "BYTES", data: ["r", "g", "b", "r", "g", "b"] },
        { name: "y", shape: [6], datatype: "BYTES", data: [...colors, ...colors] },
      ],
    });
    assert.equal(learnMc.status, 200, learnMc.text);
    const mc = await call(brook.url, "POST", "/v2/models/colors/infer", {
      inputs: [{ name: "shade", shape: [2], datatype: "BYTES", data: ["g", "b"] }],
    });
    assert.equal(mc.status, 200, mc.text);
    const [predict, proba] = mc.body.outputs;
    assert.equal(predict.datatype, "BYTES");
    assert.equal(predict.parameters.content_type, "str");
    const direct = await call(brook.url, "POST", "/v1/models/colors/predict", {
      instances: [{ shade: "g" }, { shade: "b" }],
    });
    assert.deepEqual(
      predict.data,
      direct.body.predictions.map((p: { prediction: string }) => p.prediction),
    );
    assert.deepEqual(proba.shape, [2, 3]);
    assert.deepEqual(JSON.parse(proba.parameters.classes).sort(), [...colors].sort());
  });
});
