/**
 * Every configured limit answers a clear 4xx (413/422, or 400 for the shape limits kept from
 * before) naming the setting and its value, changes nothing (the model's export is byte-identical
 * before and after), and is counted in `brook_requests_refused_total{reason}`. Error bodies
 * quote at most a short prefix of what the client sent, however long it was.
 *
 * Runs against one process, or a cluster / Redis node with BROOK_TEST_WORKERS / BROOK_TEST_REDIS
 * (the metric is then the whole server's). What it cannot see: memory actually saved (that is
 * the soak script's job).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sampleOr0, scrape } from "../helpers/prometheus.js";
import { call, startTestServer, type TestServer } from "../helpers/server.js";

const redis = process.env.BROOK_TEST_REDIS !== undefined;

async function refused(url: string, reason: string): Promise<number> {
  const { families } = await scrape(url);
  return sampleOr0(families, "brook_requests_refused_total", { reason });
}

async function exported(url: string, model: string): Promise<string> {
  const res = await call(url, "GET", `/v1/models/${model}/export`);
  assert.equal(res.status, 200, res.text);
  return res.text;
}

/** A request refused by `setting`: its status, code, limit, the export unchanged, the refusal counted once. */
async function expectRefusal(
  url: string,
  model: string,
  request: { method: string; path: string; body?: unknown; headers?: Record<string, string> },
  expected: { status: number; code: string; reason: string; limit?: number },
): Promise<Record<string, unknown>> {
  const before_ = await exported(url, model);
  const count = await refused(url, expected.reason);
  const res = await call(url, request.method, request.path, request.body, request.headers);
  assert.equal(res.status, expected.status, res.text);
  assert.match(res.type, /^application\/problem\+json/);
  assert.equal(res.body.code, expected.code, res.text);
  if (expected.limit !== undefined) {
    assert.equal(res.body.setting, expected.reason, res.text);
    assert.equal(res.body.limit, expected.limit, res.text);
  }
  assert.ok(res.text.length < 1200, `the problem body is ${res.text.length} bytes`);
  assert.equal(await exported(url, model), before_, "a refused request changed the model");
  assert.equal(
    await refused(url, expected.reason),
    count + 1,
    `brook_requests_refused_total{reason="${expected.reason}"}`,
  );
  return res.body;
}

const X = { a: 1, b: 2 };

