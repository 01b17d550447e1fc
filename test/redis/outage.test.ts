/**
 * Redis going away under load, with a Redis of the test's own (AOF, `appendfsync always`),
 * killed with SIGKILL and started again on its files:
 * - while it is away, learns answer 503 BROOK_STORAGE_UNAVAILABLE, predictions are answered
 *   from the node's copy and say they may be stale (`stale: true`, `x-brook-stale`), readiness
 *   is false;
 * - once it is back, everything recovers by itself (readiness, learns), and no acknowledged
 *   learn is lost: every event id answered 200 is in the log, once; the node's model equals a
 *   replay of the log.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { decodeRecord, featuresText } from "../../src/codec/events.js";
import { loadStream } from "../../src/data/datasets.js";
import { KeySpace } from "../../src/store/redis/keys.js";
import { replayExport, send, startNode, stopNode, type TestNode } from "../helpers/nodes.js";
import { type OwnRedis, ownRedis, testClient, testPrefix } from "../helpers/redis.js";
import { eventually } from "../helpers/wait.js";

const rows = loadStream("phishing").rows;
const X = (i: number) => JSON.parse(featuresText(rows[i % rows.length]!.x)) as Record<string, number>;
const Y = (i: number) => rows[i % rows.length]!.y;

describe("Redis stopped mid-load (AOF, appendfsync always)", () => {
  let redis: OwnRedis;
  let node: TestNode;
  const prefix = testPrefix("outage");
  before(async () => {
    redis = await ownRedis(["--appendonly", "yes", "--appendfsync", "always", "--save", ""]);
    node = await startNode(redis.url, prefix, "all", [
      "--lease-ttl-ms",
      "1000",
      "--checkpoint-every",
      "50",
      "--retain",
      "all",
    ]);
  });
  after(async () => {
    if (node) await stopNode(node);
    await redis?.remove();
  });

  it("learns 503 and predictions stale while it is away; nothing acknowledged lost once it is back", async () => {
    const acked = new Set<string>();
    const statuses = new Map<number, number>();
    let stop = false;
    let next = 0;
    const loop = async () => {
      while (!stop) {
        const k = next++;
        const r = await send(node.url, "POST", "/v1/models/default/learn", {
          x: X(k),
          y: Y(k),
          event_id: `e${k}`,
        });
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status === 200) acked.add(`e${k}`);
        else {
          assert.equal(r.status, 503, r.text);
          assert.equal(r.body.code, "BROOK_STORAGE_UNAVAILABLE", r.text);
          await new Promise((res) => setTimeout(res, 10));
        }
      }
    };
    const loops = [loop(), loop(), loop(), loop()];
    try {
      await eventually(() => acked.size >= 150, { what: "150 learns acknowledged" });
      await redis.stop("SIGKILL");
      const ackedBefore = acked.size;
      await eventually(() => (statuses.get(503) ?? 0) > 0, { what: "a learn refused with 503" });
      const p = await send(node.url, "POST", "/v1/models/default/predict", { x: X(1) });
      assert.equal(p.status, 200, p.text);
      assert.equal(p.body.stale, true);
      assert.equal(p.headers["x-brook-stale"], "redis-unreachable");
      const ready = await send(node.url, "GET", "/readyz");
      assert.equal(ready.status, 503, ready.text);
      assert.match(ready.body.error, /Redis .* unreachable/);
      await redis.start();
      await eventually(async () => (await send(node.url, "GET", "/readyz")).status === 200, {
        what: "ready again",
        timeoutMs: 20_000,
      });
      await eventually(() => acked.size >= ackedBefore + 100, {
        what: "learns acknowledged again",
        timeoutMs: 20_000,
      });
      const fresh = await send(node.url, "POST", "/v1/models/default/predict", { x: X(1) });
      assert.equal(fresh.body.stale, undefined);
      assert.equal(fresh.headers["x-brook-stale"], undefined);
    } finally {
      stop = true;
      await Promise.all(loops);
    }
    // Every acknowledged learn is in the log, exactly once.
    const client = testClient(redis.url);
    try {
      const keys = new KeySpace(prefix);
      const gen = Number(await client.hget(keys.model("default", 0).meta, "gen"));
      const entries = (await client.xrangeBuffer(keys.model("default", gen).stream, "-", "+")) as [
        Buffer,
        Buffer[],
      ][];
      const logged: string[] = [];
      for (const [, fields] of entries) {
        const { event } = decodeRecord(fields[1]!);
        if (event.type === "learn" && event.eventId) logged.push(event.eventId);
      }
      assert.equal(new Set(logged).size, logged.length, "no event logged twice");
      const missing = [...acked].filter((e) => !logged.includes(e));
      assert.deepEqual(missing, [], "every acknowledged learn is in the log");
      const head = entries.length;
      const exported = await eventually(
        async () => {
          const r = await send(node.url, "GET", "/v1/models/default/export");
          return r.body.seq === head ? r.text : false;
        },
        { what: "the node at the log's head" },
      );
      assert.equal(exported, (await replayExport(redis.url, prefix, "default")).text);
    } finally {
      client.disconnect();
    }
  });
});
