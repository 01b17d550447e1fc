/**
 * A full disk, for real: the data folder on a 2 MB tmpfs (needs root and `mount`; skipped with
 * the reason otherwise). Learning until the disk is full answers 507; every acknowledged
 * example survives `kill -9` once space is freed; a server that stays up accepts writes again,
 * and its health comes back, as soon as there is room.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadConfig } from "../../src/config/config.js";
import { loadStream } from "../../src/data/datasets.js";
import { Engine } from "../../src/runtime/engine.js";
import type { LocalBackend } from "../../src/runtime/local-backend.js";
import { engineOptions, storageFor } from "../../src/runtime/open.js";
import { startBrook } from "../../src/server/start.js";
import { FileEventLog } from "../../src/store/file/segmented-log.js";
import { spawnServer } from "../helpers/process.js";
import { call } from "../helpers/server.js";
import { tempDir } from "../helpers/tmp.js";
import { until } from "./faulty-files.js";

const rows = loadStream("phishing").rows;
const obj = (x: ReadonlyMap<string, unknown>) => Object.fromEntries(x);

/** Mounts a tmpfs of `size` at a new folder, or says why it cannot. */
function mountTmpfs(size: string): { dir: string; remount(size: string): void; unmount(): void } | string {
  if (process.getuid?.() !== 0) return "needs root to mount a tmpfs";
  const tmp = tempDir("brook-tmpfs-");
  const dir = join(tmp.dir, "mnt");
  mkdirSync(dir);
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { stdio: "pipe" });
  } catch (err) {
    tmp.remove();
    return `mount -t tmpfs failed: ${(err as Error).message.split("\n")[0]}`;
  }
  return {
    dir,
    remount: (s) => execFileSync("mount", ["-o", `remount,size=${s}`, dir], { stdio: "pipe" }),
    unmount: () => {
      execFileSync("umount", [dir], { stdio: "pipe" });
      tmp.remove();
    },
  };
}

const probe = mountTmpfs("64k");
const skip = typeof probe === "string" ? probe : false;
if (typeof probe !== "string") probe.unmount();
if (skip) console.log(`# full-disk tests skipped: ${skip}`);

let counter = 0;
/** One learn of `n` examples with fresh event ids; the status and, if acknowledged, the ids and version. */
async function learnBatch(url: string, n: number) {
  const instances = Array.from({ length: n }, () => {
    const r = rows[counter % rows.length]!;
    counter++;
    return { x: obj(r.x), y: r.y, event_id: `e${counter}` };
  });
  const res = await call(url, "POST", "/v1/models/default/learn", { instances });
  return { res, ids: instances.map((i) => i.event_id) };
}

describe("a full disk, for real (tmpfs)", { skip }, () => {
  it("learn until 507, kill -9, free space, restart: every acknowledged example is there", {
    timeout: 120_000,
  }, async () => {
    const fs = mountTmpfs("2m") as Exclude<ReturnType<typeof mountTmpfs>, string>;
    let server: Awaited<ReturnType<typeof spawnServer>> | undefined;
    try {
      server = await spawnServer(["--workers", "1", "--segment-bytes", "65536", "--retain", "all"], {
        BROOK_DATA_DIR: fs.dir,
      });
      const acked = new Map<string, number>();
      let full = 0;
      for (let i = 0; i < 20_000 && full < 5; i++) {
        const { res, ids } = await learnBatch(server.url, 10);
        if (res.status === 200) for (const id of ids) acked.set(id, res.body.version);
        else {
          assert.equal(res.status, 507, JSON.stringify(res.body));
          assert.equal(res.body.code, "BROOK_DISK_FULL");
          full++;
        }
      }
      assert.equal(full, 5, "the disk filled up");
      assert.ok(acked.size > 1000, `${acked.size} acknowledged before it did`);
      server.child.kill("SIGKILL");
      await server.exited();
      server = undefined;
      fs.remount("8m");
      // Recovered offline: the same code a restart runs.
      const config = loadConfig({ store: "file", dataDir: fs.dir, logLevel: "silent" }, {});
      const engine = await Engine.open(storageFor(config), engineOptions(config));
      try {
        const w = engine.writer("default");
        const inLog = new Set<string>();
        const log = await FileEventLog.open(join(fs.dir, "models", "default", "log"), {
          fsync: "always",
          fsyncIntervalMs: 100,
          segmentBytes: 65536,
        });
        for (const { event } of log.read(log.first))
          if (event.type === "learn" && event.eventId) inLog.add(event.eventId);
        await log.close();
        const missing = [...acked.keys()].filter((id) => !inLog.has(id));
        assert.deepEqual(missing, [], `${missing.length} acknowledged examples are missing`);
        const maxAcked = Math.max(...acked.values());
        assert.ok(
          w.model.version >= maxAcked,
          `recovered version ${w.model.version} < acknowledged ${maxAcked}`,
        );
        assert.deepEqual(
          w.replayTo(w.model.seq, true).export(),
          w.model.export(),
          "recovered = replay from scratch",
        );
      } finally {
        await engine.close({ checkpoint: false });
      }
      // And it serves and learns again.
      server = await spawnServer(["--workers", "1", "--segment-bytes", "65536"], { BROOK_DATA_DIR: fs.dir });
      assert.equal((await learnBatch(server.url, 1)).res.status, 200);
    } finally {
      if (server) {
        server.child.kill("SIGKILL");
        await server.exited();
      }
      fs.unmount();
    }
  });

  it("a running server refuses with 507 while full, reports not ready, and takes writes again once space is freed", {
    timeout: 120_000,
  }, async () => {
    const fs = mountTmpfs("2m") as Exclude<ReturnType<typeof mountTmpfs>, string>;
    let brook: Awaited<ReturnType<typeof startBrook>> | undefined;
    try {
      const filler = join(fs.dir, "filler");
      writeFileSync(filler, Buffer.alloc(1024 * 1024));
      brook = await startBrook(
        loadConfig(
          {
            store: "file",
            dataDir: join(fs.dir, "data"),
            logLevel: "silent",
            port: 0,
            host: "127.0.0.1",
            workers: 1,
            segmentBytes: 65536,
            diskRetryMs: 50,
          },
          {},
        ),
      );
      const engine = (brook.backend as LocalBackend).engine;
      let status = 200;
      let version = 0;
      for (let i = 0; i < 20_000 && status === 200; i++) {
        const { res } = await learnBatch(brook.url, 10);
        status = res.status;
        if (status === 200) version = res.body.version;
      }
      assert.equal(status, 507);
      const h = engine.health();
      assert.equal(h.ready, false);
      assert.equal(h.problems.find((p) => p.kind === "log")?.code, "BROOK_DISK_FULL");
      assert.equal(
        (await call(brook.url, "POST", "/v1/models/default/predict", { x: obj(rows[0]!.x) })).status,
        200,
      );
      rmSync(filler);
      await until(() => engine.health().ready, "health to come back", 10_000);
      const { res } = await learnBatch(brook.url, 10);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(
        res.body.version,
        version + 10,
        "nothing refused was applied; the next write continues right after",
      );
    } finally {
      await brook?.close();
      fs.unmount();
    }
  });
});
