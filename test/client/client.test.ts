import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, describe, it } from "node:test";
import { BrookApiError, BrookClient, BrookConnectionError } from "../../src/client/index.js";
import type { OnePrediction } from "../../src/client/types.js";
import { loadRawStream, loadStream } from "../../src/data/datasets.js";
import { asSupervised, build } from "../../src/learn/index.js";
import { freePort } from "../helpers/process.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { tempDir } from "../helpers/tmp.js";
import { startProxy } from "./proxy.js";

const phishing = loadStream("phishing").rows;
const obj = (x: ReadonlyMap<string, unknown>) => Object.fromEntries(x) as Record<string, number>;
const SPEC = "StandardScaler | LogisticRegression";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A server that records raw request bodies and answers each with `answer`. */
async function recorder(answer: (res: import("node:http").ServerResponse) => void) {
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    let text = "";
    req.on("data", (c) => {
      text += c;
    });
    req.on("end", () => {
      bodies.push(text);
      answer(res);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** The error a promise rejects with (fails the test if it resolves). */
async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  assert.fail("expected the call to fail");
}

describe("BrookClient against a real server", () => {
  let server: TestServer;
  let tmp: ReturnType<typeof tempDir>;
  let client: BrookClient;

  before(async () => {
    tmp = tempDir();
    server = await startTestServer({ store: "file", dataDir: tmp.dir, readWaitMs: 50 });
    client = new BrookClient(server.url);
  });
  after(async () => {
    await server.close();
    tmp.remove();
  });

  it("creates, finds, lists, shows and deletes models", async () => {
    const made = await client.createModel("crud", { spec: SPEC, metrics: ["ROCAUC", "Accuracy"] });
    assert.equal(made.created, true);
    assert.equal(made.model.task, "binary");
    assert.deepEqual(Object.keys(made.model.metrics), ["ROCAUC", "Accuracy"]);
    const again = await client.createModel("crud", { spec: SPEC, metrics: "ROCAUC, Accuracy" });
    assert.equal(again.created, false);
    const clash = await failure(client.createModel("crud", { spec: "LinearRegression" }));
    assert.ok(clash instanceof BrookApiError);
    assert.equal(clash.status, 409);
    assert.equal(clash.code, "BROOK_MODEL_EXISTS");
    assert.ok((await client.listModels()).some((m) => m.name === "crud" && m.spec === SPEC));
    const details = await client.getModel("crud");
    assert.equal(details.version, 0);
    assert.equal(details.pending?.waiting, 0);
    await client.deleteModel("crud");
    const gone = await failure(client.getModel("crud"));
    assert.ok(gone instanceof BrookApiError);
    assert.equal(gone.code, "BROOK_MODEL_NOT_FOUND");
    assert.equal(gone.status, 404);
  });

  it("learns one by one and in batches, predicts one and many, labels remembered predictions", async () => {
    await client.createModel("m", { spec: SPEC });
    for (const [i, row] of phishing.slice(0, 20).entries()) {
      const r = await client.learn("m", row.x, row.y);
      assert.equal(r.version, i + 1);
      assert.equal(r.learned_now, 1);
      assert.equal(r.learned, i + 1);
      assert.equal(typeof r.metrics.ROCAUC, "number");
    }
    const batch = await client.learnBatch(
      "m",
      phishing.slice(20, 100).map((r) => ({ x: obj(r.x), y: r.y })),
    );
    assert.equal(batch.version, 100);

    const one = await client.predict("m", phishing[100]!.x);
    assert.equal(one.version, 100);
    assert.ok("prediction" in one, "a classifier's answer");
    assert.equal(typeof one.prediction, "boolean");
    assert.deepEqual(Object.keys(one.probabilities!).sort(), ["false", "true"]);
    const many = await client.predictBatch("m", [phishing[101]!.x, { x: obj(phishing[102]!.x), id: "p102" }]);
    assert.equal(many.predictions.length, 2);
    assert.equal(many.predictions[1]!.id, "p102");
    const probabilities = (p: OnePrediction) => ("probabilities" in p ? p.probabilities : undefined);
    assert.deepEqual(
      probabilities(many.predictions[0]!),
      probabilities(await client.predict("m", phishing[101]!.x)),
    );

    const remembered = await client.predict("m", phishing[103]!.x, { remember: true });
    assert.equal(typeof remembered.id, "string");
    const labelled = await client.label("m", remembered.id!, phishing[103]!.y as boolean);
    assert.equal(labelled.version, 101);
    const both = await client.learnBatch("m", [
      { id: "p102", y: phishing[102]!.y as boolean },
      { x: phishing[104]!.x, y: phishing[104]!.y as boolean },
    ]);
    assert.equal(both.version, 103);
    const again = await failure(client.label("m", "p102", true, { eventId: "another" }));
    assert.ok(again instanceof BrookApiError);
    assert.equal(again.code, "BROOK_ALREADY_LABELLED");
    assert.equal((await client.getModel("m")).pending?.labelled, 2);
  });

  it("reads its own writes with minVersion, and says 503 when the model is not there yet", async () => {
    await client.createModel("rw", { spec: SPEC });
    const r = await client.learn("rw", phishing[0]!.x, phishing[0]!.y);
    const p = await client.predict("rw", phishing[1]!.x, { minVersion: r.version });
    assert.ok(p.version >= r.version);
    const ahead = await failure(client.predict("rw", phishing[1]!.x, { minVersion: r.version + 1000 }));
    assert.ok(ahead instanceof BrookApiError);
    assert.equal(ahead.status, 503);
    assert.equal(ahead.retryable, true);
  });

  it("turns problems into typed errors with the status, code and path", async () => {
    const features = await failure(client.predict("default", { https: "yes" }));
    assert.ok(features instanceof BrookApiError);
    assert.equal(features.status, 400);
    assert.equal(features.code, "BROOK_INVALID_FEATURES");
    assert.equal(features.path, "x.https");
    assert.match(features.message, /only takes numbers/);
    assert.equal(features.retryable, false);
    const target = await failure(client.learn("default", phishing[0]!.x, "maybe"));
    assert.ok(target instanceof BrookApiError);
    assert.equal(target.code, "BROOK_INVALID_TARGET");
  });

  it("reads metrics, checkpoints, rolls back, exports and imports", async () => {
    await client.createModel("ck", { spec: SPEC });
    await client.learnBatch(
      "ck",
      phishing.slice(0, 50).map((r) => ({ x: r.x, y: r.y })),
    );
    const m = await client.metrics("ck");
    assert.equal(m.version, 50);
    assert.match(m.text[0]!, /^ROCAUC: \d+\.\d\d%$/);
    const c = await client.checkpoint("ck");
    assert.equal(c.version, 50);
    const at50 = await client.exportText("ck");
    await client.learnBatch(
      "ck",
      phishing.slice(50, 80).map((r) => ({ x: r.x, y: r.y })),
    );
    const list = await client.checkpoints("ck");
    assert.deepEqual(
      list.checkpoints.map((k) => k.version),
      [50],
    );
    const rb = await client.rollback("ck", 70);
    assert.equal(rb.restored.version, 50);
    assert.equal(rb.version, 81);
    assert.deepEqual((await client.exportModel("ck")).state, JSON.parse(at50).state);

    await client.createModel("copy", { spec: SPEC });
    const imported = await client.importModel("copy", at50);
    assert.equal(imported.learned, 50);
    assert.deepEqual((await client.exportModel("copy")).state, JSON.parse(at50).state);
    const fromObject = await client.importModel("copy", JSON.parse(at50));
    assert.equal(fromObject.learned, 50);
    const none = await failure(client.rollback("ck", 10));
    assert.ok(none instanceof BrookApiError);
    assert.equal(none.code, "BROOK_NO_CHECKPOINT");
  });

  it("learns a stream of examples in one request, a bad one refused alone, and a resend learns nothing twice", async () => {
    await client.createModel("bulk", { spec: SPEC });
    async function* examples() {
      for (const [i, r] of phishing.slice(0, 600).entries()) {
        if (i === 10) yield { x: { https: "yes" }, y: true, eventId: "bad-10" } as never;
        yield { x: r.x, y: r.y, eventId: `b${i}` };
      }
    }
    const r = await client.learnStream("bulk", examples());
    assert.equal(r.learned_now, 600);
    assert.equal(r.rejected, 1);
    assert.deepEqual(
      r.errors.map((e) => [e.line, e.code]),
      [[11, "BROOK_INVALID_FEATURES"]],
    );
    const again = await client.learnStream("bulk", examples());
    assert.equal(again.learned_now, 0);
    assert.equal(again.duplicates, 600);
    const local = asSupervised(build(SPEC));
    for (const row of phishing.slice(0, 600)) local.learnOne(row.x, row.y);
    const exp = await client.exportModel("bulk", 600);
    assert.deepEqual(exp.state, JSON.parse(JSON.stringify(local.toState())));
  });

  it("forecasts", async () => {
    const spec = "HoltWinters(alpha=0.3, beta=0.1, gamma=0.6, seasonality=12, multiplicative=True)";
    await client.createModel("air", { spec });
    const series = loadRawStream("airline_passengers").rows.map((r) => r.y as number);
    await client.learnBatch(
      "air",
      series.map((y) => ({ y })),
    );
    await client.learn("air", undefined, 400);
    const f = await client.forecast("air", 12);
    assert.equal(f.version, series.length + 1);
    assert.equal(f.forecast.length, 12);
    assert.ok(f.forecast.every((v) => Number.isFinite(v)));
  });

  it("answers the original route as JSON with River's text", async () => {
    const r = await client.updateModel(phishing[0]!.x, 1);
    assert.equal(r.model, "default");
    assert.match(r.text, /^ROCAUC: /);
  });
});

describe("BrookClient retries", () => {
  let server: TestServer;
  let direct: BrookClient;

  before(async () => {
    server = await startTestServer();
    direct = new BrookClient(server.url);
  });
  after(() => server.close());

  /** A fresh model and a proxy in front of the server that follows `plan`. */
  async function setUp(name: string, plan: Parameters<typeof startProxy>[1]) {
    await direct.createModel(name, { spec: SPEC });
    const proxy = await startProxy(server.url, plan);
    const client = new BrookClient(proxy.url, { retryDelayMs: 1, maxRetryDelayMs: 5 });
    return { proxy, client };
  }

  it("retries a learn after 503s with the same made-up event id, and learns it once", async () => {
    const { proxy, client } = await setUp("r503", (i) => (i < 2 ? "unavailable" : "pass"));
    try {
      const r = await client.learn("r503", phishing[0]!.x, phishing[0]!.y);
      assert.equal(r.version, 1);
      assert.equal(proxy.bodies.length, 3);
      assert.equal(new Set(proxy.bodies).size, 1, "every attempt sends the same body");
      assert.match(JSON.parse(proxy.bodies[0]!).event_id, UUID);
    } finally {
      await proxy.close();
    }
  });

  it("retries after an answer lost on the way: the server sees a duplicate, nothing is learned twice", async () => {
    const { proxy, client } = await setUp("lost", (i) => (i % 2 === 0 ? "drop-after-forward" : "pass"));
    try {
      const one = await client.learn("lost", phishing[0]!.x, phishing[0]!.y);
      assert.equal(one.duplicate, true);
      assert.equal(one.learned_now, 0);
      assert.equal(one.version, 1);
      const batch = await client.learnBatch(
        "lost",
        phishing.slice(1, 11).map((r) => ({ x: r.x, y: r.y })),
      );
      assert.equal(batch.duplicates, 10);
      assert.equal(batch.version, 11);
      const details = await direct.getModel("lost");
      assert.equal(details.learned, 11, "each example learned exactly once");
      // A label whose answer is lost: the retry is a duplicate, not "already labelled".
      const p = await direct.predict("lost", phishing[11]!.x, { remember: true });
      const label = await client.label("lost", p.id!, phishing[11]!.y as boolean);
      assert.equal(label.duplicate, true);
      assert.equal((await direct.getModel("lost")).learned, 12);
    } finally {
      await proxy.close();
    }
  });

  it("retries a connection that drops before the server saw it", async () => {
    const { proxy, client } = await setUp("dropped", (i) => (i === 0 ? "drop-before-forward" : "pass"));
    try {
      const r = await client.learn("dropped", phishing[0]!.x, phishing[0]!.y, { eventId: "mine-1" });
      assert.equal(r.duplicate, undefined);
      assert.equal(r.version, 1);
      assert.equal(JSON.parse(proxy.bodies[1]!).event_id, "mine-1", "the caller's event id is kept");
    } finally {
      await proxy.close();
    }
  });

  it("gives up after `retries` with the last error, and never retries a refusal or a predict", async () => {
    await direct.createModel("nope", { spec: SPEC });
    const always = await startProxy(server.url, () => "unavailable");
    try {
      const client = new BrookClient(always.url, { retries: 2, retryDelayMs: 1 });
      const err = await failure(client.learn("nope", phishing[0]!.x, true));
      assert.ok(err instanceof BrookApiError);
      assert.equal(err.status, 503);
      assert.equal(always.bodies.length, 3);
      await failure(client.predict("nope", phishing[0]!.x));
      assert.equal(always.bodies.length, 4, "a predict is tried once");
    } finally {
      await always.close();
    }
    const pass = await startProxy(server.url, () => "pass");
    try {
      const client = new BrookClient(pass.url, { retryDelayMs: 1 });
      const err = await failure(client.learn("nope", phishing[0]!.x, "maybe"));
      assert.ok(err instanceof BrookApiError);
      assert.equal(err.status, 400);
      assert.equal(pass.bodies.length, 1, "a 400 is not retried");
      const plain = new BrookClient(pass.url, { retries: 0 });
      await plain.learn("nope", phishing[0]!.x, true);
      assert.equal(JSON.parse(pass.bodies[1]!).event_id, undefined, "no retries, no made-up event id");
    } finally {
      await pass.close();
    }
  });
});

describe("BrookClient on the wire", () => {
  it("sends a Map's features in their own order, integer-like names included", async () => {
    const rec = await recorder((res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"model":"m","version":1,"seq":1,"learned":1,"metrics":{}}');
    });
    try {
      const client = new BrookClient(rec.url);
      const x = new Map<string, number | string>([
        ["b", 1],
        ["2", 2],
        ["1", "one"],
      ]);
      await client.learn("m", x, true, { eventId: "e1" });
      await client.predict("m", x, { minVersion: 1 });
      assert.equal(rec.bodies[0], '{"x":{"b":1,"2":2,"1":"one"},"y":true,"event_id":"e1"}');
      assert.equal(rec.bodies[1], '{"x":{"b":1,"2":2,"1":"one"},"min_version":1}');
    } finally {
      await rec.close();
    }
  });

  it("says what is wrong when nothing answers, something else answers, or the answer is late", async () => {
    const port = await freePort();
    const down = await failure(new BrookClient(`http://127.0.0.1:${port}`).listModels());
    assert.ok(down instanceof BrookConnectionError);
    assert.equal(down.reason, "unreachable");
    assert.equal(down.message, `cannot reach Brook at http://127.0.0.1:${port} (ECONNREFUSED)`);

    const html = await recorder((res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html>login</html>");
    });
    const proxyPage = await recorder((res) => {
      res.writeHead(502, { "content-type": "text/html" });
      res.end("<html>bad gateway</html>");
    });
    const silent = await recorder(() => {});
    try {
      const notBrook = await failure(new BrookClient(html.url).listModels());
      assert.ok(notBrook instanceof BrookConnectionError);
      assert.equal(notBrook.reason, "not-brook");
      const gateway = await failure(new BrookClient(proxyPage.url).listModels());
      assert.ok(gateway instanceof BrookApiError);
      assert.equal(gateway.code, "HTTP_502");
      const late = await failure(new BrookClient(silent.url, { timeoutMs: 100 }).listModels());
      assert.ok(late instanceof BrookConnectionError);
      assert.equal(late.reason, "timeout");
    } finally {
      await Promise.all([html.close(), proxyPage.close(), silent.close()]);
    }
  });
});
