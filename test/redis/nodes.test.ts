/**
 * Several Brook nodes on one Redis (real `brook serve --store redis://...` processes on their
 * own ports, under a key prefix of their own in the shared test Redis):
 * - learns spread over three nodes concurrently (retries of event ids on other nodes, labels
 *   for predictions remembered elsewhere) → every node exports the same bytes, equal to a
 *   sequential replay of the stream in this process; nothing learned twice;
 * - a model created on one node is served by all; deleted on one, it disappears everywhere and
 *   the learns still in flight get 404; min_version reads another node's write;
 * - a `serve` node never holds a lease nor writes a checkpoint;
 * - kill -9 of the lease holder: another node takes the lease within the TTL and checkpoints go
 *   on (with a newer fencing token); a fresh node joins after the log was trimmed and catches up
 *   from the newest checkpoint.
 * Every wait is a condition with a deadline.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { featuresText } from "../../src/codec/events.js";
import { loadStream } from "../../src/data/datasets.js";
import { KeySpace } from "../../src/store/redis/keys.js";
import { killNode, replayExport, send, startNode, stopNode, type TestNode } from "../helpers/nodes.js";
import { dropPrefix, SHARED_REDIS, testClient, testPrefix } from "../helpers/redis.js";
import { eventually } from "../helpers/wait.js";

const rows = loadStream("phishing").rows;
const X = (i: number) => JSON.parse(featuresText(rows[i % rows.length]!.x)) as Record<string, number>;
const Y = (i: number) => rows[i % rows.length]!.y;

describe("three nodes on one Redis", () => {
  const prefix = testPrefix("three");
  let nodes: TestNode[] = [];
  let all: TestNode;
  let learner: TestNode;
  let server: TestNode;
  before(async () => {
    const flags = ["--checkpoint-every", "100", "--retain", "all", "--lease-ttl-ms", "2000"];
    nodes = await Promise.all([
      startNode(SHARED_REDIS, prefix, "all", flags),
      startNode(SHARED_REDIS, prefix, "learn", flags),
      startNode(SHARED_REDIS, prefix, "serve", flags),
    ]);
    [all, learner, server] = nodes as [TestNode, TestNode, TestNode];
  });
  after(async () => {
    await Promise.all(nodes.map(stopNode));
    await dropPrefix(SHARED_REDIS, prefix);
  });

  it("concurrent learns on every node: the same model everywhere, equal to a sequential replay", async () => {
    const created = await send(all.url, "PUT", "/v1/models/m", {
      spec: "StandardScaler | LogisticRegression",
    });
    assert.equal(created.status, 201, created.text);
    for (const n of nodes)
      await eventually(async () => (await send(n.url, "GET", "/v1/models/m")).status === 200, {
        what: `model m on ${n.role}`,
      });
    let distinct = 0;
    let retries = 0;
    let lastVersion = 0;
    const loop = async (l: number) => {
      for (let i = 0; i < 40; i++) {
        const k = l * 1000 + i;
        const node = nodes[(l + i) % 3]!;
        let r: Awaited<ReturnType<typeof send>>;
        if (i % 7 === 3) {
          // A prediction remembered on a node that serves predictions, labelled on another.
          const p = await send([all, server][i % 2]!.url, "POST", "/v1/models/m/predict", {
            x: X(k),
            remember: true,
          });
          assert.equal(p.status, 200, p.text);
          r = await send(node.url, "POST", "/v1/models/m/learn", {
            id: p.body.id,
            y: Y(k),
            event_id: `e${k}`,
          });
        } else {
          r = await send(node.url, "POST", "/v1/models/m/learn", { x: X(k), y: Y(k), event_id: `e${k}` });
        }
        assert.equal(r.status, 200, `${node.role}: ${r.text}`);
        assert.equal(r.body.learned_now, 1);
        distinct++;
        lastVersion = Math.max(lastVersion, r.body.version);
        if (i % 10 === 5) {
          // The client retries on another node: recognised, nothing learned twice.
          const again = await send(nodes[(l + i + 1) % 3]!.url, "POST", "/v1/models/m/learn", {
            x: X(k),
            y: Y(k),
            event_id: `e${k}`,
          });
          assert.equal(again.status, 200, again.text);
          assert.equal(again.body.duplicate, true, again.text);
          assert.equal(again.body.learned_now, 0);
          assert.ok(again.body.version >= r.body.version);
          retries++;
        }
      }
    };
    await Promise.all([0, 1, 2, 3, 4, 5].map(loop));
    assert.ok(retries > 0);
    const exports = await Promise.all(
      nodes.map(async (n) => {
        const r = await send(n.url, "GET", `/v1/models/m/export?min_version=${lastVersion}`);
        assert.equal(r.status, 200, r.text);
        return r;
      }),
    );
    // Every node at the head: the same bytes.
    const head = Math.max(...exports.map((e) => e.body.seq));
    const atHead = await Promise.all(
      nodes.map((n) =>
        eventually(
          async () => {
            const r = await send(n.url, "GET", "/v1/models/m/export");
            return r.body.seq === head ? r.text : false;
          },
          { what: `${n.role} at seq ${head}` },
        ),
      ),
    );
    assert.equal(atHead[1], atHead[0], "learn node = all node");
    assert.equal(atHead[2], atHead[0], "serve node = all node");
    const replay = await replayExport(SHARED_REDIS, prefix, "m");
    assert.equal(replay.seq, head);
    assert.equal(atHead[0], replay.text, "a sequential replay of the stream gives the same bytes");
    assert.equal(JSON.parse(atHead[0]!).learned, distinct, "every example once");
  });

  it("a serve node never holds a lease nor writes a checkpoint; the learn or all node does", async () => {
    const details = await send(server.url, "GET", "/v1/models/m");
    assert.equal(details.status, 200);
    assert.ok(details.body.checkpoints.count > 0, "checkpoints were taken");
    assert.equal(details.body.cluster.role, "serve");
    const holder = details.body.cluster.lease?.node;
    assert.ok(holder === all.id || holder === learner.id, `lease held by ${holder}`);
    const redis = testClient(SHARED_REDIS);
    try {
      const keys = new KeySpace(prefix);
      const gen = Number(await redis.hget(keys.model("m", 0).meta, "gen"));
      const stats = await redis.hgetall(keys.model("m", gen).stats);
      assert.ok(stats.node === all.id || stats.node === learner.id, `stats written by ${stats.node}`);
      assert.notEqual(stats.node, server.id);
    } finally {
      redis.disconnect();
    }
    // A learn node answers no predictions (its role), and says so.
    const p = await send(learner.url, "POST", "/v1/models/m/predict", { x: X(1) });
    assert.equal(p.status, 503, p.text);
    assert.equal(p.body.code, "BROOK_UNAVAILABLE");
  });

  it("read-your-writes across nodes: min_version waits for the other node's copy", async () => {
    for (let i = 0; i < 20; i++) {
      const w = await send(nodes[i % 3]!.url, "POST", "/v1/models/m/learn", { x: X(i), y: Y(i) });
      assert.equal(w.status, 200, w.text);
      const reader = [all, server][i % 2]!;
      const r = await send(reader.url, "POST", "/v1/models/m/predict", {
        x: X(i + 1),
        min_version: w.body.version,
      });
      assert.equal(r.status, 200, r.text);
      assert.ok(r.body.version >= w.body.version);
    }
  });

  it("created on one node, served by all; deleted on another, gone everywhere, learns in flight 404", async () => {
    const c = await send(server.url, "PUT", "/v1/models/d", { spec: "StandardScaler | LogisticRegression" });
    assert.equal(c.status, 201, c.text);
    for (const n of nodes)
      await eventually(async () => (await send(n.url, "GET", "/v1/models/d")).status === 200, {
        what: "d everywhere",
      });
    const statuses: number[] = [];
    let deleted = false;
    const writer = async (l: number) => {
      for (let i = 0; i < 30; i++) {
        const r = await send(nodes[(l + i) % 3]!.url, "POST", "/v1/models/d/learn", { x: X(i), y: Y(i) });
        statuses.push(r.status);
        if (deleted && r.status === 404) return;
      }
    };
    const writers = [0, 1, 2].map(writer);
    await eventually(() => statuses.length >= 10, { what: "learns under way" });
    const del = await send(learner.url, "DELETE", "/v1/models/d");
    assert.equal(del.status, 204, del.text);
    deleted = true;
    await Promise.all(writers);
    assert.deepEqual(
      statuses.filter((s) => s !== 200 && s !== 404),
      [],
      "every learn was learned or found the model gone",
    );
    for (const n of nodes)
      await eventually(async () => (await send(n.url, "GET", "/v1/models/d")).status === 404, {
        what: `d gone from ${n.role}`,
      });
    const after = await send(all.url, "POST", "/v1/models/d/learn", { x: X(0), y: Y(0) });
    assert.equal(after.status, 404);
  });
});

describe("the lease holder killed with SIGKILL", () => {
  const prefix = testPrefix("lease");
  const TTL = 1500;
  const flags = ["--lease-ttl-ms", String(TTL), "--checkpoint-every", "30", "--checkpoint-keep", "2"];
  let nodes: TestNode[] = [];
  after(async () => {
    await Promise.all(nodes.map(stopNode));
    await dropPrefix(SHARED_REDIS, prefix);
  });

  const lease = async (n: TestNode) => (await send(n.url, "GET", "/v1/models/default")).body.cluster.lease;
  const learnSome = async (n: TestNode, from: number, count: number) => {
    let version = 0;
    for (let i = from; i < from + count; i++) {
      const r = await send(n.url, "POST", "/v1/models/default/learn", { x: X(i), y: Y(i) });
      assert.equal(r.status, 200, r.text);
      version = r.body.version;
    }
    return version;
  };

  it("another node takes over within the TTL and checkpoints go on; a fresh node catches up", async () => {
    nodes = [await startNode(SHARED_REDIS, prefix, "all", flags)];
    nodes.push(await startNode(SHARED_REDIS, prefix, "learn", flags));
    await learnSome(nodes[1]!, 0, 100);
    const before = await eventually(async () => (await lease(nodes[0]!)) ?? false, {
      what: "a lease holder",
    });
    const holder = nodes.find((n) => n.id === before.node)!;
    const survivor = nodes.find((n) => n !== holder)!;
    const checkpoints = async () =>
      (await send(survivor.url, "GET", "/v1/models/default/checkpoints")).body.checkpoints;
    await eventually(async () => (await checkpoints()).length > 0, { what: "a checkpoint" });
    await killNode(holder);
    const killed = Date.now();
    const taken = await eventually(
      async () => {
        const l = await lease(survivor);
        return l?.node === survivor.id ? l : false;
      },
      { intervalMs: 20, timeoutMs: 10_000, what: "the survivor holding the lease" },
    );
    const took = Date.now() - killed;
    assert.ok(took <= TTL + 1000, `took over ${took} ms after the kill (TTL ${TTL} ms)`);
    assert.ok(taken.fence > before.fence, "a newer fencing token");
    const last = (await checkpoints()).at(-1);
    const version = await learnSome(survivor, 100, 80);
    const next = await eventually(
      async () => {
        const c = (await checkpoints()).at(-1);
        return c && c.seq > (last?.seq ?? 0) ? c : false;
      },
      { what: "a checkpoint by the new holder" },
    );
    assert.ok(next.version <= version);
    // The log was trimmed below the oldest kept checkpoint: a fresh node needs a checkpoint.
    const redis = testClient(SHARED_REDIS);
    const keys = new KeySpace(prefix);
    const gen = Number(await redis.hget(keys.model("default", 0).meta, "gen"));
    const first = Number(await redis.hget(keys.model("default", gen).meta, "first"));
    redis.disconnect();
    assert.ok(first > 1, `the log was trimmed (first seq ${first})`);
    const fresh = await startNode(SHARED_REDIS, prefix, "serve", flags);
    nodes.push(fresh);
    const want = (await send(survivor.url, "GET", `/v1/models/default/export?min_version=${version}`)).text;
    const got = await send(fresh.url, "GET", `/v1/models/default/export?min_version=${version}`);
    assert.equal(got.status, 200, got.text);
    assert.equal(got.text, want, "the fresh node has the same model");
  });
});
