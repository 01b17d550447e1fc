/**
 * The API's rough edges, smoothed: a known path asked with the wrong method is a 405 naming
 * the allowed methods; `learned` is the model's total in every answer (`learned_now` is the
 * request's own count); imports create a missing model from the export and name the
 * parameters that differ on a spec mismatch; every error code is documented in README.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadStream } from "../../src/data/datasets.js";
import { ROOT } from "../helpers/process.js";
import { call, startTestServer, type TestServer } from "../helpers/server.js";

const phishing = loadStream("phishing").rows;
const row = (i: number) => ({ x: Object.fromEntries(phishing[i]!.x), y: phishing[i]!.y });

describe("API polish", () => {
  let brook: TestServer;
  before(async () => {
    brook = await startTestServer();
  });
  after(() => brook.close());

  it("a known path with another method is a 405 with Allow; an unknown path stays a 404", async () => {
    const cases: [string, string, string][] = [
      ["GET", "/predict", "POST"],
      ["POST", "/update_model", "PUT"],
      ["DELETE", "/v1/models", "GET, HEAD"],
      ["POST", "/healthz", "GET, HEAD"],
      ["GET", "/v1/models/default/learn", "POST"],
      ["PATCH", "/v1/models/default", "PUT, DELETE, GET, HEAD"],
    ];
    for (const [method, path, allow] of cases) {
      const res = await fetch(brook.url + path, { method });
      const body = (await res.json()) as { code: string; status: number; error: string };
      assert.equal(res.status, 405, `${method} ${path}`);
      assert.equal(res.headers.get("allow"), allow, `${method} ${path}`);
      assert.equal(body.code, "BROOK_METHOD_NOT_ALLOWED");
      assert.equal(body.status, 405);
      assert.match(body.error, new RegExp(`${path} does not take ${method}`));
    }
    const missing = await call(brook.url, "GET", "/nowhere");
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, "BROOK_ROUTE_NOT_FOUND");
  });

  it("learned is the model's total everywhere; learned_now is what a learn request learned", async () => {
    await call(brook.url, "PUT", "/v1/models/count", { spec: "StandardScaler | LogisticRegression" });
    const one = await call(brook.url, "POST", "/v1/models/count/learn", row(0));
    assert.deepEqual([one.body.learned, one.body.learned_now], [1, 1]);
    const batch = await call(brook.url, "POST", "/v1/models/count/learn", {
      instances: [row(1), row(2), { ...row(3), event_id: "only-once" }],
    });
    assert.deepEqual([batch.body.learned, batch.body.learned_now], [4, 3]);
    const retry = await call(brook.url, "POST", "/v1/models/count/learn", {
      ...row(3),
      event_id: "only-once",
    });
    assert.deepEqual([retry.body.learned, retry.body.learned_now, retry.body.duplicate], [4, 0, true]);
    const details = await call(brook.url, "GET", "/v1/models/count");
    assert.equal(details.body.learned, 4);
    const exported = await call(brook.url, "GET", "/v1/models/count/export");
    assert.equal(exported.body.learned, 4);
    const ck = await call(brook.url, "POST", "/v1/models/count/checkpoints");
    assert.equal(ck.status, 201);
    await call(brook.url, "POST", "/v1/models/count/learn", { instances: [row(4), row(5)] });
    const rb = await call(brook.url, "POST", "/v1/models/count/rollback", { version: 4 });
    assert.equal(rb.body.learned, 4);
    const update = await call(brook.url, "PUT", "/update_model", row(6), { accept: "application/json" });
    assert.equal(update.body.learned_now, 1);
    assert.equal(update.body.learned, (await call(brook.url, "GET", "/v1/models/default")).body.learned);
    assert.equal(typeof update.body.seq, "number");
  });

  it("a ConfusionMatrix metric is shown as its matrix", async () => {
    await call(brook.url, "PUT", "/v1/models/cm", {
      spec: "StandardScaler | LogisticRegression",
      metrics: ["Accuracy", "ConfusionMatrix"],
    });
    for (let i = 0; i < 30; i++) await call(brook.url, "POST", "/v1/models/cm/learn", row(i));
    const m = await call(brook.url, "GET", "/v1/models/cm/metrics");
    const cm = m.body.metrics.ConfusionMatrix;
    assert.deepEqual(cm.labels, [false, true]);
    const total = cm.counts.flat().reduce((a: number, b: number) => a + b, 0);
    assert.equal(total, 30); // every example is scored before it is learned (the first at 50/50)
    const diagonal = cm.counts[0][0] + cm.counts[1][1];
    assert.equal(diagonal / total, m.body.metrics.Accuracy);
    assert.deepEqual((await call(brook.url, "GET", "/v1/models/cm")).body.metrics.ConfusionMatrix, cm);
  });

  it("import into a new name creates the model from the export; a mismatch names the parameters", async () => {
    await call(brook.url, "PUT", "/v1/models/src", {
      spec: "StandardScaler | LogisticRegression(l2=0.01, optimizer=SGD(0.05))",
      metrics: ["ROCAUC(n_thresholds=50)", "Accuracy"],
      drift: "ADWIN",
    });
    await call(brook.url, "POST", "/v1/models/src/learn", { instances: [0, 1, 2, 3, 4, 5].map(row) });
    const exported = (await call(brook.url, "GET", "/v1/models/src/export")).body;
    const made = await call(brook.url, "POST", "/v1/models/made/import", exported);
    assert.equal(made.status, 200, made.text);
    assert.equal(made.body.created, true);
    const [a, b] = [
      (await call(brook.url, "GET", "/v1/models/src")).body,
      (await call(brook.url, "GET", "/v1/models/made")).body,
    ];
    assert.deepEqual(b.params, a.params);
    assert.deepEqual(b.metrics, a.metrics);
    assert.equal(b.drift.detector, "ADWIN");
    assert.equal(b.learned, 6);
    const p = (name: string) => call(brook.url, "POST", `/v1/models/${name}/predict`, { x: row(40).x });
    assert.deepEqual((await p("made")).body.probabilities, (await p("src")).body.probabilities);
    // A bare state envelope creates a model too (with the task's default metrics).
    const bare = await call(brook.url, "POST", "/v1/models/bare/import", exported.state);
    assert.equal(bare.body.created, true);
    assert.deepEqual((await p("bare")).body.probabilities, (await p("src")).body.probabilities);

    await call(brook.url, "PUT", "/v1/models/other", { spec: "StandardScaler | LogisticRegression" });
    const before_ = (await call(brook.url, "GET", "/v1/models/other/export")).text;
    const mismatch = await call(brook.url, "POST", "/v1/models/other/import", exported);
    assert.equal(mismatch.status, 400);
    assert.equal(mismatch.body.code, "BROOK_INVALID_STATE");
    assert.match(mismatch.body.error, /steps\[1\]\.optimizer\.lr \(SGD\): 0\.01 here, 0\.05 in the export/);
    assert.match(mismatch.body.error, /steps\[1\]\.l2 \(LogisticRegression\): 0 here, 0\.01 in the export/);
    assert.equal((await call(brook.url, "GET", "/v1/models/other/export")).text, before_);
  });
});

describe("README", () => {
  it("documents every error code", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const sources = ["src/errors.ts", "src/learn/base/errors.ts"].map((f) =>
      readFileSync(join(ROOT, f), "utf8"),
    );
    const codes = new Set(sources.flatMap((s) => [...s.matchAll(/"(BROOK_[A-Z_]+)"/g)].map((m) => m[1]!)));
    assert.ok(codes.size > 20);
    const missing = [...codes].filter((c) => !readme.includes(`\`${c}\``));
    assert.deepEqual(missing, []);
  });
});
