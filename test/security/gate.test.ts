/**
 * The pieces of the API key check on their own: key format and hashing, the keys file's
 * shape, finding a key, which addresses are loopback, the gate's decisions by scope, key and
 * address (the address as a socket gives it, so remote clients are covered even on a machine
 * without a second interface; test/security/scopes.test.ts does it over real sockets), and the
 * token buckets on a clock the test moves.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { loadConfig } from "../../src/config/config.js";
import { parseConfigFile } from "../../src/config/file.js";
import { BrookError } from "../../src/errors.js";
import { Gate, presentedKey } from "../../src/server/security/gate.js";
import { KeySource } from "../../src/server/security/key-source.js";
import {
  generateKey,
  hashKey,
  KeyRing,
  keyId,
  parseKeys,
  parseScopes,
} from "../../src/server/security/keys.js";
import { isLoopback } from "../../src/server/security/loopback.js";
import { TokenBuckets } from "../../src/server/security/rate-limit.js";

describe("API keys", () => {
  it("are brk_<id>_<secret>, stored as the SHA-256 of the whole key, never the key", () => {
    const { key, record } = generateKey(["learn", "predict"], { models: ["a"] });
    assert.match(key, /^brk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    assert.equal(keyId(key), record.id);
    assert.equal(record.sha256, createHash("sha256").update(key).digest("hex"));
    assert.equal(hashKey(key), record.sha256);
    assert.ok(!JSON.stringify(record).includes(key.slice(17)), "the record holds no part of the secret");
    assert.notEqual(generateKey(["predict"]).key, generateKey(["predict"]).key);
  });

  it("are found by their ring; a wrong secret, an unknown id or a malformed key is not", () => {
    const a = generateKey(["predict"]);
    const b = generateKey(["admin"]);
    const ring = new KeyRing([a.record, b.record]);
    assert.equal(ring.find(a.key), a.record);
    assert.equal(ring.find(b.key), b.record);
    const wrongSecret = `${a.key.slice(0, 17)}${"A".repeat(43)}`;
    assert.equal(ring.find(wrongSecret), undefined);
    assert.equal(ring.find(generateKey(["predict"]).key), undefined);
    assert.equal(ring.find("nonsense"), undefined);
    assert.equal(ring.find(""), undefined);
  });

  it("keys files: a bad entry is refused naming it, never showing a hash", () => {
    const { record } = generateKey(["predict"]);
    assert.deepEqual(parseKeys(JSON.stringify({ keys: [record] }), "k.json"), [record]);
    assert.deepEqual(parseKeys(JSON.stringify([record]), "k.json"), [record]);
    const bad = (doc: unknown, pattern: RegExp) =>
      assert.throws(
        () => parseKeys(typeof doc === "string" ? doc : JSON.stringify(doc), "k.json"),
        (e: BrookError) => pattern.test(e.message) && !e.message.includes(record.sha256),
      );
    bad("{", /k\.json is not valid JSON/);
    bad({ nope: 1 }, /must hold \{"keys"/);
    bad({ keys: [{ ...record, scopes: ["root"] }] }, /keys\[0\]\.scopes: unknown scope "root"/);
    bad({ keys: [{ ...record, sha256: "abc" }] }, /keys\[0\]\.sha256 must be 64 hex digits/);
    bad({ keys: [record, record] }, /keys\[1\]: the id .* is there twice/);
    bad({ keys: [{ ...record, models: [""] }] }, /keys\[0\]\.models must be a list of model names/);
    assert.deepEqual(parseScopes("learn, predict,learn", "--scopes"), ["learn", "predict"]);
    assert.throws(() => parseScopes(" , ", "--scopes"), /at least one scope/);
  });

  it("are read from Authorization: Bearer, else X-API-Key", () => {
    assert.equal(presentedKey({ authorization: "Bearer abc" }), "abc");
    assert.equal(presentedKey({ authorization: "bearer  abc " }), "abc");
    assert.equal(presentedKey({ "x-api-key": "xyz" }), "xyz");
    assert.equal(presentedKey({ authorization: "Bearer abc", "x-api-key": "xyz" }), "abc");
    assert.equal(presentedKey({ authorization: "Basic dXNlcjpwdw==" }), undefined);
    assert.equal(presentedKey({}), undefined);
  });
});

describe("loopback", () => {
  it("is 127.0.0.0/8, ::1 and IPv4-mapped 127.x; nothing else", () => {
    for (const a of ["127.0.0.1", "127.255.3.4", "::1", "::ffff:127.0.0.1", "::FFFF:127.9.9.9", undefined])
      assert.equal(isLoopback(a), true, String(a));
    for (const a of [
      "192.0.2.2",
      "10.0.0.1",
      "::ffff:192.0.2.2",
      "fd00::2",
      "128.0.0.1",
      "0.0.0.0",
      "::",
      "127.0.0.1.evil",
    ])
      assert.equal(isLoopback(a), false, a);
  });
});

describe("the gate", () => {
  const settings = { insecure: false, learnRate: 0, learnBurst: 0 };
  const refused = (r: unknown, status: number, reason?: RegExp) => {
    assert.ok(r instanceof BrookError, `refused: ${JSON.stringify(r)}`);
    assert.equal(r.statusCode, status);
    if (reason) assert.match(r.message, reason);
  };

  it("without keys (protected mode): loopback does anything, others only predict; --insecure opens it", () => {
    const gate = Gate.protectedMode(settings);
    for (const scope of ["public", "predict", "learn", "admin"] as const) {
      assert.ok(!(gate.admit(scope, {}, "127.0.0.1", "m") instanceof Error));
      assert.ok(!(gate.admit(scope, {}, "::1", "m") instanceof Error));
    }
    assert.ok(!(gate.admit("predict", {}, "192.0.2.2", "m") instanceof Error));
    assert.ok(!(gate.admit("public", {}, "192.0.2.2", "m") instanceof Error));
    refused(gate.admit("learn", {}, "192.0.2.2", "m"), 403, /protected mode.*brook keys create.*--insecure/);
    refused(gate.admit("admin", {}, "::ffff:192.0.2.2", "m"), 403, /protected mode/);
    const open = Gate.protectedMode({ ...settings, insecure: true });
    assert.ok(!(open.admit("admin", {}, "192.0.2.2", "m") instanceof Error));
  });

  it("with keys: a key of the scope (and of the model, if limited) from anywhere; loopback is no exception", () => {
    const learner = generateKey(["learn", "predict"], { models: ["a"] });
    const admin = generateKey(["admin"]);
    const source = KeySource.fromConfig({
      keysFile: "",
      store: "memory",
      dataDir: "/nonexistent",
      apiKeys: JSON.stringify({ keys: [learner.record, admin.record] }),
    } as never);
    const gate = new Gate(source, settings);
    const bearer = (k: string) => ({ authorization: `Bearer ${k}` });
    refused(gate.admit("predict", {}, "127.0.0.1", "a"), 401, /needs an API key with the scope "predict"/);
    refused(gate.admit("predict", bearer("brk_nope"), "127.0.0.1", "a"), 401, /not valid/);
    assert.equal(
      (gate.admit("learn", bearer(learner.key), "192.0.2.2", "a") as { id: string }).id,
      learner.record.id,
    );
    refused(gate.admit("learn", bearer(learner.key), "127.0.0.1", "b"), 403, /may only use the models a/);
    refused(
      gate.admit("admin", bearer(learner.key), "127.0.0.1", "a"),
      403,
      /does not have the scope "admin"/,
    );
    refused(
      gate.admit("predict", bearer(admin.key), "127.0.0.1", "a"),
      403,
      /does not have the scope "predict"/,
    );
    assert.ok(!(gate.admit("admin", { "x-api-key": admin.key }, "192.0.2.2", "anything") instanceof Error));
    assert.ok(!(gate.admit("public", {}, "192.0.2.2", undefined) instanceof Error));
  });
});

describe("token buckets", () => {
  it("let a burst through, then one request per 1/rate seconds, per client", () => {
    let now = 0;
    const b = new TokenBuckets(2, 3, () => now);
    assert.deepEqual([b.take("k"), b.take("k"), b.take("k")], [0, 0, 0]);
    assert.equal(b.take("k"), 1, "empty: retry in a second (rounded up)");
    assert.equal(b.take("other"), 0, "another client has its own bucket");
    now += 500; // half a second: one token at 2/s
    assert.equal(b.take("k"), 0);
    assert.equal(b.take("k"), 1);
    now += 10_000;
    assert.deepEqual(
      [b.take("k"), b.take("k"), b.take("k"), b.take("k")],
      [0, 0, 0, 1],
      "never above the burst",
    );
    const slow = new TokenBuckets(0.01, 0, () => now);
    assert.equal(slow.capacity, 1);
    assert.equal(slow.take("k"), 0);
    assert.equal(slow.take("k"), 100, "Retry-After: the seconds until a token");
  });
});

describe("the settings", () => {
  it("parse --insecure, --learn-rate and --learn-burst from flags, variables and files", () => {
    assert.equal(loadConfig({}, {}).insecure, false);
    assert.equal(loadConfig({ insecure: "true" }, {}).insecure, true);
    assert.equal(loadConfig({}, { BROOK_INSECURE: "1" }).insecure, true);
    assert.equal(loadConfig({}, {}, parseConfigFile("insecure: true\n", "b.yaml")).insecure, true);
    assert.throws(() => loadConfig({}, { BROOK_INSECURE: "maybe" }), /BROOK_INSECURE must be true or false/);
    assert.equal(loadConfig({ learnRate: "0.5" }, {}).learnRate, 0.5);
    assert.throws(() => loadConfig({ learnRate: "-1" }, {}), /--learn-rate must be a number from 0/);
    assert.throws(() => loadConfig({ learnRate: "" }, {}), /--learn-rate must be a number/);
    assert.throws(() => loadConfig({ learnBurst: "1.5" }, {}), /--learn-burst must be an integer/);
  });
});