describe("limits: each is a clear 4xx, changes nothing, and is counted", () => {
  let brook: TestServer;
  before(async () => {
    brook = await startTestServer({
      maxNameLength: 32,
      maxStringLength: 64,
      maxFeatures: 10,
      maxBatch: 5,
      bodyLimit: 4096,
      maxDepth: 8,
      maxModelFeatures: 20,
      maxModels: 5,
      maxForecastOrder: 100,
      maxForecastWork: 1000,
    });
    // Some learning first, so that "unchanged" means something.
    for (let i = 0; i < 5; i++) {
      const res = await call(brook.url, "POST", "/v1/models/default/learn", {
        x: { ...X, c: i },
        y: i % 2 === 0,
      });
      assert.equal(res.status, 200, res.text);
    }
  });
  after(() => brook.close());

  const learn = "/v1/models/default/learn";

  it("a feature name over --max-name-length: 422", async () => {
    const name = "n".repeat(1000);
    const body = await expectRefusal(
      brook.url,
      "default",
      { method: "POST", path: learn, body: { x: { [name]: 1 }, y: true } },
      { status: 422, code: "BROOK_LIMIT_EXCEEDED", reason: "max-name-length", limit: 32 },
    );
    assert.match(String(body.error), /feature name of 1000 characters, more than the limit of 32/);
  });

  it("a string value over --max-string-length: 422, for a feature and for a label", async () => {
    const created = await call(brook.url, "PUT", "/v1/models/cat", {
      spec: "OneHotEncoder | LogisticRegression",
    });
    assert.equal(created.status, 201, created.text);
    await call(brook.url, "POST", "/v1/models/cat/learn", { x: { color: "red" }, y: true });
    await expectRefusal(
      brook.url,
      "cat",
      { method: "POST", path: "/v1/models/cat/learn", body: { x: { color: "r".repeat(65) }, y: true } },
      { status: 422, code: "BROOK_LIMIT_EXCEEDED", reason: "max-string-length", limit: 64 },
    );
    await expectRefusal(
      brook.url,
      "cat",
      { method: "POST", path: "/v1/models/cat/predict", body: { x: { color: "r".repeat(65) } } },
      { status: 422, code: "BROOK_LIMIT_EXCEEDED", reason: "max-string-length", limit: 64 },
    );
    await expectRefusal(
      brook.url,
      "default",
      { method: "POST", path: learn, body: { x: X, y: "y".repeat(65) } },
      { status: 422, code: "BROOK_LIMIT_EXCEEDED", reason: "max-string-length", limit: 64 },
    );
  });

  it("more features in one instance than --max-features: 400, counted", async () => {
    const x = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`f${i}`, i]));
    await expectRefusal(
      brook.url,
      "default",
      { method: "POST", path: learn, body: { x, y: true } },
      { status: 400, code: "BROOK_INVALID_FEATURES", reason: "max-features", limit: 10 },
    );
  });

  it("more instances than --max-batch: 413, counted", async () => {
    const instances = Array.from({ length: 6 }, () => ({ x: X, y: true }));
    await expectRefusal(
      brook.url,
      "default",
      { method: "POST", path: learn, body: { instances } },
      { status: 413, code: "BROOK_BATCH_TOO_LARGE", reason: "max-batch" },
    );
  });

  it("a body over --body-limit: 413, counted", async () => {
    await expectRefusal(
      brook.url,
      "default",
      { method: "POST", path: learn, body: { x: X, y: true, pad: "p".repeat(5000) } },
      { status: 413, code: "BROOK_BODY_TOO_LARGE", reason: "body-limit" },
    );
  });

  it("a body nested deeper than --max-depth: 400, counted", async () => {
    const deep = `{"x": ${"[".repeat(20)}${"]".repeat(20)}, "y": true}`;
    await expectRefusal(
      brook.url,
      "default",
      { method: "POST", path: learn, body: deep },
      { status: 400, code: "BROOK_INVALID_JSON", reason: "max-depth" },
    );
  });

  const embeddedOnly = { skip: redis && "checked by the embedded writer; not yet by Redis nodes" };

  it(
    "a learn that would grow a model past --max-model-features: 422, nothing learned; known names still learn",
    embeddedOnly,
    async () => {
      const created = await call(brook.url, "PUT", "/v1/models/grow", {
        spec: "StandardScaler | LogisticRegression",
      });
      assert.equal(created.status, 201, created.text);
      const names = (from: number, n: number) =>
        Object.fromEntries(Array.from({ length: n }, (_, i) => [`g${from + i}`, i + 1]));
      for (const x of [names(0, 10), names(10, 8)]) {
        const res = await call(brook.url, "POST", "/v1/models/grow/learn", { x, y: true });
        assert.equal(res.status, 200, res.text);
      }
      // 18 known; a batch whose second instance brings 3 new names (21 > 20) is refused whole.
      const body = await expectRefusal(
        brook.url,
        "grow",
        {
          method: "POST",
          path: "/v1/models/grow/learn",
          body: {
            instances: [
              { x: names(18, 1), y: true },
              { x: names(19, 2), y: false },
            ],
          },
        },
        { status: 422, code: "BROOK_LIMIT_EXCEEDED", reason: "max-model-features", limit: 20 },
      );
      assert.equal(body.model_features, 18);
      assert.match(
        String(body.error),
        /instances\[1\]: learning this would give model "grow" 21 distinct feature names/,
      );
      // What the refused request would have added does not count: two new names still fit.
      const fits = await call(brook.url, "POST", "/v1/models/grow/learn", { x: names(18, 2), y: true });
      assert.equal(fits.status, 200, fits.text);
      const known = await call(brook.url, "POST", "/v1/models/grow/learn", { x: names(0, 10), y: false });
      assert.equal(known.status, 200, known.text);
      await expectRefusal(
        brook.url,
        "grow",
        { method: "POST", path: "/v1/models/grow/learn", body: { x: { fresh: 1 }, y: true } },
        { status: 422, code: "BROOK_LIMIT_EXCEEDED", reason: "max-model-features", limit: 20 },
      );
      // Predictions with unknown names are fine: they grow nothing.
      const predicted = await call(brook.url, "POST", "/v1/models/grow/predict", { x: { other: 1 } });
      assert.equal(predicted.status, 200, predicted.text);
    },
  );

  it(
    "a stream of examples leaves out the lines that would pass --max-model-features, and learns the rest",
    embeddedOnly,
    async () => {
      const lines = [
        JSON.stringify({ x: { g0: 1 }, y: true }),
        JSON.stringify({ x: { brand_new: 1 }, y: true }),
        JSON.stringify({ x: { g1: 1 }, y: false }),
      ].join("\n");
      const count = await refused(brook.url, "max-model-features");
      const res = await call(brook.url, "POST", "/v1/models/grow/learn", `${lines}\n`, {
        "content-type": "application/x-ndjson",
      });
      assert.equal(await refused(brook.url, "max-model-features"), count + 1);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.learned_now, 2, res.text);
      assert.equal(res.body.rejected, 1, res.text);
      assert.equal(res.body.errors[0].line, 2, res.text);
      assert.equal(res.body.errors[0].code, "BROOK_LIMIT_EXCEEDED", res.text);
    },
  );

  it("a forecaster over --max-forecast-order is not created: 422", async () => {
    const count = await refused(brook.url, "max-forecast-order");
    const res = await call(brook.url, "PUT", "/v1/models/huge", {
      spec: "SNARIMAX(p=100000, d=0, q=100000)",
    });
    assert.equal(res.status, 422, res.text);
    assert.equal(res.body.code, "BROOK_LIMIT_EXCEEDED");
    assert.equal(res.body.setting, "max-forecast-order");
    assert.equal(res.body.lags, 200_000);
    assert.equal((await call(brook.url, "GET", "/v1/models/huge")).status, 404);
    assert.equal(await refused(brook.url, "max-forecast-order"), count + 1);
  });

  it("a forecast over --max-forecast-work: 422; a shorter horizon is answered", async () => {
    const created = await call(brook.url, "PUT", "/v1/models/fc", { spec: "SNARIMAX(p=10, d=0, q=10)" });
    assert.equal(created.status, 201, created.text);
    for (let i = 0; i < 30; i++) await call(brook.url, "POST", "/v1/models/fc/learn", { y: Math.sin(i) });
    const body = await expectRefusal(
      brook.url,
      "fc",
      { method: "POST", path: "/v1/models/fc/forecast", body: { horizon: 51 } },
      { status: 422, code: "BROOK_LIMIT_EXCEEDED", reason: "max-forecast-work", limit: 1000 },
    );
    assert.equal(body.work, 51 * 20);
    const ok = await call(brook.url, "POST", "/v1/models/fc/forecast", { horizon: 50 });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.forecast.length, 50);
  });

  it("a model past --max-models is not created: 422", {
    skip: redis && "models per server: embedded writer only",
  }, async () => {
    // default, cat, grow, fc: one more fits, the next does not.
    assert.equal(
      (await call(brook.url, "PUT", "/v1/models/fifth", { spec: "LinearRegression" })).status,
      201,
    );
    const count = await refused(brook.url, "max-models");
    const res = await call(brook.url, "PUT", "/v1/models/sixth", { spec: "LinearRegression" });
    assert.equal(res.status, 422, res.text);
    assert.equal(res.body.setting, "max-models");
    assert.equal(res.body.limit, 5);
    assert.equal((await call(brook.url, "GET", "/v1/models/sixth")).status, 404);
    assert.equal(await refused(brook.url, "max-models"), count + 1);
    // Creating one that exists with the same spec is still the no-op it was.
    assert.equal(
      (await call(brook.url, "PUT", "/v1/models/fifth", { spec: "LinearRegression" })).status,
      200,
    );
  });
});

