/**
 * `brook serve --workers 2`: learns arrive at every worker and are applied by the single
 * writer; every replica converges to exactly the writer's state, which equals a sequential
 * replay of the log; same x at the same version predicts the same from every worker; killing a
 * worker mid-load loses no acknowledged example, and a new worker takes its place.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { loadConfig } from "../../src/config/config.js";
import { loadStream } from "../../src/data/datasets.js";
import { Engine } from "../../src/runtime/engine.js";
import { engineOptions, storageFor } from "../../src/runtime/open.js";
import { type ServerProcess, spawnServer } from "../helpers/process.js";
import { tempDir } from "../helpers/tmp.js";
import { eventually } from "../helpers/wait.js";

const rows = loadStream("phishing").rows;
const obj = (x: ReadonlyMap<string, unknown>) => Object.fromEntries(x);

/** A request on a new connection, so that the cluster hands it to the next worker. */
async function fresh(url: string, method: string, path: string, body?: unknown) {
  const res = await fetch(url + path, {
    method,
    headers: { "content-type": "application/json", connection: "close" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  return { status: res.status, worker: res.headers.get("x-brook-worker"), body: (await res.json()) as any };
}

/** One response from each worker (new connections until both have answered). */
async function fromEachWorker(url: string, method: string, path: string, body?: unknown) {
  const seen = new Map<string, any>();
  for (let i = 0; i < 50 && seen.size < 2; i++) {
    const r = await fresh(url, method, path, body);
    if (r.worker && !seen.has(r.worker)) seen.set(r.worker, r);
  }
  assert.equal(seen.size, 2, "both workers answered");
  return [...seen.values()];
}

async function waitConverged(url: string, version: number): Promise<void> {
  await eventually(
    async () => {
      const d = (await fresh(url, "GET", "/v1/models/default")).body;
      return (
        d.version >= version &&
        d.replicas.length === 2 &&
        d.replicas.every((r: any) => r.replica_lag_events === 0)
      );
    },
    { timeoutMs: 20_000, intervalMs: 25, what: "replicas converged" },
  );
}

describe("a 2-worker cluster", () => {
  let tmp: ReturnType<typeof tempDir>;
  let server: ServerProcess;
  const flags = () => ["--workers", "2", "--data-dir", tmp.dir, "--checkpoint-every", "400"];
  before(async () => {
    tmp = tempDir();
    server = await spawnServer(flags(), {}, 2);
  });
  after(async () => {
    server.child.kill("SIGKILL");
    tmp.remove();
  });

  it("concurrent learns over both workers: replicas converge to the writer's state, identical to a replay of the log", async () => {
    let next = 0;
    const acked: number[] = [];
    const workersSeen = new Set<string>();
    const client = async () => {
      while (next < 600) {
        const r = rows[next++ % rows.length]!;
        const res = await fresh(server.url, "POST", "/v1/models/default/learn", { x: obj(r.x), y: r.y });
        assert.equal(res.status, 200);
        acked.push(res.body.version);
        workersSeen.add(res.worker!);
      }
    };
    await Promise.all(Array.from({ length: 12 }, client));
    assert.equal(workersSeen.size, 2, "learns arrived at both workers");
    assert.equal(new Set(acked).size, 600, "every learn got its own version");
    await waitConverged(server.url, 600);
    const exports = await fromEachWorker(server.url, "GET", "/v1/models/default/export");
    assert.equal(exports[0].body.version, 600);
    assert.deepEqual(exports[0].body, exports[1].body, "both replicas export the same state");
    // Same x, same version, same answer from every worker (read-your-writes with min_version).
    for (const r of rows.slice(700, 705)) {
      const answers = await fromEachWorker(server.url, "POST", "/v1/models/default/predict", {
        x: obj(r.x),
        min_version: 600,
      });
      assert.deepEqual(answers[0].body, answers[1].body);
    }
    // The writer's state (recovered from the log after a graceful stop) equals the replicas',
    // and equals a replay of the whole log from scratch.
    server.child.kill("SIGTERM");
    assert.equal(await server.exited(), 0, server.output());
    const engine = await Engine.open(
      storageFor(loadConfig({ dataDir: tmp.dir, logLevel: "silent" }, {})),
      engineOptions(loadConfig({}, {})),
    );
    try {
      const writer = engine.writer("default");
      assert.deepEqual(JSON.parse(JSON.stringify(writer.model.export())), exports[0].body);
      assert.deepEqual(writer.replayTo(writer.model.seq, true).export(), writer.model.export());
    } finally {
      await engine.close({ checkpoint: false });
    }
    server = await spawnServer(flags(), {}, 2);
  });

  it("when the writer process dies, the workers exit too (never serving without their writer)", {
    timeout: 30_000,
  }, async () => {
    const other = await spawnServer(["--workers", "2", "--store", "memory"], {}, 2);
    const workers = execFileSync("ps", ["-o", "pid=", "--ppid", String(other.child.pid)], {
      encoding: "utf8",
    })
      .split("\n")
      .map((s) => Number(s.trim()))
      .filter((n) => n > 0);
    assert.equal(workers.length, 2);
    other.child.kill("SIGKILL");
    await other.exited();
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await eventually(() => !workers.some(alive), { timeoutMs: 10_000, what: "every worker exited" });
    assert.deepEqual(workers.filter(alive), [], "no worker outlives the writer");
    await assert.rejects(fetch(`${other.url}/healthz`), "nothing answers on the port any more");
  });

  it("a worker killed mid-load loses no acknowledged example and is replaced", {
    timeout: 60_000,
  }, async () => {
    const start = (await fresh(server.url, "GET", "/v1/models/default")).body.version as number;
    const pids = execFileSync("ps", ["-o", "pid=", "--ppid", String(server.child.pid)], { encoding: "utf8" })
      .split("\n")
      .map((s) => Number(s.trim()))
      .filter((n) => n > 0);
    assert.equal(pids.length, 2, "two worker processes");
    const acked = new Set<string>();
    let counter = 0;
    let stop = false;
    const client = async (c: number) => {
      while (!stop) {
        const eid = `k${c}-${counter++}`;
        const r = rows[counter % rows.length]!;
        // Retry on a dropped connection, as a client would; the event id makes it idempotent.
        for (let attempt = 0; attempt < 20; attempt++) {
          try {
            const res = await fresh(server.url, "POST", "/v1/models/default/learn", {
              x: obj(r.x),
              y: r.y,
              event_id: eid,
            });
            if (res.status === 200) acked.add(eid);
            break;
          } catch {
            await new Promise((res) => setTimeout(res, 50));
          }
        }
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, (_, c) => client(c)));
    // Kill a worker once learns are flowing, and stop the load once more have been acknowledged.
    await eventually(() => acked.size >= 20, { what: "learns acknowledged before the kill" });
    process.kill(pids[0]!, "SIGKILL");
    const killedAt = acked.size;
    await eventually(() => acked.size >= killedAt + 100, {
      timeoutMs: 30_000,
      what: "learns after the kill",
    }).catch((err: Error) => {
      stop = true;
      throw new Error(
        `${err.message} (${acked.size - killedAt} acknowledged)\n${server.output().slice(-4000)}`,
      );
    });
    stop = true;
    await load;
    // The dead worker's connections are gone; a new one may still be starting: ask until answered.
    const info = await eventually(async () => (await fresh(server.url, "GET", "/v1/models/default")).body, {
      what: "the server answers after the kill",
    });
    assert.equal(info.version, start + acked.size, "every acknowledged learn applied once");
    const after = await eventually(
      () => {
        const pids = execFileSync("ps", ["-o", "pid=", "--ppid", String(server.child.pid)], {
          encoding: "utf8",
        })
          .split("\n")
          .map((s) => Number(s.trim()))
          .filter((n) => n > 0);
        return pids.length === 2 && pids;
      },
      { timeoutMs: 20_000, what: "a new worker replaced the dead one" },
    );
    assert.ok(!after.includes(pids[0]!));
    await waitConverged(server.url, info.version);
    const exports = await fromEachWorker(server.url, "GET", "/v1/models/default/export");
    assert.deepEqual(exports[0].body, exports[1].body);
  });
});
