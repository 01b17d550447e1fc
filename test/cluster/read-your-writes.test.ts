/**
 * Read-your-writes under lag: with replicas delayed on purpose (a test hook on the channel),
 * a read without `min_version` right after a learn can answer an older version — the lag is
 * real — while a read with `min_version` waits and answers at least that version, or a 503
 * when the bounded wait runs out. Every read route takes it (predict, forecast, metrics, export).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { loadStream } from "../../src/data/datasets.js";
import { type ServerProcess, spawnServer } from "../helpers/process.js";

const rows = loadStream("phishing").rows;
const obj = (x: ReadonlyMap<string, unknown>) => Object.fromEntries(x);
const LAG_MS = 300;

async function fresh(url: string, method: string, path: string, body?: unknown) {
  const res = await fetch(url + path, {
    method,
    headers: { "content-type": "application/json", connection: "close" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe("read-your-writes on lagging replicas", () => {
  let server: ServerProcess;
  before(async () => {
    server = await spawnServer(
      ["--workers", "2", "--store", "memory", "--read-wait-ms", "3000"],
      { BROOK_TEST_REPLICA_DELAY_MS: String(LAG_MS) },
      2,
    );
  });
  after(async () => {
    server.child.kill("SIGTERM");
    await server.exited();
  });

  it("without min_version a read can be behind; with it, never", async () => {
    let stale = 0;
    for (let i = 0; i < 6; i++) {
      const r = rows[i]!;
      const learned = await fresh(server.url, "POST", "/v1/models/default/learn", { x: obj(r.x), y: r.y });
      assert.equal(learned.status, 200);
      const v = learned.body.version as number;
      const plain = await fresh(server.url, "POST", "/v1/models/default/predict", { x: obj(r.x) });
      if (plain.body.version < v) stale++;
      const started = Date.now();
      const reads = await Promise.all([
        fresh(server.url, "POST", "/v1/models/default/predict", { x: obj(r.x), min_version: v }),
        fresh(server.url, "POST", "/v1/models/default/predict", { instances: [obj(r.x)], min_version: v }),
        fresh(server.url, "GET", `/v1/models/default/metrics?min_version=${v}`),
        fresh(server.url, "GET", `/v1/models/default/export?min_version=${v}`),
      ]);
      for (const read of reads) {
        assert.equal(read.status, 200, JSON.stringify(read.body));
        assert.ok(read.body.version >= v, `answered version ${read.body.version} < ${v}`);
      }
      assert.ok(Date.now() - started < 3000);
    }
    assert.ok(stale > 0, "the replicas lagged (otherwise this test would prove nothing)");
  });

  it("a forecast waits for the version too", async () => {
    const created = await fresh(server.url, "PUT", "/v1/models/air", {
      spec: "HoltWinters(alpha=0.3, beta=0.1, gamma=0.6, seasonality=2)",
    });
    assert.equal(created.status, 201);
    const learned = await fresh(server.url, "POST", "/v1/models/air/learn", {
      instances: [1, 2, 3, 4, 5, 6].map((y) => ({ y })),
    });
    assert.equal(learned.status, 200);
    const f = await fresh(server.url, "POST", "/v1/models/air/forecast", {
      horizon: 2,
      min_version: learned.body.version,
    });
    assert.equal(f.status, 200, JSON.stringify(f.body));
    assert.equal(f.body.version, learned.body.version);
  });

  it("a version that does not come in time is a 503 naming the version reached", async () => {
    const d = await fresh(server.url, "GET", "/v1/models/default");
    const far = (d.body.version as number) + 1000;
    const started = Date.now();
    const r = await fresh(server.url, "POST", "/v1/models/default/predict", {
      x: obj(rows[0]!.x),
      min_version: far,
    });
    assert.equal(r.status, 503);
    assert.equal(r.body.code, "BROOK_UNAVAILABLE");
    assert.equal(r.body.min_version, far);
    assert.ok(Date.now() - started >= 2900, "it waited for the configured time");
    const bad = await fresh(server.url, "GET", "/v1/models/default/metrics?min_version=soon");
    assert.equal(bad.status, 400);
  });
});
