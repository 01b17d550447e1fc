/**
 * `GET /metrics` in one process: a valid exposition whose values move with what the server
 * does (requests per route template and status, predictions, learns and rejections per model,
 * the model's version and live metric, checkpoints, log size), and nothing with
 * `--prometheus off`.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { loadConfig } from "../../src/config/config.js";
import { loadStream } from "../../src/data/datasets.js";
import { type Brook, startBrook } from "../../src/server/start.js";
import { parseExposition, sampleOr0, sampleValue, scrape } from "../helpers/prometheus.js";
import { call } from "../helpers/server.js";
import { tempDir } from "../helpers/tmp.js";

const phishing = loadStream("phishing").rows;
const row = (i: number) => ({ x: Object.fromEntries(phishing[i]!.x), y: phishing[i]!.y });
const LEARN = { method: "POST", route: "/v1/models/{name}/learn" };

describe("the exposition parser is strict", () => {
  const bad: [string, string][] = [
    ["no TYPE before a sample", "brook_x 1\n"],
    ["unquoted label", "# TYPE a counter\na{b=1} 1\n"],
    ["bad number", "# TYPE a gauge\na 1,5\n"],
    ["negative counter", "# TYPE a counter\na -1\n"],
    ["series twice", '# TYPE a gauge\na{b="1"} 1\na{b="1"} 2\n'],
    ["no final newline", "# TYPE a gauge\na 1"],
    [
      "buckets not cumulative",
      '# TYPE h histogram\nh_bucket{le="1"} 5\nh_bucket{le="+Inf"} 4\nh_sum 1\nh_count 4\n',
    ],
    ["+Inf != count", '# TYPE h histogram\nh_bucket{le="+Inf"} 4\nh_sum 1\nh_count 5\n'],
  ];
  for (const [name, text] of bad) it(`refuses: ${name}`, () => assert.throws(() => parseExposition(text)));
  it("reads escaped labels and special values", () => {
    const f = parseExposition('# HELP a x\n# TYPE a gauge\na{b="q\\"\\\\\\n"} NaN\na{b="2"} +Inf\n');
    assert.equal(f.get("a")!.samples[0]!.labels.b, 'q"\\\n');
    assert.ok(Number.isNaN(sampleValue(f, "a", { b: 'q"\\\n' })));
    assert.equal(sampleValue(f, "a", { b: "2" }), Infinity);
  });
});

describe("GET /metrics (one process)", () => {
  let brook: Brook;
  const tmp = tempDir();
  before(async () => {
    brook = await startBrook(
      loadConfig(
        { port: 0, host: "127.0.0.1", workers: 1, logLevel: "silent", dataDir: tmp.dir, fsync: "never" },
        {},
      ),
    );
  });
  after(async () => {
    await brook.close();
    tmp.remove();
  });

  it("counts learns per model and per route, and the version gauge is the version", async () => {
    const before_ = (await scrape(brook.url)).families;
    const learned0 = sampleOr0(before_, "brook_learned_total", { model: "default" });
    const requests0 = sampleOr0(before_, "brook_http_requests_total", { ...LEARN, status: "200" });
    let version = 0;
    for (let i = 0; i < 5; i++)
      version = (await call(brook.url, "POST", "/v1/models/default/learn", row(i))).body.version;
    const after_ = (await scrape(brook.url)).families;
    assert.equal(sampleValue(after_, "brook_learned_total", { model: "default" }), learned0 + 5);
    assert.equal(
      sampleValue(after_, "brook_http_requests_total", { ...LEARN, status: "200" }),
      requests0 + 5,
    );
    assert.equal(
      sampleValue(after_, "brook_http_request_duration_seconds_count", { ...LEARN, status: "200" }),
      requests0 + 5,
    );
    assert.ok(
      sampleValue(after_, "brook_http_request_duration_seconds_sum", { ...LEARN, status: "200" }) > 0,
    );
    assert.equal(sampleValue(after_, "brook_model_version", { model: "default" }), version);
    assert.equal(sampleValue(after_, "brook_model_learned", { model: "default" }), version);
    const metrics = (await call(brook.url, "GET", "/v1/models/default/metrics")).body.metrics;
    assert.equal(
      sampleValue(after_, "brook_model_metric", { model: "default", metric: "ROCAUC" }),
      metrics.ROCAUC,
    );
  });

  it("a batch counts its examples; predictions count instances; rejections count requests", async () => {
    const f0 = (await scrape(brook.url)).families;
    await call(brook.url, "POST", "/v1/models/default/learn", { instances: [row(10), row(11), row(12)] });
    await call(brook.url, "POST", "/v1/models/default/predict", { instances: [row(13).x, row(14).x] });
    await call(brook.url, "POST", "/predict", { x: row(15).x });
    const bad = await call(brook.url, "POST", "/v1/models/default/learn", { x: row(1).x, y: "maybe" });
    assert.equal(bad.status, 400);
    const f1 = (await scrape(brook.url)).families;
    const delta = (name: string, labels: Record<string, string>) =>
      sampleOr0(f1, name, labels) - sampleOr0(f0, name, labels);
    assert.equal(delta("brook_learned_total", { model: "default" }), 3);
    assert.equal(delta("brook_predictions_total", { model: "default" }), 3);
    assert.equal(delta("brook_learn_rejected_total", { model: "default" }), 1);
    assert.equal(delta("brook_http_requests_total", { ...LEARN, status: "400" }), 1);
    assert.equal(delta("brook_http_requests_total", { method: "POST", route: "/predict", status: "200" }), 1);
  });

  it("labels are route templates and known models, never raw URLs or unknown names", async () => {
    await call(brook.url, "POST", "/v1/models/no-such-model/learn", row(0));
    await call(brook.url, "GET", "/no/such/path/42");
    await call(brook.url, "GET", "/predict");
    const { families } = await scrape(brook.url);
    const text = JSON.stringify([...families.values()]);
    assert.doesNotMatch(text, /no-such-model|no\/such\/path/);
    assert.equal(sampleValue(families, "brook_http_requests_total", { ...LEARN, status: "404" }), 1);
    assert.ok(sampleValue(families, "brook_http_requests_total", { route: "unmatched", status: "404" }) >= 1);
    assert.equal(
      sampleValue(families, "brook_http_requests_total", { route: "unmatched", status: "405" }),
      1,
    );
    for (const s of families.get("brook_http_requests_total")!.samples) {
      assert.ok(s.labels.route === "unmatched" || s.labels.route!.startsWith("/"), s.labels.route);
      assert.doesNotMatch(s.labels.route!, /default/);
    }
  });

  it("checkpoint and log gauges follow the store; Node's default metrics are there", async () => {
    const ck = await call(brook.url, "POST", "/v1/models/default/checkpoints");
    assert.equal(ck.status, 201);
    const { families } = await scrape(brook.url);
    assert.equal(
      sampleValue(families, "brook_checkpoint_bytes", { model: "default" }),
      ck.body.checkpoint.bytes,
    );
    assert.ok(sampleValue(families, "brook_checkpoint_age_seconds", { model: "default" }) < 60);
    assert.ok(sampleValue(families, "brook_checkpoint_duration_seconds", { model: "default" }) > 0);
    assert.ok(sampleValue(families, "brook_log_bytes", { model: "default" }) > 0);
    assert.equal(sampleValue(families, "brook_pending_labels", { model: "default" }), 0);
    assert.ok(families.has("process_cpu_user_seconds_total"));
    assert.ok(families.has("nodejs_eventloop_lag_seconds"));
  });

  it("pending labels are a gauge of remembered predictions", async () => {
    await call(brook.url, "POST", "/v1/models/default/predict", { x: row(20).x, id: "p-1" });
    await call(brook.url, "POST", "/v1/models/default/predict", { x: row(21).x, id: "p-2" });
    assert.equal(
      sampleValue((await scrape(brook.url)).families, "brook_pending_labels", { model: "default" }),
      2,
    );
    await call(brook.url, "POST", "/v1/models/default/learn", { id: "p-1", y: true });
    assert.equal(
      sampleValue((await scrape(brook.url)).families, "brook_pending_labels", { model: "default" }),
      1,
    );
  });
});

describe("--prometheus off", () => {
  let brook: Brook;
  before(async () => {
    brook = await startBrook(
      loadConfig(
        { port: 0, host: "127.0.0.1", workers: 1, logLevel: "silent", store: "memory", prometheus: "off" },
        {},
      ),
    );
  });
  after(() => brook.close());

  it("has no /metrics", async () => {
    await call(brook.url, "POST", "/v1/models/default/learn", row(0));
    const res = await call(brook.url, "GET", "/metrics");
    assert.equal(res.status, 404);
    assert.equal(res.body.code, "BROOK_ROUTE_NOT_FOUND");
    assert.match(res.body.error, /--prometheus off/);
  });
});