describe("error bodies never echo unbounded input", () => {
  let brook: TestServer;
  before(async () => {
    brook = await startTestServer({});
  });
  after(() => brook.close());

  it("a long model name in the URL is quoted cut short", async () => {
    const name = `m${"x".repeat(12_000)}`;
    for (const [method, path, body] of [
      ["GET", `/v1/models/${name}`, undefined],
      ["POST", `/v1/models/${name}/predict`, { x: X }],
      ["PUT", `/v1/models/${name}`, { spec: "LinearRegression" }],
    ] as const) {
      const res = await call(brook.url, method, path, body);
      assert.ok(res.status >= 400 && res.status < 500, `${method}: ${res.status}`);
      assert.ok(res.text.length < 600, `${method} ${res.status}: a ${res.text.length}-byte problem body`);
      assert.ok(!res.text.includes("x".repeat(100)), `${method}: the name is echoed`);
    }
  });

  it("long feature names and values are quoted cut short", async () => {
    const long = "k".repeat(300_000);
    for (const body of [
      { x: { [long]: "v" }, y: true },
      { x: { a: long }, y: true },
      { x: { a: [long] }, y: true },
    ]) {
      const res = await call(brook.url, "POST", "/v1/models/default/learn", body);
      assert.ok(res.status === 400 || res.status === 422 || res.status === 413, res.text.slice(0, 300));
      assert.ok(res.text.length < 1200, `a ${res.text.length}-byte problem body`);
    }
  });
});

