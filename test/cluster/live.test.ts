/**
 * `brook serve --workers 2`: the live feed is the same on every worker (same events, same ids,
 * checkpoints and model creations included, which only the primary sees), a stream resumes on
 * the other worker from an id the first one gave, every replica holds the same metric
 * history, and predictions answered by both workers add up in the model's details.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { loadStream } from "../../src/data/datasets.js";
import { type ServerProcess, spawnServer } from "../helpers/process.js";
import { openSse, type SseClient } from "../helpers/sse.js";

const rows = loadStream("phishing").rows;
const obj = (x: ReadonlyMap<string, unknown>) => Object.fromEntries(x);
const feedN = (id: string) => Number(id.split("-")[1]);

/** A request on a new connection, so that the cluster hands it to the next worker. */
async function fresh(url: string, method: string, path: string, body?: unknown) {
  const res = await fetch(url + path, {
    method,
    headers: { "content-type": "application/json", connection: "close" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  const text = await res.text();
  return {
    status: res.status,
    worker: res.headers.get("x-brook-worker"),
    body: text ? JSON.parse(text) : null,
  };
}

describe("live streams across 2 workers", () => {
  let server: ServerProcess;
  const streams: SseClient[] = [];
  /** Opens streams until one is on `worker` (or on any worker not in `avoid`). */
  const streamOn = async (
    path: string,
    want: (worker: string) => boolean,
    headers?: Record<string, string>,
  ) => {
    for (let i = 0; i < 30; i++) {
      const s = await openSse(server.url + path, headers);
      streams.push(s);
      if (s.status === 200 && want(s.worker!)) return s;
      s.close();
    }
    throw new Error("no stream landed on the wanted worker");
  };
  before(async () => {
    server = await spawnServer(["--workers", "2", "--store", "memory"], {}, 2);
  });
  after(async () => {
    for (const s of streams) s.close();
    server.child.kill("SIGTERM");
    assert.equal(await server.exited(), 0, server.output());
  });

  it("both workers serve the same events under the same ids, and a stream resumes on the other worker", async () => {
    const a = await streamOn("/v1/events", () => true);
    const b = await streamOn("/v1/events", (w) => w !== a.worker);
    assert.notEqual(a.worker, b.worker);

    const put = await fresh(server.url, "PUT", "/v1/models/m2", {
      spec: "StandardScaler | LogisticRegression",
    });
    assert.equal(put.status, 201);
    const answeredBy = new Set<string>();
    for (let i = 0; i < 300; i += 15) {
      const r = await fresh(server.url, "POST", "/v1/models/m2/learn", {
        instances: rows.slice(i, i + 15).map((r) => ({ x: obj(r.x), y: r.y })),
      });
      assert.equal(r.status, 200);
      answeredBy.add(r.worker!);
    }
    assert.equal(answeredBy.size, 2, "learns went through both workers");
    assert.equal((await fresh(server.url, "POST", "/v1/models/m2/checkpoints")).status, 201);
    assert.equal((await fresh(server.url, "POST", "/v1/models/m2/rollback", { version: 300 })).status, 200);
    assert.equal((await fresh(server.url, "DELETE", "/v1/models/m2")).status, 204);

    const gone = (e: { event: string; data: any }) => e.event === "model-deleted" && e.data.model === "m2";
    await a.waitFor(gone, 10_000, "model-deleted on worker A");
    await b.waitFor(gone, 10_000, "model-deleted on worker B");
    const m2 = (s: SseClient) => s.events.filter((e) => e.data.model === "m2");
    assert.deepEqual(m2(a), m2(b), "the same events, ids and bodies on both workers");
    const kinds = new Set(m2(a).map((e) => e.event));
    for (const k of ["model-created", "learn", "checkpoint", "rollback", "model-deleted"])
      assert.ok(kinds.has(k), k);
    assert.equal(
      m2(a)
        .filter((e) => e.event === "learn")
        .reduce((n, e) => n + e.data.count, 0),
      300,
    );

    // Resume on the other worker from an id worker A gave: exactly the events after it.
    const middle = m2(a)[2]!;
    const after = m2(a).filter((e) => feedN(e.id!) > feedN(middle.id!));
    const resumed = await streamOn("/v1/events?model=m2", (w) => w !== a.worker, {
      "last-event-id": middle.id!,
    });
    await resumed.until(() => resumed.events.length >= after.length, 10_000, "the replay");
    assert.deepEqual(resumed.events.slice(0, after.length), after);
  });

  it("every worker holds the same metric history, and its model stream reaches the API's value", async () => {
    const stream = await streamOn("/v1/models/default/stream", () => true);
    const other = await streamOn("/v1/models/default/stream", (w) => w !== stream.worker);
    for (let i = 0; i < 500; i += 25) {
      await fresh(server.url, "POST", "/v1/models/default/learn", {
        instances: rows.slice(i, i + 25).map((r) => ({ x: obj(r.x), y: r.y })),
      });
    }
    const reached = (e: { event: string; data: any }) => e.event === "learn" && e.data.version === 500;
    const [ea, eb] = [await stream.waitFor(reached, 10_000), await other.waitFor(reached, 10_000)];
    assert.deepEqual(ea, eb);
    const histories = new Map<string, any>();
    for (let i = 0; i < 40 && histories.size < 2; i++) {
      const r = await fresh(server.url, "GET", "/v1/models/default/metrics/history");
      if (r.body.version === 500) histories.set(r.worker!, r.body);
    }
    assert.equal(histories.size, 2, "both workers answered at version 500");
    const [ha, hb] = [...histories.values()];
    assert.deepEqual(ha, hb, "identical histories on both replicas");
    assert.equal(ha.points.length, 50);
    assert.deepEqual(
      ha.points.at(-1).metrics,
      ea.data.metrics,
      "the history's last point is the stream's value",
    );
    const metrics = await fresh(server.url, "GET", "/v1/models/default/metrics");
    assert.deepEqual(metrics.body.metrics, ea.data.metrics);
  });

  it("predictions answered by both workers add up in the model's details", async () => {
    const before = (await fresh(server.url, "GET", "/v1/models/default")).body.predicted as number;
    const workers = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const r = await fresh(server.url, "POST", "/v1/models/default/predict", { x: obj(rows[i]!.x) });
      assert.equal(r.status, 200);
      workers.add(r.worker!);
    }
    assert.equal(workers.size, 2);
    // Workers report their counts about once a second.
    const deadline = Date.now() + 10_000;
    let predicted = before;
    while (predicted < before + 30 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      predicted = (await fresh(server.url, "GET", "/v1/models/default")).body.predicted;
    }
    assert.equal(predicted, before + 30);
  });
});
