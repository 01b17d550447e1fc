/**
 * Disk errors as a client and an operator see them: every write the disk refuses is answered
 * 507 (full) or 503 (any other errno) naming the cause, never 500; the engine reports itself
 * not ready; writes resume by themselves once the disk works; admin operations are all or
 * nothing on disk (a DELETE the disk refuses leaves the model served and stored).
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { loadConfig } from "../../src/config/config.js";
import { loadStream } from "../../src/data/datasets.js";
import { Engine } from "../../src/runtime/engine.js";
import { engineOptions } from "../../src/runtime/open.js";
import { startBrook } from "../../src/server/start.js";
import { FileStorage } from "../../src/store/file/storage.js";
import { call } from "../helpers/server.js";
import { tempDir } from "../helpers/tmp.js";
import { FaultyFiles, until } from "./faulty-files.js";

const rows = loadStream("phishing").rows;
const config = loadConfig({ store: "file", logLevel: "silent", checkpointEvery: 1_000_000 }, {});
const obj = (x: ReadonlyMap<string, unknown>) => Object.fromEntries(x);

describe("disk errors", () => {
  let tmp: ReturnType<typeof tempDir>;
  let files: FaultyFiles;
  let engine: Engine | undefined;
  beforeEach(() => {
    tmp = tempDir();
    files = new FaultyFiles();
  });
  afterEach(async () => {
    await engine?.close({ checkpoint: false });
    engine = undefined;
    tmp.remove();
  });

  const storage = () =>
    new FileStorage(tmp.dir, {
      fsync: "always",
      fsyncIntervalMs: 50,
      segmentBytes: 1 << 20,
      retryMs: 20,
      files,
    });
  const open = async () => {
    engine = await Engine.open(storage(), engineOptions(config));
    return engine;
  };
  const learn = (e: Engine, i: number) => e.writer("default").learn([{ x: rows[i]!.x, y: rows[i]!.y }]);
  /** A path the next atomic write of `file` uses, made a folder so that the write fails (EISDIR). */
  const blockAtomicWrite = (file: string) => {
    const tmpPath = `${file}.tmp-${process.pid}`;
    mkdirSync(tmpPath, { recursive: true });
    return () => rmSync(tmpPath, { recursive: true, force: true });
  };

  for (const [errno, code, status] of [
    ["ENOSPC", "BROOK_DISK_FULL", 507],
    ["EIO", "BROOK_STORAGE_UNAVAILABLE", 503],
    ["EROFS", "BROOK_STORAGE_UNAVAILABLE", 503],
  ] as const) {
    it(`${errno}: learns answer ${status} ${code}, readiness turns false, and both come back by themselves`, async () => {
      const e = await open();
      for (let i = 0; i < 5; i++) await learn(e, i);
      assert.deepEqual(e.health(), { ready: true, problems: [] });
      files.fail("write", errno);
      await assert.rejects(learn(e, 5), (err: any) => {
        assert.equal(err.code, code);
        assert.equal(err.statusCode, status);
        assert.match(err.message, errno === "ENOSPC" ? /disk is full/ : new RegExp(errno));
        return true;
      });
      assert.equal(e.writer("default").model.version, 5, "nothing applied");
      const h = e.health();
      assert.equal(h.ready, false);
      assert.equal(h.problems[0]!.model, "default");
      assert.equal(h.problems[0]!.code, code);
      files.repair();
      await until(() => e.health().ready, "readiness to come back");
      assert.equal((await learn(e, 5)).version, 6);
      const version = e.writer("default").model.export();
      await e.close({ checkpoint: false });
      engine = await Engine.open(storage(), engineOptions(config));
      assert.deepEqual(
        engine.writer("default").model.export(),
        version,
        "restart finds exactly what was acknowledged",
      );
    });
  }

  it("over HTTP: a full disk is a 507 problem naming the cause, then writes resume (never a 500)", async () => {
    const brook = await startBrook(
      loadConfig(
        { store: "file", dataDir: tmp.dir, logLevel: "silent", port: 0, host: "127.0.0.1", workers: 1 },
        {},
      ),
      storage(),
    );
    try {
      const body = { x: obj(rows[0]!.x), y: rows[0]!.y };
      assert.equal((await call(brook.url, "POST", "/v1/models/default/learn", body)).status, 200);
      files.fail("datasync", "ENOSPC");
      const full = await call(brook.url, "POST", "/v1/models/default/learn", body);
      assert.equal(full.status, 507);
      assert.equal(full.body.code, "BROOK_DISK_FULL");
      assert.match(full.body.error, /disk is full/);
      const orig = await call(brook.url, "PUT", "/update_model", body);
      assert.equal(orig.status, 507);
      const predict = await call(brook.url, "POST", "/v1/models/default/predict", { x: obj(rows[0]!.x) });
      assert.equal(predict.status, 200, "reads keep being served");
      files.repair();
      const deadline = Date.now() + 5000;
      let res = full;
      while (res.status !== 200 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
        res = await call(brook.url, "POST", "/v1/models/default/learn", body);
      }
      assert.equal(res.status, 200);
      assert.equal(res.body.version, 2);
    } finally {
      await brook.close();
    }
  });

  it("a DELETE the disk refuses leaves the model served and stored, also after a restart", async () => {
    const e = await open();
    await e.create("m", "StandardScaler | LogisticRegression", ["ROCAUC"]);
    await e.writer("m").learn([{ x: rows[0]!.x, y: rows[0]!.y }]);
    const unblock = blockAtomicWrite(join(tmp.dir, "registry.json"));
    await assert.rejects(e.delete("m"), { code: "BROOK_STORAGE_UNAVAILABLE", statusCode: 503 });
    assert.equal(e.writer("m").model.version, 1, "still served");
    await e.writer("m").learn([{ x: rows[1]!.x, y: rows[1]!.y }]);
    await e.close({ checkpoint: false });
    engine = await Engine.open(storage(), engineOptions(config));
    assert.equal(engine.writer("m").model.version, 2, "still stored");
    unblock();
    await engine.delete("m");
    assert.throws(() => engine!.writer("m"), { code: "BROOK_MODEL_NOT_FOUND" });
    assert.equal(existsSync(join(tmp.dir, "models", "m")), false);
  });

  it("a PUT the disk refuses creates nothing (no model, no folder), and answers 503", async () => {
    const e = await open();
    const unblock = blockAtomicWrite(join(tmp.dir, "registry.json"));
    await assert.rejects(e.create("m", "StandardScaler | LogisticRegression", ["ROCAUC"]), {
      code: "BROOK_STORAGE_UNAVAILABLE",
    });
    assert.throws(() => e.writer("m"), { code: "BROOK_MODEL_NOT_FOUND" });
    assert.equal(existsSync(join(tmp.dir, "models", "m")), false);
    unblock();
    await e.create("m", "StandardScaler | LogisticRegression", ["ROCAUC"]);
    assert.equal(e.writer("m").model.version, 0);
  });

  it("a checkpoint the disk refuses answers 503, shows in health (still ready), and the next one clears it", async () => {
    const e = await open();
    for (let i = 0; i < 3; i++) await learn(e, i);
    const unblock = blockAtomicWrite(
      join(tmp.dir, "models", "default", "checkpoints", `${String(3).padStart(20, "0")}.ckpt`),
    );
    await assert.rejects(e.writer("default").checkpoint(), {
      code: "BROOK_STORAGE_UNAVAILABLE",
      statusCode: 503,
    });
    const h = e.health();
    assert.equal(h.ready, true, "learns still work: the log has everything");
    assert.equal(h.problems[0]!.kind, "checkpoint");
    unblock();
    await e.writer("default").checkpoint();
    assert.deepEqual(e.health().problems, []);
  });

  it("rollback and import the disk refuses change nothing and answer 507", async () => {
    const e = await open();
    for (let i = 0; i < 3; i++) await learn(e, i);
    await e.writer("default").checkpoint();
    for (let i = 3; i < 6; i++) await learn(e, i);
    const before = JSON.stringify(e.writer("default").model.export());
    files.fail("write", "ENOSPC");
    await assert.rejects(e.writer("default").rollback(3), { code: "BROOK_DISK_FULL", statusCode: 507 });
    await assert.rejects(e.writer("default").import(e.writer("default").model.export()), {
      code: "BROOK_DISK_FULL",
    });
    assert.equal(JSON.stringify(e.writer("default").model.export()), before);
    files.repair();
    await until(() => e.health().ready, "readiness");
    assert.equal((await e.writer("default").rollback(3)).checkpoint.seq, 3);
  });
});
