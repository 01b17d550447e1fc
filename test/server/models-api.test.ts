import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { loadStream } from "../../src/data/datasets.js";
import { call, startTestServer, type TestServer } from "../helpers/server.js";
import { tempDir } from "../helpers/tmp.js";

const phishing = loadStream("phishing").rows;
const trump = loadStream("trump_approval").rows;
const obj = (x: ReadonlyMap<string, unknown>) => Object.fromEntries(x);

describe("named models, durable on disk", () => {
  let tmp: ReturnType<typeof tempDir>;
  let brook: TestServer;
  const start = async () => {
    brook = await startTestServer({ store: "file", dataDir: tmp.dir, checkpointEvery: 200 });
    return brook;
  };
  beforeEach(async () => {
    tmp = tempDir();
    await start();
  });
  afterEach(async () => {
    await brook.close();
    tmp.remove();
  });

  it("creates, lists, describes and deletes models; PUT is idempotent", async () => {
    const created = await call(brook.url, "PUT", "/v1/models/trump", {
      spec: "StandardScaler | LinearRegression",
      metrics: ["MAE", "RMSE"],
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.task, "regression");
    assert.deepEqual(Object.keys(created.body.metrics), ["MAE", "RMSE"]);
    const again = await call(brook.url, "PUT", "/v1/models/trump", {
      spec: "StandardScaler | LinearRegression",
      metrics: ["MAE", "RMSE"],
    });
    assert.equal(again.status, 200);
    const clash = await call(brook.url, "PUT", "/v1/models/trump", { spec: "LinearRegression" });
    assert.equal(clash.status, 409);
    assert.equal(clash.body.code, "BROOK_MODEL_EXISTS");
    const json = await call(brook.url, "PUT", "/v1/models/json-spec", {
      spec: [{ kind: "StandardScaler" }, { kind: "LogisticRegression", params: { l2: 0.01 } }],
    });
    assert.equal(json.status, 201);
    assert.equal(json.body.spec, "StandardScaler | LogisticRegression(l2=0.01)");
    const list = await call(brook.url, "GET", "/v1/models");
    assert.deepEqual(
      list.body.models.map((m: { name: string }) => m.name),
      ["default", "trump", "json-spec"],
    );
    assert.equal((await call(brook.url, "DELETE", "/v1/models/json-spec")).status, 204);
    assert.equal((await call(brook.url, "GET", "/v1/models/json-spec")).status, 404);
    assert.equal((await call(brook.url, "DELETE", "/v1/models/json-spec")).status, 404);
  });

  it("rejects bad names, bad specs and bad metrics with clear 4xx errors", async () => {
    for (const name of ["..", ".hidden", "a/b", "a%2Fb", "x".repeat(65), "sp ace", "a..b"]) {
      const res = await call(brook.url, "PUT", `/v1/models/${encodeURIComponent(name)}`, {
        spec: "LogisticRegression",
      });
      assert.ok(res.status === 400 || res.status === 404, `${name}: ${res.status}`);
      if (res.status === 400) assert.equal(res.body.code, "BROOK_INVALID_NAME", name);
    }
    const spec = await call(brook.url, "PUT", "/v1/models/m", { spec: "StandardScaler | LogisticRegresion" });
    assert.equal(spec.status, 400);
    assert.equal(spec.body.code, "BROOK_INVALID_SPEC");
    assert.match(spec.body.error, /did you mean LogisticRegression/);
    const metric = await call(brook.url, "PUT", "/v1/models/m", {
      spec: "LogisticRegression",
      metrics: ["MAE"],
    });
    assert.equal(metric.status, 400);
    assert.match(metric.body.error, /MAE cannot score a binary model/);
    const missing = await call(brook.url, "PUT", "/v1/models/m", { metrics: ["ROCAUC"] });
    assert.equal(missing.status, 400);
    assert.equal((await call(brook.url, "GET", "/v1/models")).body.models.length, 1, "nothing was created");
  });

  it("models, their versions, metrics and states survive a restart bit for bit", async () => {
    await call(brook.url, "PUT", "/v1/models/trump", { spec: "StandardScaler | LinearRegression" });
    for (let i = 0; i < 500; i += 100) {
      await call(brook.url, "POST", "/v1/models/default/learn", {
        instances: phishing.slice(i, i + 100).map((r) => ({ x: obj(r.x), y: r.y })),
      });
    }
    await call(brook.url, "POST", "/v1/models/trump/learn", {
      instances: trump.slice(0, 150).map((r) => ({ x: obj(r.x), y: r.y })),
    });
    const before = [
      (await call(brook.url, "GET", "/v1/models/default/export?min_version=500")).text,
      (await call(brook.url, "GET", "/v1/models/trump/export?min_version=150")).text,
    ];
    await brook.close();
    await start();
    const after = [
      (await call(brook.url, "GET", "/v1/models/default/export")).text,
      (await call(brook.url, "GET", "/v1/models/trump/export")).text,
    ];
    assert.deepEqual(after, before);
    const info = await call(brook.url, "GET", "/v1/models/default");
    assert.equal(info.body.version, 500);
    assert.ok(info.body.checkpoints.count >= 1);
  });

  it("late labels end to end: predict with an id or remember, learn with the id", async () => {
    const r0 = phishing[0]!;
    const p1 = await call(brook.url, "POST", "/v1/models/default/predict", { x: obj(r0.x), id: "order-1" });
    assert.equal(p1.status, 200);
    assert.equal(p1.body.id, "order-1");
    const p2 = await call(brook.url, "POST", "/v1/models/default/predict", {
      x: obj(phishing[1]!.x),
      remember: true,
    });
    assert.match(p2.body.id, /^[0-9a-f-]{36}$/);
    const batch = await call(brook.url, "POST", "/v1/models/default/predict", {
      instances: [{ x: obj(phishing[2]!.x), id: "b-1" }, obj(phishing[3]!.x)],
      remember: true,
    });
    assert.equal(batch.body.predictions[0].id, "b-1");
    assert.ok(batch.body.predictions[1].id);
    const learned = await call(brook.url, "POST", "/v1/models/default/learn", { id: "order-1", y: r0.y });
    assert.equal(learned.status, 200);
    assert.equal(learned.body.version, 1);
    const twice = await call(brook.url, "POST", "/v1/models/default/learn", { id: "order-1", y: r0.y });
    assert.equal(twice.status, 409);
    assert.equal(twice.body.code, "BROOK_ALREADY_LABELLED");
    const unknown = await call(brook.url, "POST", "/v1/models/default/learn", { id: "nope", y: true });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, "BROOK_ID_NOT_FOUND");
    const dup = await call(brook.url, "POST", "/v1/models/default/predict", { x: obj(r0.x), id: "b-1" });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.code, "BROOK_ID_CONFLICT");
    // Pending ids survive a restart.
    await brook.close();
    await start();
    const later = await call(brook.url, "POST", "/v1/models/default/learn", {
      instances: [
        { id: p2.body.id, y: phishing[1]!.y },
        { id: "b-1", y: phishing[2]!.y, event_id: "retry-me" },
      ],
    });
    assert.equal(later.status, 200);
    assert.equal(later.body.learned_now, 2);
    assert.equal(later.body.learned, 3);
    const retry = await call(brook.url, "POST", "/v1/models/default/learn", {
      id: "b-1",
      y: phishing[2]!.y,
      event_id: "retry-me",
    });
    assert.equal(retry.status, 200);
    assert.equal(retry.body.duplicate, true);
    assert.equal(retry.body.learned_now, 0);
    assert.equal(retry.body.learned, 3);
    const info = await call(brook.url, "GET", "/v1/models/default");
    assert.deepEqual(info.body.pending, { waiting: 1, remembered: 4, labelled: 3, expired: 0, evicted: 0 });
  });

  it("checkpoints on demand, lists them, rolls back, imports", async () => {
    await call(brook.url, "POST", "/v1/models/default/learn", {
      instances: phishing.slice(0, 100).map((r) => ({ x: obj(r.x), y: r.y })),
    });
    const ck = await call(brook.url, "POST", "/v1/models/default/checkpoints");
    assert.equal(ck.status, 201);
    assert.equal(ck.body.checkpoint.version, 100);
    const at100 = (await call(brook.url, "GET", "/v1/models/default/export?min_version=100")).body;
    await call(brook.url, "POST", "/v1/models/default/learn", {
      instances: phishing.slice(100, 300).map((r) => ({ x: obj(r.x), y: r.y })),
    });
    // The automatic checkpoint (every 200 events here) follows the one asked for; it is written
    // in the background, after the learn was answered.
    let list = await call(brook.url, "GET", "/v1/models/default/checkpoints");
    for (let i = 0; i < 100 && list.body.checkpoints.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 20));
      list = await call(brook.url, "GET", "/v1/models/default/checkpoints");
    }
    assert.deepEqual(
      list.body.checkpoints.map((c: { version: number }) => c.version),
      [100, 300],
    );
    const rb = await call(brook.url, "POST", "/v1/models/default/rollback", { version: 150 });
    assert.equal(rb.status, 200);
    assert.equal(rb.body.restored.version, 100);
    assert.equal(rb.body.version, 301);
    const now = (await call(brook.url, "GET", `/v1/models/default/export?min_version=${rb.body.version}`))
      .body;
    assert.deepEqual(now.state, at100.state);
    const bad = await call(brook.url, "POST", "/v1/models/default/rollback", { version: -1 });
    assert.equal(bad.status, 400);
    const none = await call(brook.url, "POST", "/v1/models/default/rollback", { version: 10 });
    assert.equal(none.status, 404);
    assert.equal(none.body.code, "BROOK_NO_CHECKPOINT");
    // Import the state into another model with the same spec: it predicts identically.
    await call(brook.url, "PUT", "/v1/models/copy", { spec: "StandardScaler | LogisticRegression" });
    const imp = await call(brook.url, "POST", "/v1/models/copy/import", at100);
    assert.equal(imp.status, 200);
    assert.equal(imp.body.learned, 100);
    for (const r of phishing.slice(300, 305)) {
      const a = await call(brook.url, "POST", "/v1/models/default/predict", {
        x: obj(r.x),
        min_version: rb.body.version,
      });
      const b = await call(brook.url, "POST", "/v1/models/copy/predict", {
        x: obj(r.x),
        min_version: imp.body.version,
      });
      assert.deepEqual(a.body.probabilities, b.body.probabilities);
    }
    // Into a name that does not exist: the model is created from the export's spec and metrics.
    const fresh = await call(brook.url, "POST", "/v1/models/fresh/import", at100);
    assert.equal(fresh.status, 200);
    assert.equal(fresh.body.created, true);
    assert.equal(fresh.body.learned, 100);
    const freshInfo = await call(brook.url, "GET", "/v1/models/fresh");
    assert.equal(freshInfo.body.spec, "StandardScaler | LogisticRegression");
    assert.deepEqual(freshInfo.body.metrics, (await call(brook.url, "GET", "/v1/models/copy")).body.metrics);
    await call(brook.url, "PUT", "/v1/models/lin", { spec: "LinearRegression" });
    const mismatch = await call(brook.url, "POST", "/v1/models/lin/import", at100);
    assert.equal(mismatch.status, 400);
    assert.equal(mismatch.body.code, "BROOK_INVALID_STATE");
    assert.match(mismatch.body.error, /the model: LinearRegression here, Pipeline in the export/);
  });
});
