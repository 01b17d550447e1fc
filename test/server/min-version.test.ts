/**
 * `min_version` on a single server (the cluster tests cover replicas): a predict asking for a
 * version the model has not reached waits for it, answers from that version once a learn gets
 * there, and is a 503 BROOK_UNAVAILABLE when `--read-wait-ms` runs out first. It must never
 * answer from an older version.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { call, startTestServer, type TestServer } from "../helpers/server.js";

const X = { https: 1, popup_window: 0, long_url: 1 };
const READ_WAIT_MS = 400;

describe("predict with min_version", () => {
  let brook: TestServer;
  before(async () => {
    brook = await startTestServer({ readWaitMs: READ_WAIT_MS });
  });
  after(() => brook.close());

  const version = async () => (await call(brook.url, "GET", "/v1/models/default")).body.version as number;
  const learn = () => call(brook.url, "POST", "/v1/models/default/learn", { x: X, y: true });

  it("a version already reached answers at once", async () => {
    assert.equal((await learn()).status, 200);
    const v = await version();
    for (const min of [0, v]) {
      const p = await call(brook.url, "POST", "/v1/models/default/predict", { x: X, min_version: min });
      assert.equal(p.status, 200, p.text);
      assert.equal(p.body.version, v);
    }
  });

  it("a version not reached within --read-wait-ms is 503 BROOK_UNAVAILABLE, single and batch", async () => {
    const v = await version();
    for (const body of [
      { x: X, min_version: v + 1 },
      { instances: [X, X], min_version: v + 1 },
    ]) {
      const started = Date.now();
      const p = await call(brook.url, "POST", "/v1/models/default/predict", body);
      assert.equal(p.status, 503, p.text);
      assert.equal(p.body.code, "BROOK_UNAVAILABLE");
      assert.equal(p.body.min_version, v + 1);
      assert.ok(Date.now() - started >= READ_WAIT_MS - 50, "it waited for the version first");
    }
    assert.equal(await version(), v, "asking changed nothing");
  });

  it("a predict waiting for a version answers from it once learns get there", async () => {
    const v = await version();
    const waiting = call(brook.url, "POST", "/v1/models/default/predict", { x: X, min_version: v + 2 });
    assert.equal((await learn()).body.version, v + 1);
    assert.equal((await learn()).body.version, v + 2);
    const p = await waiting;
    assert.equal(p.status, 200, p.text);
    assert.ok(p.body.version >= v + 2, `answered from version ${p.body.version}`);
  });
});
