/**
 * The late-label TTL over HTTP, with `--pending-ttl 1`: a second label within the TTL is 409
 * BROOK_ALREADY_LABELLED; once the TTL is over the labelled id is forgotten (404
 * BROOK_ID_NOT_FOUND) and may be used again; an unlabelled prediction past it is 404
 * BROOK_ID_EXPIRED. The wait is a poll on that condition with a deadline, never a fixed sleep.
 * (test/models/pending.test.ts checks the same boundaries to the millisecond.)
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { call, startTestServer, type TestServer } from "../helpers/server.js";

const TTL_MS = 1000;
const X = { https: 1, popup_window: 0 };

describe("late labels after --pending-ttl", () => {
  let brook: TestServer;
  before(async () => {
    brook = await startTestServer({ pendingTtl: 1 });
  });
  after(() => brook.close());

  const predict = (id: string) => call(brook.url, "POST", "/v1/models/default/predict", { x: X, id });
  const label = (id: string) => call(brook.url, "POST", "/v1/models/default/learn", { id, y: true });

  it("409 within the TTL, then 404 (forgotten, reusable); unlabelled: 404 BROOK_ID_EXPIRED", async (t) => {
    // The server stamps a prediction no earlier than t0, so until t0 + TTL it is surely alive.
    const t0 = Date.now();
    assert.equal((await predict("unlabelled")).status, 200);
    assert.equal((await predict("q1")).status, 200);
    const first = await label("q1");
    assert.equal(first.status, 200, first.text);
    assert.equal(first.body.learned, 1);
    const second = await label("q1");
    if (Date.now() - t0 < TTL_MS) {
      assert.equal(second.status, 409, second.text);
      assert.equal(second.body.code, "BROOK_ALREADY_LABELLED");
    } else {
      t.diagnostic(`the machine took ${Date.now() - t0} ms: the 409 within the TTL was not checked`);
    }
    // Poll until the labelled id is forgotten; with the TTL ignored it never is.
    const deadline = t0 + TTL_MS + 10_000;
    let last = second;
    while (last.status === 409 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      last = await label("q1");
    }
    assert.equal(
      last.status,
      404,
      `still ${last.status} ${last.text} ${Date.now() - t0} ms after the prediction`,
    );
    assert.equal(last.body.code, "BROOK_ID_NOT_FOUND");
    assert.ok(Date.now() - t0 > TTL_MS, "forgotten only after the TTL");
    // The id is free again, and the new prediction takes a label.
    assert.equal((await predict("q1")).status, 200);
    const again = await label("q1");
    assert.equal(again.status, 200, again.text);
    // The prediction that never got its label expired with the first one.
    const late = await label("unlabelled");
    assert.equal(late.status, 404, late.text);
    assert.equal(late.body.code, "BROOK_ID_EXPIRED");
    const info = await call(brook.url, "GET", "/v1/models/default");
    assert.equal(info.body.pending.labelled, 2);
    assert.equal(info.body.pending.expired, 1);
  });
});
