import { DenseFeatures } from "../learn/base/dense-features.js";
import { decodeNumber, encodeNumber } from "../learn/base/state.js";
import type { Json, Label, Proba, RawFeatures } from "../learn/index.js";
import type { Prediction } from "../learn/metrics/metric.js";
import { keysInOrder, parseJsonBody } from "../server/json-body.js";

/**
 * The events of a model's log. A model's state is a deterministic function of its ordered log:
 * replaying the same events from the same checkpoint gives bit-identical weights.
 *
 * - `learn`: one labelled example. `p` is the prediction that was served for it, when the label
 *   came later for a remembered prediction (`id`); the metrics score that prediction.
 * - `remember`: a prediction kept so that its label can come later (no change to the model).
 * - `rollback`: the model (and its metrics) return to the checkpoint taken at `ckpt`.
 * - `import`: the model (and its metrics) are replaced by an exported state (warm start).
 *
 * Every event carries `at`, the wall-clock time (ms) it was accepted.
 */
export type LogEvent =
  | {
      type: "learn";
      x: RawFeatures;
      /** Absent when an anomaly detector learns without a label. */
      y?: Label | number;
      p?: Prediction | null;
      id?: string;
      eid?: string;
      at: number;
    }
  | { type: "remember"; id: string; x: RawFeatures; p: Prediction | null; v: number; exp: number; at: number }
  | { type: "rollback"; ckpt: number; at: number }
  | { type: "import"; state: Json; at: number };

/** An event with its position in the log. */
export interface Stored {
  seq: number;
  event: LogEvent;
}

/** Whether an event changes the model (and so advances its version). */
export function changesModel(e: LogEvent): boolean {
  return e.type !== "remember";
}

/**
 * JSON of features in their own order (integer-like names stay where they are). Values are
 * finite numbers, strings or booleans: the server rejects anything else before logging.
 */
export function featuresText(x: RawFeatures): string {
  if (x instanceof DenseFeatures) {
    let out = "{";
    for (let i = 0; i < x.names.length; i++) {
      out += `${i === 0 ? "" : ","}${JSON.stringify(x.names[i])}:${JSON.stringify(x.values_[i])}`;
    }
    return `${out}}`;
  }
  let out = "{";
  let first = true;
  for (const [k, v] of x) {
    out += `${first ? "" : ","}${JSON.stringify(k)}:${JSON.stringify(v)}`;
    first = false;
  }
  return `${out}}`;
}

/**
 * A served prediction: probabilities as pairs, a number (possibly non-finite) tagged, a label
 * as is, `null` when nothing could be predicted.
 */
export function predictionJson(p: Prediction | null): Json {
  if (p === null) return null;
  if (p instanceof Map) return { proba: [...p].map(([label, v]) => [label, encodeNumber(v)]) };
  if (typeof p === "number") return { num: encodeNumber(p) };
  return p;
}

export function predictionFrom(j: Json): Prediction | null {
  if (j === null) return null;
  if (typeof j === "object" && !Array.isArray(j)) {
    if (Array.isArray(j.proba)) {
      const proba: Proba = new Map();
      for (const pair of j.proba as [Label, Json][]) proba.set(pair[0], decodeNumber(pair[1]) ?? Number.NaN);
      return proba;
    }
    return decodeNumber(j.num) ?? Number.NaN;
  }
  return j as Label;
}

function featuresFrom(obj: Record<string, Json>): RawFeatures {
  const x = new Map<string, number | string | boolean>();
  for (const k of keysInOrder(obj)) x.set(k, obj[k] as number | string | boolean);
  return x;
}

/** Features from {@link featuresText} (wire order kept, integer-like names included). */
export function featuresFromText(text: string): RawFeatures {
  return featuresFrom(parseJsonBody(text) as Record<string, Json>);
}

/** Encodes an event with its seq as compact JSON (the payload of a log record). */
export function encodeEvent(seq: number, e: LogEvent): string {
  const head = `{"s":${seq},"at":${e.at}`;
  switch (e.type) {
    case "learn": {
      let out = `${head},"t":"learn","x":${featuresText(e.x)}`;
      if (e.y !== undefined) out += `,"y":${JSON.stringify(e.y)}`;
      if (e.p !== undefined) out += `,"p":${JSON.stringify(predictionJson(e.p))}`;
      if (e.id !== undefined) out += `,"id":${JSON.stringify(e.id)}`;
      if (e.eid !== undefined) out += `,"eid":${JSON.stringify(e.eid)}`;
      return `${out}}`;
    }
    case "remember":
      return `${head},"t":"remember","id":${JSON.stringify(e.id)},"x":${featuresText(e.x)},"p":${JSON.stringify(predictionJson(e.p))},"v":${e.v},"exp":${e.exp}}`;
    case "rollback":
      return `${head},"t":"rollback","ckpt":${e.ckpt}}`;
    case "import":
      return `${head},"t":"import","state":${JSON.stringify(e.state)}}`;
  }
}

/** Decodes a JSON array of {@link encodeEvent} payloads (one parse for a batch). */
export function decodeEvents(text: string): Stored[] {
  const list = parseJsonBody(text) as Record<string, Json>[];
  return list.map(decodeObject);
}

/** Decodes a payload made by {@link encodeEvent}; throws on anything else. */
export function decodeEvent(text: string): Stored {
  return decodeObject(parseJsonBody(text) as Record<string, Json>);
}

function decodeObject(o: Record<string, Json>): Stored {
  const seq = o.s as number;
  const at = o.at as number;
  if (!Number.isSafeInteger(seq) || typeof at !== "number") throw new Error("event without seq or time");
  switch (o.t) {
    case "learn": {
      const event: LogEvent = {
        type: "learn",
        x: featuresFrom(o.x as Record<string, Json>),
        y: o.y as Label,
        at,
      };
      if (o.p !== undefined) event.p = predictionFrom(o.p);
      if (typeof o.id === "string") event.id = o.id;
      if (typeof o.eid === "string") event.eid = o.eid;
      return { seq, event };
    }
    case "remember":
      return {
        seq,
        event: {
          type: "remember",
          id: o.id as string,
          x: featuresFrom(o.x as Record<string, Json>),
          p: predictionFrom(o.p as Json),
          v: o.v as number,
          exp: o.exp as number,
          at,
        },
      };
    case "rollback":
      return { seq, event: { type: "rollback", ckpt: o.ckpt as number, at } };
    case "import":
      return { seq, event: { type: "import", state: o.state as Json, at } };
    default:
      throw new Error(`unknown event type ${JSON.stringify(o.t)}`);
  }
}
