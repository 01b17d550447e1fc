/**
 * Backups of the lease holder's checkpoints, to a folder and to S3-compatible storage (a local
 * s3rver, path-style), and restores from them into an empty Redis: with `brook restore`, and by
 * a node that starts on an empty Redis with `--backup`. A restored model is the one backed up,
 * bit for bit (its export), and learning goes on from it; a restore into a Redis that holds
 * models is refused.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { featuresText } from "../../src/codec/events.js";
import { loadStream } from "../../src/data/datasets.js";
import { listBackups, loadBackupRegistry } from "../../src/store/backup/backups.js";
import { backupTarget } from "../../src/store/backup/target.js";
import { send, startNode, stopNode, type TestNode } from "../helpers/nodes.js";
import { runBrook } from "../helpers/process.js";
import { dropPrefix, SHARED_REDIS, testPrefix } from "../helpers/redis.js";
import { type LocalS3, localS3 } from "../helpers/s3.js";
import { tempDir } from "../helpers/tmp.js";
import { eventually } from "../helpers/wait.js";

const rows = loadStream("phishing").rows;
const X = (i: number) => JSON.parse(featuresText(rows[i % rows.length]!.x)) as Record<string, number>;
const Y = (i: number) => rows[i % rows.length]!.y;
const FLAGS = ["--checkpoint-every", "25", "--backup-interval", "1", "--lease-ttl-ms", "1000"];

/** Learns `count` rows on a node with a backup, stops it (final checkpoint and backup): its export then. */
async function backedUp(prefix: string, backup: string, env: Record<string, string>, extra: string[] = []) {
  const node = await startNode(SHARED_REDIS, prefix, "all", [...FLAGS, "--backup", backup, ...extra], env);
  try {
    for (let i = 0; i < 60; i++) {
      const r = await send(node.url, "POST", "/v1/models/default/learn", { x: X(i), y: Y(i) });
      assert.equal(r.status, 200, r.text);
    }
    const p = await send(node.url, "POST", "/v1/models/default/predict", { x: X(99), id: "late-1" });
    assert.equal(p.status, 200, p.text);
    return (await send(node.url, "GET", "/v1/models/default/export")).text;
  } finally {
    assert.equal(await stopNode(node), 0, node.output());
  }
}

/** A node on a restored prefix answers the same export, then learns on (and takes the late label). */
async function checkRestored(node: TestNode, exported: string): Promise<void> {
  const got = await send(node.url, "GET", "/v1/models/default/export");
  assert.equal(got.text, exported, "the restored model is the one backed up");
  const label = await send(node.url, "POST", "/v1/models/default/learn", { id: "late-1", y: true });
  assert.equal(label.status, 200, `the waiting prediction came back too: ${label.text}`);
  assert.equal(label.body.version, JSON.parse(exported).version + 1);
}

describe("backups to a folder", () => {
  const tmp = tempDir();
  const prefixes = [testPrefix("bk-a"), testPrefix("bk-b"), testPrefix("bk-c")];
  const nodes: TestNode[] = [];
  after(async () => {
    await Promise.all(nodes.map(stopNode));
    for (const p of prefixes) await dropPrefix(SHARED_REDIS, p);
    tmp.remove();
  });

  it("the holder backs checkpoints up; brook restore and a node on an empty Redis restore them", async () => {
    const exported = await backedUp(prefixes[0]!, tmp.dir, {});
    const target = await backupTarget(tmp.dir, { endpoint: "" });
    const backups = await listBackups(target, "default");
    assert.ok(backups.length > 0, "backed up");
    assert.equal(backups.at(-1)!.seq, JSON.parse(exported).seq, "the final checkpoint is backed up");
    assert.deepEqual(
      (await loadBackupRegistry(target))!.map((r) => r.name),
      ["default"],
    );
    const restore = await runBrook([
      "restore",
      "--from",
      tmp.dir,
      "--store",
      SHARED_REDIS,
      "--redis-prefix",
      prefixes[1]!,
    ]);
    assert.equal(restore.code, 0, restore.stderr);
    assert.match(restore.stdout, /restored model "default" at seq \d+/);
    const refused = await runBrook([
      "restore",
      "--from",
      tmp.dir,
      "--store",
      SHARED_REDIS,
      "--redis-prefix",
      prefixes[1]!,
    ]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /already holds Brook data/);
    const node = await startNode(SHARED_REDIS, prefixes[1]!, "serve", FLAGS);
    nodes.push(node);
    await checkRestored(node, exported);
    // A node of role all with --backup restores an empty Redis by itself.
    const auto = await startNode(SHARED_REDIS, prefixes[2]!, "all", [...FLAGS, "--backup", tmp.dir]);
    nodes.push(auto);
    await checkRestored(auto, exported);
  });
});

describe("backups to S3-compatible storage (s3rver, path-style)", () => {
  let s3: LocalS3;
  const prefixes = [testPrefix("s3-a"), testPrefix("s3-b")];
  const nodes: TestNode[] = [];
  before(async () => {
    s3 = await localS3("brook-backups");
  });
  after(async () => {
    await Promise.all(nodes.map(stopNode));
    for (const p of prefixes) await dropPrefix(SHARED_REDIS, p);
    await s3?.close();
  });

  it("backs up to s3://bucket/prefix and restores from it", async () => {
    const where = "s3://brook-backups/deploy-1";
    const exported = await backedUp(prefixes[0]!, where, s3.env, ["--s3-endpoint", s3.endpoint]);
    const saved = { ...process.env };
    Object.assign(process.env, s3.env);
    try {
      const target = await backupTarget(where, { endpoint: s3.endpoint });
      await eventually(async () => (await listBackups(target, "default")).length > 0, {
        what: "an object in S3",
      });
    } finally {
      process.env = saved;
    }
    const restore = await runBrook(
      [
        "restore",
        "--from",
        where,
        "--s3-endpoint",
        s3.endpoint,
        "--store",
        SHARED_REDIS,
        "--redis-prefix",
        prefixes[1]!,
      ],
      s3.env,
    );
    assert.equal(restore.code, 0, restore.stderr);
    const node = await startNode(SHARED_REDIS, prefixes[1]!, "serve", FLAGS);
    nodes.push(node);
    await checkRestored(node, exported);
  });
});
