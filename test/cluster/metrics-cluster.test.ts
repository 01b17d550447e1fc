/**
 * `GET /metrics` of `brook serve --workers 2`: whichever worker answers the scrape, the totals
 * are the cluster's (the primary aggregates every worker's counters with its own gauges).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { loadStream } from "../../src/data/datasets.js";
import { type ServerProcess, spawnServer } from "../helpers/process.js";
import { type Family, sampleOr0, sampleValue, scrape } from "../helpers/prometheus.js";
import { call } from "../helpers/server.js";

const phishing = loadStream("phishing").rows;
const row = (i: number) => ({ x: Object.fromEntries(phishing[i]!.x), y: phishing[i]!.y });
const LEARN = { method: "POST", route: "/v1/models/{name}/learn", status: "200" };
const PREDICT = { method: "POST", route: "/v1/models/{name}/predict", status: "200" };

/** Scrapes on new connections until both workers have answered at least twice. */
async function scrapeBoth(url: string): Promise<{ worker: string; families: Map<string, Family> }[]> {
  const out: { worker: string; families: Map<string, Family> }[] = [];
  const deadline = Date.now() + 20_000;
  const count = (w: string) => out.filter((s) => s.worker === w).length;
  while (
    new Set(out.map((s) => s.worker)).size < 2 ||
    [...new Set(out.map((s) => s.worker))].some((w) => count(w) < 2)
  ) {
    if (Date.now() > deadline) throw new Error(`scrapes reached workers ${out.map((s) => s.worker)}`);
    const { families, worker } = await scrape(url);
    out.push({ worker: worker ?? "?", families });
  }
  return out;
}

describe("metrics across 2 workers", () => {
  let server: ServerProcess;
  before(async () => {
    server = await spawnServer(["--workers", "2", "--store", "memory"], {}, 2);
  });
  after(async () => {
    server.child.kill("SIGTERM");
    assert.equal(await server.exited(), 0, server.output());
  });

  it("learn 5 and predict 8 through both workers: every scrape, from either worker, says so", async () => {
    const base = (await scrapeBoth(server.url))[0]!.families;
    const learned0 = sampleOr0(base, "brook_learned_total", { model: "default" });
    const predicted0 = sampleOr0(base, "brook_predictions_total", { model: "default" });
    const learnRequests0 = sampleOr0(base, "brook_http_requests_total", LEARN);
    const workers = new Set<string>();
    let version = 0;
    for (let i = 0; i < 5; i++) {
      const res = await call(server.url, "POST", "/v1/models/default/learn", row(i), { connection: "close" });
      assert.equal(res.status, 200);
      version = res.body.version;
      workers.add(res.worker!);
    }
    for (let i = 0; i < 8; i++) {
      const res = await call(
        server.url,
        "POST",
        "/v1/models/default/predict",
        { x: row(10 + i).x },
        { connection: "close" },
      );
      assert.equal(res.status, 200);
      workers.add(res.worker!);
    }
    assert.equal(workers.size, 2, "both workers served requests");
    const scrapes = await scrapeBoth(server.url);
    for (const { worker, families } of scrapes) {
      const where = `scrape answered by worker ${worker}`;
      assert.equal(sampleValue(families, "brook_learned_total", { model: "default" }), learned0 + 5, where);
      assert.equal(
        sampleValue(families, "brook_predictions_total", { model: "default" }),
        predicted0 + 8,
        where,
      );
      assert.equal(sampleValue(families, "brook_http_requests_total", LEARN), learnRequests0 + 5, where);
      assert.equal(
        sampleValue(families, "brook_http_request_duration_seconds_count", LEARN),
        learnRequests0 + 5,
        where,
      );
      assert.ok(sampleValue(families, "brook_http_requests_total", PREDICT) >= 8, where);
      // The writer's gauges come once, from the primary.
      assert.equal(sampleValue(families, "brook_model_version", { model: "default" }), version, where);
      assert.equal(sampleValue(families, "brook_model_learned", { model: "default" }), version, where);
      assert.ok(sampleValue(families, "brook_replica_lag_events", { model: "default" }) >= 0, where);
      assert.ok(sampleValue(families, "brook_replica_lag_seconds", { model: "default" }) >= 0, where);
    }
    // The scrapes themselves are counted, per worker, and summed.
    const last = scrapes.at(-1)!.families;
    const metricsRequests = sampleValue(last, "brook_http_requests_total", {
      method: "GET",
      route: "/metrics",
      status: "200",
    });
    assert.ok(metricsRequests >= scrapes.length, `${metricsRequests} scrapes counted`);
  });
});