describe("with the default limits, a forecast that would block the event loop is refused", () => {
  let brook: TestServer;
  before(async () => {
    brook = await startTestServer({});
  });
  after(() => brook.close());

  it("SNARIMAX(p=100000, q=100000) is not created; at the largest order, a horizon of 5000 is refused and /healthz answers", async () => {
    const huge = await call(brook.url, "PUT", "/v1/models/huge", {
      spec: "SNARIMAX(p=100000, d=0, q=100000)",
    });
    assert.equal(huge.status, 422, huge.text);
    const big = await call(brook.url, "PUT", "/v1/models/big", { spec: "SNARIMAX(p=5000, d=0, q=5000)" });
    assert.equal(big.status, 201, big.text);
    for (let i = 0; i < 3; i++) await call(brook.url, "POST", "/v1/models/big/learn", { y: i });
    const [forecast, health] = await Promise.all([
      call(brook.url, "POST", "/v1/models/big/forecast", { horizon: 5000 }),
      call(brook.url, "GET", "/healthz"),
    ]);
    assert.equal(forecast.status, 422, forecast.text);
    assert.equal(forecast.body.setting, "max-forecast-work");
    assert.equal(health.status, 200);
  });
});

describe("limits already on main are counted too", () => {
  let brook: TestServer;
  before(async () => {
    brook = await startTestServer({ maxStreams: 1 });
  });
  after(() => brook.close());

  it("an event stream past --max-streams: 503, counted", {
    skip: Number(process.env.BROOK_TEST_WORKERS ?? 1) > 1 && "per process: streams spread over workers",
  }, async () => {
    const count = await refused(brook.url, "max-streams");
    const ctl = new AbortController();
    const first = await fetch(`${brook.url}/v1/models/default/stream`, { signal: ctl.signal });
    assert.equal(first.status, 200);
    try {
      const second = await call(brook.url, "GET", "/v1/models/default/stream");
      assert.equal(second.status, 503, second.text);
      assert.equal(second.body.code, "BROOK_TOO_MANY_STREAMS");
      assert.equal(await refused(brook.url, "max-streams"), count + 1);
    } finally {
      ctl.abort();
    }
  });

  it("a request that is not HTTP: 400 problem on a closed connection", async () => {
    const { connect } = await import("node:net");
    const { hostname, port } = new URL(brook.url);
    const answer = await new Promise<string>((resolve, reject) => {
      let data = "";
      const socket = connect(Number(port), hostname, () => socket.write("NOT HTTP AT ALL\r\n\r\n"));
      socket.setEncoding("utf8");
      socket.on("data", (d: string) => {
        data += d;
      });
      socket.on("close", () => resolve(data));
      socket.on("error", reject);
    });
    assert.match(answer, /^HTTP\/1.1 400 /);
    assert.match(answer, /content-type: application\/problem\+json/);
    assert.equal(JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4)).code, "BROOK_INVALID_REQUEST");
  });
});
