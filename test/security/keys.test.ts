/**
 * API keys end to end on a real server: keys limited to models (their routes, the listings
 * they see), the learn rate limit (429 with Retry-After, per key) and the refusal counter,
 * keys kept out of logs, a keys file changed while the server runs (rotation), a bad keys file
 * stopping the start, and `brook keys` writing only hashes.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import { createKey, writeKeysFile } from "../../src/cli/commands/keys.js";
import { BrookClient } from "../../src/client/index.js";
import { loadConfig } from "../../src/config/config.js";
import { storageFor } from "../../src/runtime/open.js";
import { generateKey } from "../../src/server/security/keys.js";
import { type Brook, startBrook } from "../../src/server/start.js";
import { ROOT } from "../helpers/process.js";
import { call } from "../helpers/server.js";
import { tempDir } from "../helpers/tmp.js";
import { eventually } from "../helpers/wait.js";

const auth = (key: string) => ({ authorization: `Bearer ${key}` });
const SPEC = { spec: "StandardScaler | LogisticRegression" };

describe("keys limited to models", () => {
  const admin = generateKey(["admin", "predict", "learn"]);
  const onlyA = generateKey(["predict", "learn"], { models: ["a"] });
  let brook: Brook;
  before(async () => {
    const apiKeys = JSON.stringify({ keys: [admin.record, onlyA.record] });
    brook = await startBrook(
      loadConfig(
        { store: "memory", host: "127.0.0.1", port: 0, workers: 1, logLevel: "silent", apiKeys },
        {},
      ),
    );
    for (const name of ["a", "b"])
      assert.equal((await call(brook.url, "PUT", `/v1/models/${name}`, SPEC, auth(admin.key))).status, 201);
  });
  after(() => brook.close());

  it("touch only their models, on every API (the original routes serve the default model)", async () => {
    const x = { x: { f: 1 } };
    assert.equal((await call(brook.url, "POST", "/v1/models/a/predict", x, auth(onlyA.key))).status, 200);
    assert.equal(
      (await call(brook.url, "POST", "/v1/models/a/learn", { ...x, y: true }, auth(onlyA.key))).status,
      200,
    );
    const b = await call(brook.url, "POST", "/v1/models/b/predict", x, auth(onlyA.key));
    assert.equal(b.status, 403);
    assert.match(b.body.error, /may only use the models a$/);
    assert.equal((await call(brook.url, "GET", "/v1/models/b", undefined, auth(onlyA.key))).status, 403);
    assert.equal(
      (await call(brook.url, "POST", "/v2/models/b/infer", { inputs: [] }, auth(onlyA.key))).status,
      403,
    );
    assert.equal((await call(brook.url, "POST", "/predict", x, auth(onlyA.key))).status, 403);
    assert.equal((await call(brook.url, "POST", "/predict", x, auth(admin.key))).status, 200);
  });

  it("see only their models in the list; an unlimited key sees all", async () => {
    const mine = await new BrookClient(brook.url, { apiKey: onlyA.key }).listModels();
    assert.deepEqual(
      mine.map((m) => m.name),
      ["a"],
    );
    const all = await new BrookClient(brook.url, { apiKey: admin.key }).listModels();
    assert.deepEqual(all.map((m) => m.name).sort(), ["a", "b", "default"]);
  });
});

describe("the learn rate limit", () => {
  const k1 = generateKey(["learn", "predict"]);
  const k2 = generateKey(["learn"]);
  let brook: Brook;
  before(async () => {
    const apiKeys = JSON.stringify({ keys: [k1.record, k2.record] });
    // 2 at once, then one every 1000 s: the test never sees a token come back.
    brook = await startBrook(
      loadConfig(
        {
          store: "memory",
          host: "127.0.0.1",
          port: 0,
          workers: 1,
          logLevel: "silent",
          apiKeys,
          learnRate: 0.001,
          learnBurst: 2,
        },
        {},
      ),
    );
  });
  after(() => brook.close());

  it("answers 429 with Retry-After over the burst, per key, only for learning; counted by reason", async () => {
    const learn = (k: string) => call(brook.url, "PUT", "/update_model", { x: { f: 1 }, y: true }, auth(k));
    assert.equal((await learn(k1.key)).status, 200);
    assert.equal((await learn(k1.key)).status, 200);
    const r = await fetch(`${brook.url}/v1/models/default/learn`, {
      method: "POST",
      headers: { ...auth(k1.key), "content-type": "application/json" },
      body: JSON.stringify({ x: { f: 1 }, y: true }),
    });
    assert.equal(r.status, 429);
    assert.equal(r.headers.get("retry-after"), "1000");
    const problem = (await r.json()) as { code: string; retry_after: number };
    assert.equal(problem.code, "BROOK_RATE_LIMITED");
    assert.equal(problem.retry_after, 1000);
    assert.equal((await learn(k2.key)).status, 200, "another key has its own bucket");
    assert.equal(
      (await call(brook.url, "POST", "/predict", { x: { f: 1 } }, auth(k1.key))).status,
      200,
      "predictions are not limited",
    );
    await call(brook.url, "POST", "/predict", { x: { f: 1 } });
    await call(brook.url, "POST", "/predict", { x: { f: 1 } }, auth(k2.key));
    const text = await (await fetch(`${brook.url}/metrics`)).text();
    assert.match(text, /^brook_requests_refused_total\{reason="rate_limit"\} 1$/m);
    assert.match(text, /^brook_requests_refused_total\{reason="missing_key"\} 1$/m);
    assert.match(text, /^brook_requests_refused_total\{reason="scope"\} 1$/m);
  });
});

describe("keys in logs", () => {
  it("never appear, even with request logs on (debug)", async () => {
    const k = generateKey(["predict"]);
    let lines = "";
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines += chunk;
        done();
      },
    });
    const config = loadConfig(
      {
        store: "memory",
        host: "127.0.0.1",
        port: 0,
        workers: 1,
        logLevel: "debug",
        apiKeys: JSON.stringify([k.record]),
      },
      {},
    );
    const brook = await startBrook(config, storageFor(config), pino({ level: "debug" }, sink));
    try {
      await call(brook.url, "POST", "/predict", { x: { f: 1 } }, auth(k.key));
      await call(brook.url, "POST", "/predict", { x: { f: 1 } }, { "x-api-key": `${k.key}x` });
      await call(brook.url, "GET", "/v1/models", undefined, auth(k.key));
    } finally {
      await brook.close();
    }
    assert.match(
      lines,
      /"url":"\/predict","status":200,"ms":[\d.]+,"key":"[0-9a-f]{12}"/,
      "requests were logged with the key's id",
    );
    assert.ok(!lines.includes(k.key.slice(17)), "no key secret in the logs");
  });
});

describe("the keys file", () => {
  let dir: ReturnType<typeof tempDir>;
  before(() => {
    dir = tempDir();
  });
  after(() => dir.remove());

  it("is read again when it changes: a new key works, a deleted one stops working", async () => {
    const path = join(dir.dir, "keys.json");
    const first = createKey(path, "predict");
    const config = loadConfig(
      { store: "memory", host: "127.0.0.1", port: 0, workers: 1, logLevel: "info", keysFile: path },
      {},
    );
    let lines = "";
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines += chunk;
        done();
      },
    });
    const brook = await startBrook(config, storageFor(config), pino({ level: "info" }, sink));
    const predict = (key: string) => call(brook.url, "POST", "/predict", { x: { f: 1 } }, auth(key));
    try {
      assert.equal((await predict(first.key)).status, 200);
      const second = createKey(path, "predict,learn", { label: "rotated" });
      await eventually(async () => (await predict(second.key)).status === 200, {
        what: "the new key accepted",
      });
      writeKeysFile(path, [second.record]);
      await eventually(async () => (await predict(first.key)).status === 401, {
        what: "the old key refused",
      });
      assert.equal((await predict(second.key)).status, 200);
      // A damaged file keeps the keys as they were.
      writeFileSync(path, "{ not json");
      await eventually(() => lines.includes("API keys not reloaded, the previous ones stay"), {
        what: "the damaged file noticed",
      });
      assert.equal((await predict(second.key)).status, 200);
      assert.ok(!lines.includes(second.key.slice(17)), "no key secret in the logs");
    } finally {
      await brook.close();
    }
  });

  it("damaged, or named and missing, stops the start with a message naming it", async () => {
    const bad = join(dir.dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ keys: [{ id: "x" }] }));
    const config = (keysFile: string) =>
      loadConfig(
        { store: "memory", host: "127.0.0.1", port: 0, workers: 1, logLevel: "silent", keysFile },
        {},
      );
    await assert.rejects(startBrook(config(bad)), /bad\.json: keys\[0\]\.id must be 12 hex digits/);
    await assert.rejects(
      startBrook(config(join(dir.dir, "none.json"))),
      /none\.json \(--keys-file\) does not exist/,
    );
  });

  it("brook keys create prints the key once and stores only its hash; list and delete", () => {
    const path = join(dir.dir, "cli-keys.json");
    const brook = (...args: string[]) =>
      spawnSync(
        process.execPath,
        ["--import", "tsx", join(ROOT, "src/cli/main.ts"), "keys", ...args, "--keys-file", path],
        {
          cwd: ROOT,
          encoding: "utf8",
        },
      );
    const made = brook("create", "--scopes", "learn,predict", "--models", "a,b", "--label", "ci");
    assert.equal(made.status, 0, made.stderr);
    const key = made.stdout.trim();
    assert.match(key, /^brk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    const file = readFileSync(path, "utf8");
    assert.ok(!file.includes(key.slice(17)), "the file holds no secret");
    const [record] = JSON.parse(file).keys;
    assert.deepEqual(
      { scopes: record.scopes, models: record.models, label: record.label },
      { scopes: ["learn", "predict"], models: ["a", "b"], label: "ci" },
    );
    const listed = brook("list");
    assert.match(listed.stdout, new RegExp(`^${record.id}\\s+learn,predict\\s+a,b\\s`, "m"));
    assert.equal(brook("create", "--scopes", "root").status, 2);
    assert.equal(brook("delete", record.id).status, 0);
    assert.deepEqual(JSON.parse(readFileSync(path, "utf8")).keys, []);
    assert.notEqual(brook("delete", record.id).status, 0);
  });
});
