/**
 * The crash test: a server on a temporary data folder takes concurrent learns, is killed with
 * SIGKILL at a random moment, and restarts. Every acknowledged example must be in the log and
 * applied, the recovered state must equal a replay of the whole log from scratch, and the
 * server must serve again. Several random kill points, bounded in time.
 *
 * What it can and cannot detect: SIGKILL ends the process but keeps the kernel's page cache,
 * so everything the process wrote reaches the file whether or not it was fsynced. This test
 * therefore catches acknowledging before writing, lost or reordered appends, a torn record
 * the next start mishandles, checkpoints that run ahead of the log, and recovery that differs
 * from a replay; it cannot catch a missing or misplaced fsync (a power loss would). That is
 * what test/durability/log-faults.test.ts checks instead, by holding and failing datasync
 * through the injectable file layer, and test/durability/full-disk.test.ts with a real full disk.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadConfig } from "../../src/config/config.js";
import { loadStream } from "../../src/data/datasets.js";
import { Engine } from "../../src/runtime/engine.js";
import { engineOptions } from "../../src/runtime/open.js";
import { FileEventLog } from "../../src/store/file/segmented-log.js";
import { FileStorage } from "../../src/store/file/storage.js";
import { type ServerProcess, spawnServer } from "../helpers/process.js";
import { tempDir } from "../helpers/tmp.js";

const ROUNDS = 4;
const rows = loadStream("phishing").rows;
const obj = (x: ReadonlyMap<string, unknown>) => Object.fromEntries(x);
// Small checkpoint period so that kills also land during checkpoints; every segment kept, so
// that the whole log can be searched for the acknowledged examples.
const FLAGS = ["--workers", "1", "--checkpoint-every", "150", "--segment-bytes", "65536", "--retain", "all"];

describe("kill -9 loses nothing acknowledged", () => {
  let tmp: ReturnType<typeof tempDir>;
  let server: ServerProcess | undefined;
  before(() => {
    tmp = tempDir();
  });
  after(() => {
    server?.child.kill("SIGKILL");
    tmp.remove();
  });

  /** Acknowledged event ids and the versions they were acknowledged with, over all rounds. */
  const acked = new Map<string, number>();
  let counter = 0;

  async function drive(url: string, stop: { now: boolean }): Promise<void> {
    const worker = async (w: number) => {
      while (!stop.now) {
        const n = 1 + (counter % 3); // singles and small batches
        const instances = Array.from({ length: n }, () => {
          const r = rows[counter % rows.length]!;
          counter++;
          return { x: obj(r.x), y: r.y, event_id: `e${counter}-w${w}` };
        });
        try {
          const res = await fetch(`${url}/v1/models/default/learn`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ instances }),
          });
          if (res.status === 200) {
            const body = (await res.json()) as { version: number };
            for (const i of instances) acked.set(i.event_id, body.version);
          }
        } catch {
          return; // the server is gone
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, (_, w) => worker(w)));
  }

  async function verifyOffline(): Promise<string> {
    const dataDir = tmp.dir;
    const config = loadConfig(
      {
        store: "file",
        dataDir,
        logLevel: "silent",
        checkpointEvery: "150",
        segmentBytes: "65536",
        retain: "all",
      },
      {},
    );
    const storage = new FileStorage(dataDir, { fsync: "always", fsyncIntervalMs: 100, segmentBytes: 65536 });
    const engine = await Engine.open(storage, engineOptions(config));
    try {
      const writer = engine.writer("default");
      // (a) every acknowledged event is in the log, and applied.
      const log = await FileEventLog.open(join(dataDir, "models", "default", "log"), {
        fsync: "always",
        fsyncIntervalMs: 100,
        segmentBytes: 65536,
      });
      const inLog = new Set<string>();
      for (const { event } of log.read(1))
        if (event.type === "learn" && event.eventId) inLog.add(event.eventId);
      await log.close();
      const missing = [...acked.keys()].filter((eid) => !inLog.has(eid));
      assert.deepEqual(missing, [], `${missing.length} acknowledged events are missing from the log`);
      const maxAcked = Math.max(0, ...acked.values());
      assert.ok(
        writer.model.version >= maxAcked,
        `version ${writer.model.version} < acknowledged ${maxAcked}`,
      );
      assert.equal(writer.model.seq, writer.logHead, "every logged event is applied");
      // (b) the recovered state equals a replay of the whole log from scratch.
      const recovered = writer.model.export();
      assert.deepEqual(writer.replayTo(writer.model.seq, true).export(), recovered);
      return JSON.stringify(recovered.state);
    } finally {
      await engine.close({ checkpoint: false });
    }
  }

  for (let round = 1; round <= ROUNDS; round++) {
    it(`round ${round}: random kill, restart, verify`, { timeout: 60_000 }, async () => {
      server = await spawnServer(FLAGS, { BROOK_DATA_DIR: tmp.dir });
      const stop = { now: false };
      const load = drive(server.url, stop);
      await new Promise((r) => setTimeout(r, 150 + Math.floor(Math.random() * 600)));
      server.child.kill("SIGKILL");
      await server.exited();
      stop.now = true;
      await load;
      assert.ok(acked.size > 0, "the load produced acknowledged learns");
      if (process.env.BROOK_TEST_VERBOSE) console.log(`round ${round}: ${acked.size} acknowledged so far`);
      const state = await verifyOffline();
      // (c) the server starts again on the same data and serves the same model.
      server = await spawnServer(FLAGS, { BROOK_DATA_DIR: tmp.dir });
      const exp = (await (await fetch(`${server.url}/v1/models/default/export`)).json()) as {
        state: unknown;
      };
      assert.equal(JSON.stringify(exp.state), state);
      const p = await fetch(`${server.url}/v1/models/default/predict`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ x: obj(rows[0]!.x) }),
      });
      assert.equal(p.status, 200);
      server.child.kill("SIGTERM");
      assert.equal(await server.exited(), 0, server.output());
      server = undefined;
    });
  }
});
