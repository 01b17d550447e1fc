/**
 * `brook doctor` reports a data folder without touching it (exit 0 healthy, 1 problems);
 * `brook repair` cuts a log explicitly, keeping a copy of what it cuts; a corrupt log stops
 * `brook serve` with one line naming file, byte and seq.
 */
import assert from "node:assert/strict";
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { loadConfig } from "../../src/config/config.js";
import { loadStream } from "../../src/data/datasets.js";
import { Engine } from "../../src/runtime/engine.js";
import { engineOptions, storageFor } from "../../src/runtime/open.js";
import { freePort, runBrook } from "../helpers/process.js";
import { tempDir } from "../helpers/tmp.js";
import { offsetOf } from "../store/segment-bytes.js";

const rows = loadStream("phishing").rows;

describe("brook doctor and brook repair", { timeout: 120_000 }, () => {
  let tmp: ReturnType<typeof tempDir>;
  let segment: string;
  const config = () => loadConfig({ dataDir: tmp.dir, logLevel: "silent", checkpointEvery: 30 }, {});
  beforeEach(async () => {
    tmp = tempDir();
    const engine = await Engine.open(storageFor(config()), engineOptions(config()));
    for (const r of rows.slice(0, 50)) await engine.writer("default").learn([{ x: r.x, y: r.y }]);
    await engine.close({ checkpoint: false });
    segment = join(tmp.dir, "models", "default", "log", "00000000000000000001.seg");
  });
  afterEach(() => tmp.remove());

  it("a healthy folder: exit 0, segments, events, head seq, checkpoints that load, registry, lock", async () => {
    const r = await runBrook(["doctor", "--data-dir", tmp.dir]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /registry: ok, 1 model/);
    assert.match(r.stdout, /lock: free/);
    assert.match(r.stdout, /model "default": ok/);
    assert.match(r.stdout, /log: 1 segment\(s\), 50 event\(s\), seq 1 to 50/);
    assert.match(r.stdout, /checkpoint seq 30 version 30, \d+ bytes: loads/);
    assert.match(r.stdout, /healthy$/m);
    const json = JSON.parse((await runBrook(["doctor", "--data-dir", tmp.dir, "--json"])).stdout);
    assert.equal(json.models[0].headSeq, 50);
    assert.deepEqual(json.problems, []);
  });

  it("a torn tail is reported (with byte and seq) but is not a problem: the next start cuts it", async () => {
    const size = readFileSync(segment).length;
    appendFileSync(segment, Buffer.from([200, 0, 0, 0, 1, 2, 3]));
    const r = await runBrook(["doctor", "--data-dir", tmp.dir]);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, new RegExp(`torn tail: ${segment} at byte ${size}, seq 51, 7 byte`));
  });

  it("a checkpoint that does not load is a problem (exit 1)", async () => {
    const ckpt = join(tmp.dir, "models", "default", "checkpoints", "00000000000000000030.ckpt");
    writeFileSync(ckpt, readFileSync(ckpt).subarray(0, -10)); // truncated: fails its checksum
    const r = await runBrook(["doctor", "--data-dir", tmp.dir]);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /checkpoint seq 30 version 30, \d+ bytes: DOES NOT LOAD/);
  });

  it("corruption: doctor exits 1 naming file, byte and seq; serve refuses in one line and changes nothing; repair cuts it, keeping a copy", async () => {
    const original = readFileSync(segment);
    const at = offsetOf(original, 20);
    const damaged = Buffer.from(original);
    damaged.writeUInt32LE(damaged.readUInt32LE(at) + 1_000_000, at);
    writeFileSync(segment, damaged);
    const doc = await runBrook(["doctor", "--data-dir", tmp.dir]);
    assert.equal(doc.code, 1, doc.stdout);
    assert.match(doc.stdout, new RegExp(`CORRUPT: ${segment} at byte ${at}, seq 20`));
    assert.match(doc.stdout, /brook repair --data-dir .* --model default --truncate-at 20/);

    const port = await freePort();
    const serve = await runBrook(["serve", "--workers", "1", "--port", String(port), "--data-dir", tmp.dir], {
      BROOK_LOG_LEVEL: "warn",
    });
    assert.notEqual(serve.code, 0);
    assert.equal(serve.stderr.trim().split("\n").length, 1, serve.stderr);
    assert.match(serve.stderr, new RegExp(`${segment}: the record of seq 20 at byte ${at} is corrupt`));
    assert.deepEqual(readFileSync(segment), damaged, "the start changed nothing");

    const repair = await runBrook([
      "repair",
      "--data-dir",
      tmp.dir,
      "--model",
      "default",
      "--truncate-at",
      "20",
    ]);
    assert.equal(repair.code, 0, repair.stderr);
    assert.match(repair.stdout, /cut 0 event\(s\), \d+ byte\(s\) from seq 20; the log now ends at seq 19/);
    const logFiles = readdirSync(join(tmp.dir, "models", "default", "log"));
    const copy = logFiles.find((f) => f.startsWith("00000000000000000001.seg.cut-20-"));
    assert.ok(copy, logFiles.join());
    assert.deepEqual(
      readFileSync(join(tmp.dir, "models", "default", "log", copy!)),
      damaged.subarray(at),
      "every cut byte kept",
    );
    assert.equal(readFileSync(segment).length, at);
    const ckpts = readdirSync(join(tmp.dir, "models", "default", "checkpoints"));
    assert.ok(
      ckpts.some((f) => f.startsWith("00000000000000000030.ckpt.cut-20-")),
      "the checkpoint past the cut is kept aside",
    );
    assert.ok(!ckpts.includes("00000000000000000030.ckpt"));

    const after = await runBrook(["doctor", "--data-dir", tmp.dir]);
    assert.equal(after.code, 0, after.stdout);
    const engine = await Engine.open(storageFor(config()), engineOptions(config()));
    try {
      const w = engine.writer("default");
      assert.equal(w.model.seq, 19);
      assert.deepEqual(w.replayTo(19, true).export(), w.model.export());
    } finally {
      await engine.close({ checkpoint: false });
    }
  });

  it("repair cuts good events too when asked (kept aside), and refuses a cut past damage", async () => {
    const r = await runBrook(["repair", "--data-dir", tmp.dir, "--model", "default", "--truncate-at", "41"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /cut 10 event\(s\)/);
    const bad = await runBrook([
      "repair",
      "--data-dir",
      tmp.dir,
      "--model",
      "default",
      "--truncate-at",
      "45",
    ]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /the log ends at seq 40; there is nothing to cut/);
    const none = await runBrook(["repair", "--data-dir", tmp.dir, "--model", "nope", "--truncate-at", "1"]);
    assert.match(none.stderr, /there is no model folder/);
  });
});
