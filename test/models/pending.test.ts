/**
 * Late labels at explicit times: a remembered prediction's id is known as "labelled" until the
 * prediction would have expired (a second label is a 409), and after that it is forgotten (an
 * unknown id, 404). Times are passed in, so the TTL boundaries are checked to the millisecond.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BrookError } from "../../src/errors.js";
import { Admission } from "../../src/models/admission.js";
import type { ModelState } from "../../src/models/apply.js";
import { RecentEventIds } from "../../src/models/event-ids.js";
import { PendingPredictions } from "../../src/models/pending.js";
import { type PredictOutcome, ServedModel } from "../../src/models/served-model.js";

const T0 = 1_700_000_000_000;
const TTL = 60_000;
const X = new Map([["https", 1]]);
/** What a binary classifier served: P(true) = 0.7. */
const SERVED: PredictOutcome = {
  prediction: true,
  probabilities: new Map([
    [false, 0.3],
    [true, 0.7],
  ]),
};

function entry(id: string, rememberedAt: number) {
  return { id, x: X, served: null, version: 0, expiresAt: rememberedAt + TTL };
}

describe("PendingPredictions: the labelled-id memory", () => {
  it("knows a labelled id until the entry's expiry (inclusive), then forgets it", () => {
    const p = new PendingPredictions(10);
    p.add(entry("a", T0));
    assert.equal(p.wasLabelled("a", T0), false, "not labelled yet");
    p.consume("a");
    assert.equal(p.get("a"), undefined);
    assert.equal(p.counters.labelled, 1);
    assert.equal(p.wasLabelled("a", T0 + 1), true);
    assert.equal(p.wasLabelled("a", T0 + TTL - 1), true);
    assert.equal(p.wasLabelled("a", T0 + TTL), true, "the expiry instant itself is still within the TTL");
    assert.equal(p.wasLabelled("a", T0 + TTL + 1), false, "1 ms after the TTL");
    assert.equal(p.wasLabelled("a", T0 + 10 * TTL), false);
    assert.equal(p.wasLabelled("never", T0), false);
  });

  it("sweep drops expired entries and expired labelled ids, and keeps the live ones", () => {
    const p = new PendingPredictions(10);
    p.add(entry("old", T0));
    p.add(entry("labelled", T0 + 1000));
    p.add(entry("young", T0 + 2000));
    p.consume("labelled");
    p.sweep(T0 + TTL + 500); // "old" expired 500 ms ago; "labelled" is remembered until T0 + TTL + 1000
    assert.equal(p.get("old"), undefined);
    assert.equal(p.counters.expired, 1);
    assert.ok(p.get("young"));
    assert.equal(p.wasLabelled("labelled", T0 + TTL + 500), true);
    p.sweep(T0 + TTL + 1001);
    assert.equal(
      p.wasLabelled("labelled", T0 + TTL + 1000),
      false,
      "swept: forgotten even for an earlier clock",
    );
    assert.ok(p.get("young"));
  });

  it("keeps at most `capacity` labelled ids (the oldest forgotten first)", () => {
    const p = new PendingPredictions(2);
    for (const id of ["a", "b", "c"]) {
      p.add(entry(id, T0));
      p.consume(id);
    }
    assert.equal(p.wasLabelled("a", T0), false);
    assert.equal(p.wasLabelled("b", T0), true);
    assert.equal(p.wasLabelled("c", T0), true);
  });

  it("the memory survives a state round trip (checkpoints carry it)", () => {
    const p = new PendingPredictions(10);
    p.add(entry("a", T0));
    p.consume("a");
    const q = new PendingPredictions(10);
    q.importState(JSON.parse(JSON.stringify(p.exportState())));
    assert.equal(q.wasLabelled("a", T0 + TTL), true);
    assert.equal(q.wasLabelled("a", T0 + TTL + 1), false);
  });
});

describe("Admission of a second label, at explicit times", () => {
  const open = () => {
    const state: ModelState = {
      model: ServedModel.fromRecord({ name: "m", spec: "LogisticRegression", metrics: [], createdAt: "" }),
      pending: new PendingPredictions(100),
      eventIds: new RecentEventIds(100),
    };
    return { state, admission: new Admission("m", () => state, TTL) };
  };
  const codeOf = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof BrookError, String(e));
      return `${e.statusCode} ${e.code}`;
    }
    return "accepted";
  };

  it("within the TTL a second label is 409 BROOK_ALREADY_LABELLED; after it, 404 BROOK_ID_NOT_FOUND", () => {
    const { state, admission } = open();
    const { ids } = admission.remember([{ x: X, outcome: SERVED, id: "p1" }], T0);
    assert.deepEqual(ids, ["p1"]);
    state.pending.add(entry("p1", T0)); // what applying the logged "remember" event does
    const label = (now: number) => () => admission.learn([{ id: "p1", y: true }], now);
    assert.equal(codeOf(label(T0 + 10)), "accepted");
    state.pending.consume("p1"); // what applying the logged "learn" event does
    assert.equal(codeOf(label(T0 + 20)), "409 BROOK_ALREADY_LABELLED");
    assert.equal(codeOf(label(T0 + TTL)), "409 BROOK_ALREADY_LABELLED");
    assert.equal(codeOf(label(T0 + TTL + 1)), "404 BROOK_ID_NOT_FOUND");
    // And once forgotten, the id may be used again for a new prediction.
    assert.equal(
      codeOf(() => admission.remember([{ x: X, outcome: SERVED, id: "p1" }], T0 + TTL - 1)),
      "409 BROOK_ID_CONFLICT",
    );
    assert.equal(
      codeOf(() => admission.remember([{ x: X, outcome: SERVED, id: "p1" }], T0 + TTL + 1)),
      "accepted",
    );
  });

  it("an unlabelled prediction past its TTL is 404 BROOK_ID_EXPIRED (not a second label)", () => {
    const { state, admission } = open();
    state.pending.add(entry("p2", T0));
    assert.equal(
      codeOf(() => admission.learn([{ id: "p2", y: false }], T0 + TTL + 1)),
      "404 BROOK_ID_EXPIRED",
    );
    assert.equal(
      codeOf(() => admission.learn([{ id: "p2", y: false }], T0 + TTL + 2)),
      "404 BROOK_ID_NOT_FOUND",
    );
  });
});
