/**
 * Watching models learn over HTTP: the metric history (its values are the metrics the learns
 * answered with), the live streams (a client sees the metric reach the API's value; events
 * for checkpoints, rollbacks, imports, models created and deleted), Last-Event-ID resumption,
 * heartbeats, the bound on open streams, linear weights, the dashboard's files, and the
 * history surviving a restart. Runs against one process and (test/cluster/api-suites) a
 * 2-worker cluster.
 */
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { loadStream } from "../../src/data/datasets.js";
import { call, startTestServer, type TestServer } from "../helpers/server.js";
import { openSse, type SseClient } from "../helpers/sse.js";
import { tempDir } from "../helpers/tmp.js";

const rows = loadStream("phishing").rows;
const obj = (x: ReadonlyMap<string, unknown>) => Object.fromEntries(x);
const batch = (from: number, to: number) => ({
  instances: rows.slice(from, to).map((r) => ({ x: obj(r.x), y: r.y })),
});
const feedN = (id: string) => Number(id.split("-")[1]);

describe("watching models learn", () => {
  let brook: TestServer;
  const streams: SseClient[] = [];
  const open = async (path: string, headers?: Record<string, string>) => {
    const s = await openSse(brook.url + path, headers);
    streams.push(s);
    return s;
  };
  before(async () => {
    brook = await startTestServer({ streamHeartbeat: 1, eventBuffer: 40 });
  });
  afterEach(() => {
    for (const s of streams.splice(0)) s.close();
  });
  after(() => brook.close());

  it("the metric history holds, every 10 versions, the metrics the learns answered with", async () => {
    await call(brook.url, "PUT", "/v1/models/hist", { spec: "StandardScaler | LogisticRegression" });
    const answered: { version: number; metrics: Record<string, number> }[] = [];
    for (let i = 0; i < 400; i += 10) {
      const r = await call(brook.url, "POST", "/v1/models/hist/learn", batch(i, i + 10));
      assert.equal(r.status, 200);
      answered.push({ version: r.body.version, metrics: r.body.metrics });
    }
    const h = await call(brook.url, "GET", "/v1/models/hist/metrics/history");
    assert.equal(h.status, 200);
    assert.equal(h.body.model, "hist");
    assert.equal(h.body.version, 400);
    assert.equal(h.body.every, 10);
    assert.deepEqual(h.body.marks, []);
    assert.deepEqual(
      h.body.points.map((p: any) => ({ version: p.version, metrics: p.metrics })),
      answered,
    );
    for (const p of h.body.points) {
      assert.equal(p.learned, p.version);
      assert.ok(!Number.isNaN(Date.parse(p.at)));
    }
    const since = await call(brook.url, "GET", "/v1/models/hist/metrics/history?since=370");
    assert.deepEqual(
      since.body.points.map((p: any) => p.version),
      [380, 390, 400],
    );
    const bad = await call(brook.url, "GET", "/v1/models/hist/metrics/history?since=-1");
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, "BROOK_INVALID_REQUEST");
    assert.equal((await call(brook.url, "GET", "/v1/models/nope/metrics/history")).status, 404);
  });

  it("a model's stream: its state first, then learns until the metric reaches the API's value", async () => {
    await call(brook.url, "PUT", "/v1/models/live", { spec: "StandardScaler | LogisticRegression" });
    const s = await open("/v1/models/live/stream");
    assert.equal(s.status, 200);
    assert.match(s.headers.get("content-type")!, /^text\/event-stream/);
    const state = await s.waitFor((e) => e.event === "state", 5000, "the state event");
    assert.equal(state.data.version, 0);
    for (let i = 0; i < 600; i += 20)
      await call(brook.url, "POST", "/v1/models/live/learn", batch(i, i + 20));
    // (With workers, another worker's replica may be a moment behind: read until it is there.)
    let api = (await call(brook.url, "GET", "/v1/models/live/metrics")).body;
    for (let i = 0; i < 200 && api.version < 600; i++) {
      await new Promise((r) => setTimeout(r, 25));
      api = (await call(brook.url, "GET", "/v1/models/live/metrics")).body;
    }
    const last = await s.waitFor(
      (e) => e.event === "learn" && e.data.version === 600,
      10_000,
      "the learn event of version 600",
    );
    assert.equal(api.version, 600);
    assert.deepEqual(last.data.metrics, api.metrics, "the stream's metric is the API's");
    const learns = s.events.filter((e) => e.event === "learn");
    assert.equal(
      learns.reduce((n, e) => n + e.data.count, 0),
      600,
      "coalesced learn events count every learn once",
    );
    assert.ok(learns.length < 600, "learns are coalesced");
    assert.ok(
      s.events.every((e) => e.data.model === "live" || e.event === "state"),
      "only this model's events",
    );
  });

  it("the event feed: checkpoints, rollbacks, imports, models created and deleted, in order, ids increasing", async () => {
    const s = await open("/v1/events");
    await call(brook.url, "PUT", "/v1/models/feed", { spec: "StandardScaler | LogisticRegression" });
    await call(brook.url, "POST", "/v1/models/feed/learn", batch(0, 50));
    const ckpt = await call(brook.url, "POST", "/v1/models/feed/checkpoints");
    assert.equal(ckpt.status, 201);
    await call(brook.url, "POST", "/v1/models/feed/learn", batch(50, 80));
    const rb = await call(brook.url, "POST", "/v1/models/feed/rollback", { version: 60 });
    assert.equal(rb.status, 200);
    const exp = await call(brook.url, "GET", "/v1/models/feed/export");
    const imp = await call(brook.url, "POST", "/v1/models/feed/import", exp.body);
    assert.equal(imp.status, 200);
    await call(brook.url, "DELETE", "/v1/models/feed");
    await s.waitFor((e) => e.event === "model-deleted" && e.data.model === "feed", 10_000, "model-deleted");
    const mine = s.events.filter((e) => e.data.model === "feed");
    const kinds = mine.map((e) => e.event).filter((k, i, a) => k !== "learn" || a[i - 1] !== "learn");
    assert.deepEqual(kinds, [
      "model-created",
      "learn",
      "checkpoint",
      "learn",
      "rollback",
      // The rolled-back state is checkpointed at once (recovery never falls back past a rollback).
      "checkpoint",
      "import",
      "model-deleted",
    ]);
    const byType = Object.fromEntries(
      mine
        .filter((e, i) => e.event !== "checkpoint" || i < mine.findIndex((f) => f.event === "rollback"))
        .map((e) => [e.event, e.data]),
    );
    assert.deepEqual(
      { seq: byType.checkpoint.seq, version: byType.checkpoint.version },
      { seq: ckpt.body.checkpoint.seq, version: ckpt.body.checkpoint.version },
    );
    assert.equal(byType.rollback.version, rb.body.version);
    assert.equal(byType.rollback.restored, 50);
    assert.equal(byType.rollback.learned, 50);
    assert.equal(byType.import.version, imp.body.version);
    assert.equal(byType["model-created"].spec, "StandardScaler | LogisticRegression");
    for (const e of s.events) assert.equal(e.id, e.data.id, "the SSE id is the event's id");
    const ns = s.events.map((e) => feedN(e.id!));
    assert.deepEqual(
      ns,
      [...ns].sort((a, b) => a - b),
      "ids increase",
    );
    assert.equal(new Set(ns).size, ns.length);
    // Filters.
    const bad = await call(brook.url, "GET", "/v1/events?types=learn,nonsense");
    assert.equal(bad.status, 400);
  });

  it("Last-Event-ID: a resumed stream gets exactly what it missed; a too old id gets a resync event", async () => {
    const watcher = await open("/v1/events?types=model-created,model-deleted");
    const first = await open("/v1/events?types=model-created,model-deleted");
    await call(brook.url, "PUT", "/v1/models/r1", { spec: "LinearRegression" });
    const seen = await first.waitFor((e) => e.data.model === "r1", 5000, "r1 created");
    first.close();
    for (const name of ["r2", "r3"])
      await call(brook.url, "PUT", `/v1/models/${name}`, { spec: "LinearRegression" });
    await call(brook.url, "DELETE", "/v1/models/r1");
    await watcher.waitFor((e) => e.event === "model-deleted" && e.data.model === "r1", 5000, "r1 deleted");
    const missed = watcher.events.filter((e) => feedN(e.id!) > feedN(seen.id!));
    assert.deepEqual(
      missed.map((e) => `${e.event} ${e.data.model}`),
      ["model-created r2", "model-created r3", "model-deleted r1"],
    );
    const resumed = await open("/v1/events?types=model-created,model-deleted", { "last-event-id": seen.id! });
    await resumed.until(() => resumed.events.length >= 3, 5000, "the missed events");
    assert.deepEqual(resumed.events.slice(0, 3), missed, "replayed with the same ids and bodies");
    // The query parameter does the same (for clients that cannot set headers).
    const byQuery = await open(`/v1/events?types=model-created,model-deleted&last_event_id=${seen.id}`);
    await byQuery.until(() => byQuery.events.length >= 3, 5000, "the missed events");
    assert.deepEqual(byQuery.events.slice(0, 3), missed);

    // 40 events are kept: push the first one out of the ring.
    for (let i = 0; i < 25; i++) {
      await call(brook.url, "PUT", "/v1/models/churn", { spec: "LinearRegression" });
      await call(brook.url, "DELETE", "/v1/models/churn");
    }
    const stale = await open("/v1/events", { "last-event-id": seen.id! });
    const resync = await stale.waitFor((e) => e.event === "resync", 5000, "resync");
    assert.equal(resync.data.reason, "too-old");
    assert.equal(resync.data.requested, seen.id);
    assert.ok(feedN(resync.data.oldest) > feedN(seen.id!) + 1);
    const garbage = await open("/v1/events", { "last-event-id": "nonsense" });
    assert.equal(
      (await garbage.waitFor((e) => e.event === "resync", 5000, "resync")).data.reason,
      "unknown-id",
    );
    const otherRun = await open("/v1/events", { "last-event-id": "abc-3" });
    assert.equal(
      (await otherRun.waitFor((e) => e.event === "resync", 5000, "resync")).data.reason,
      "other-epoch",
    );
  });

  it("heartbeats keep an idle stream alive", async () => {
    const s = await open("/v1/events?model=nobody");
    await s.until(() => s.comments.some((c) => c.startsWith("heartbeat")), 5000, "a heartbeat");
    s.close();
  });

  it("the largest weights of a linear model, from its state; other models answer 400", async () => {
    await call(brook.url, "PUT", "/v1/models/w", { spec: "StandardScaler | LogisticRegression" });
    await call(brook.url, "POST", "/v1/models/w/learn", batch(0, 300));
    const w = await call(brook.url, "GET", "/v1/models/w/weights?k=3");
    assert.equal(w.status, 200);
    assert.equal(w.body.kind, "LogisticRegression");
    assert.equal(w.body.features, 9);
    const exp = (await call(brook.url, "GET", "/v1/models/w/export")).body.state.state.steps[1];
    const expected = exp.names
      .map((n: string, i: number) => ({ feature: n, weight: exp.weights[i] }))
      .sort((a: any, b: any) => Math.abs(b.weight) - Math.abs(a.weight))
      .slice(0, 3);
    assert.deepEqual(w.body.top, expected);
    assert.equal(w.body.intercept, exp.intercept);
    await call(brook.url, "PUT", "/v1/models/nb", { spec: "GaussianNB" });
    const nb = await call(brook.url, "GET", "/v1/models/nb/weights");
    assert.equal(nb.status, 400);
    assert.match(nb.body.error, /not a linear model/);
    assert.equal((await call(brook.url, "GET", "/v1/models/w/weights?k=0")).status, 400);
  });

  it("serves the dashboard and its charting library from the package, revalidated by ETag", async () => {
    const page = await fetch(`${brook.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type")!, /^text\/html/);
    const html = await page.text();
    assert.match(html, /\/dashboard\/app\.js/);
    assert.match(html, /\/dashboard\/vendor\/uPlot\.iife\.min\.js/);
    for (const path of ["/dashboard/app.js", "/dashboard/style.css", "/dashboard/vendor/uPlot.min.css"]) {
      const r = await fetch(brook.url + path);
      assert.equal(r.status, 200, path);
      assert.ok((await r.text()).length > 100, path);
    }
    const lib = await fetch(`${brook.url}/dashboard/vendor/uPlot.iife.min.js`);
    assert.match(lib.headers.get("content-type")!, /^text\/javascript/);
    assert.match(await lib.text(), /uPlot/);
    const etag = lib.headers.get("etag")!;
    const again = await fetch(`${brook.url}/dashboard/vendor/uPlot.iife.min.js`, {
      headers: { "if-none-match": etag },
    });
    assert.equal(again.status, 304);
    assert.equal((await fetch(`${brook.url}/dashboard/nothing.js`)).status, 404);
  });
});

describe("the metric history across a restart (file store)", () => {
  it("is kept in the model's checkpoints and comes back identical; it goes on from there", async () => {
    const tmp = tempDir();
    try {
      const settings = { store: "file", dataDir: tmp.dir, checkpointEvery: 100, fsync: "never" } as const;
      let brook = await startTestServer(settings);
      for (let i = 0; i < 250; i += 10)
        await call(brook.url, "POST", "/v1/models/default/learn", batch(i, i + 10));
      const before = (await call(brook.url, "GET", "/v1/models/default/metrics/history")).body;
      assert.equal(before.points.length, 25);
      await brook.close();
      brook = await startTestServer(settings);
      try {
        const restored = (await call(brook.url, "GET", "/v1/models/default/metrics/history")).body;
        assert.deepEqual(restored, before);
        await call(brook.url, "POST", "/v1/models/default/learn", batch(250, 260));
        const more = (await call(brook.url, "GET", "/v1/models/default/metrics/history")).body;
        assert.deepEqual(more.points.slice(0, 25), before.points);
        assert.equal(more.points.at(-1).version, 260);
      } finally {
        await brook.close();
      }
    } finally {
      tmp.remove();
    }
  });
});

describe("the bound on open streams", () => {
  let limited: TestServer;
  const streams: SseClient[] = [];
  before(async () => {
    limited = await startTestServer({ maxStreams: 2 });
  });
  after(async () => {
    for (const s of streams) s.close();
    await limited.close();
  });

  it("--max-streams bounds the streams open at once (per process); a closed one frees its place", async () => {
    const held = new Map<string, SseClient[]>();
    let refused: SseClient | undefined;
    // Round-robin spreads connections over the workers: open until one process refuses.
    for (let i = 0; i < 20 && !refused; i++) {
      const s = await openSse(`${limited.url}/v1/events`);
      streams.push(s);
      const key = s.worker ?? "single";
      if (s.status === 503) refused = s;
      else held.set(key, [...(held.get(key) ?? []), s]);
    }
    assert.ok(refused, "a stream was refused");
    const body = await refused.body();
    assert.equal(body.code, "BROOK_TOO_MANY_STREAMS");
    const full = held.get(refused.worker ?? "single")!;
    assert.equal(full.length, 2, "the process that refused had 2 streams open");
    for (const s of full) s.close();
    const deadline = Date.now() + 10_000;
    for (;;) {
      const again = await openSse(`${limited.url}/v1/events`);
      streams.push(again);
      if (again.status === 200 && (again.worker ?? "single") === (refused.worker ?? "single")) break;
      if (Date.now() > deadline) throw new Error("no stream was admitted after others closed");
    }
  });
});

describe("shutting down with streams open", () => {
  it("ends every open stream and stops (no stream holds the server up)", async () => {
    const brook = await startTestServer({});
    const s = await openSse(`${brook.url}/v1/events`);
    const m = await openSse(`${brook.url}/v1/models/default/stream`);
    assert.equal(s.status, 200);
    await m.waitFor((e) => e.event === "state", 5000, "the state event");
    await brook.close();
    await s.until(() => s.ended(), 5000, "the end of the feed stream");
    await m.until(() => m.ended(), 5000, "the end of the model stream");
  });
});
