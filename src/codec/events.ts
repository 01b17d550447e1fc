/**
 * The events of a model's log and their encoding, shared by every store adapter (which keep
 * the bytes) and the cluster channel (which carries them to replicas).
 *
 * A model's state is a deterministic function of its ordered log: replaying the same events
 * from the same checkpoint gives bit-identical weights.
 */
import { DenseFeatures } from "../learn/base/dense-features.js";
import { decodeNumber, encodeNumber } from "../learn/base/state.js";
import type { Json, Label, Proba, RawFeatures } from "../learn/index.js";
import type { Prediction } from "../learn/metrics/metric.js";
import { encodedKeys, internNames } from "./feature-names.js";
import { keysInOrder, parseOrderedJson } from "./ordered-json.js";

/**
 * - `learn`: one labelled example. `served` is the prediction that was served for it, when the
 *   label came later for a remembered prediction (`id`); the metrics score that prediction.
 * - `remember`: a prediction kept so that its label can come later (no change to the model).
 * - `rollback`: the model (and its metrics) return to the checkpoint taken at seq `checkpoint`.
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
      served?: Prediction | null;
      id?: string;
      eventId?: string;
      at: number;
    }
  | {
      type: "remember";
      id: string;
      x: RawFeatures;
      served: Prediction | null;
      /** The model version that served the prediction. */
      version: number;
      /** When the remembered prediction stops waiting for its label (ms since the epoch). */
      expiresAt: number;
      at: number;
    }
  | { type: "rollback"; checkpoint: number; at: number }
  | { type: "import"; state: Json; at: number };

/** An event with its position in the log. */
export interface Stored {
  seq: number;
  event: LogEvent;
}

/**
 * The format of a record's payload, in its first byte. Version 1 is the JSON object of
 * {@link encodeEvent}; records written before the tag existed start with `{` and are read as
 * version 1 too. A later encoding takes the next number and old logs stay readable.
 */
export const RECORD_FORMAT = 1;
const LEGACY_JSON = 0x7b; // "{"

/**
 * JSON of features in their own order (integer-like names stay where they are). Values are
 * finite numbers, strings or booleans: the server rejects anything else before logging.
 */
export function featuresText(x: RawFeatures): string {
  if (x instanceof DenseFeatures) {
    // Finite numbers print the same through String() as through JSON.stringify.
    const keys = encodedKeys(x.names);
    const values = x.values_;
    let out = "{";
    for (let i = 0; i < keys.length; i++) out += `${i === 0 ? "" : ","}${keys[i]}${values[i]}`;
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
 * A served prediction as JSON: probabilities as pairs, a number (possibly non-finite) tagged,
 * a label as is, `null` when nothing could be predicted.
 */
export function servedToJson(p: Prediction | null): Json {
  if (p === null) return null;
  if (p instanceof Map) return { proba: [...p].map(([label, v]) => [label, encodeNumber(v)]) };
  if (typeof p === "number") return { num: encodeNumber(p) };
  return p;
}

/** Inverse of {@link servedToJson}. */
export function servedFromJson(j: Json): Prediction | null {
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

/** Features as logged: numbers only → the light array form (names interned), else an ordered map. */
function featuresFrom(obj: Record<string, Json>): RawFeatures {
  const keys = keysInOrder(obj);
  const values = new Array<number>(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const v = obj[keys[i]!];
    if (typeof v !== "number") {
      const x = new Map<string, number | string | boolean>();
      for (const k of keys) x.set(k, obj[k] as number | string | boolean);
      return x;
    }
    values[i] = v;
  }
  return new DenseFeatures(internNames(keys), values);
}

/**
 * The last encoding of each event object: the log encodes an event, and the replication to a
 * cluster's workers sends the same text, without encoding it a second time.
 */
const encoded = new WeakMap<LogEvent, { seq: number; text: string }>();

/** Encodes an event with its seq as compact JSON (short keys: they are on disk once per event). */
export function encodeEvent(seq: number, e: LogEvent): string {
  const known = encoded.get(e);
  if (known?.seq === seq) return known.text;
  const text = encodeEventText(seq, e);
  encoded.set(e, { seq, text });
  return text;
}

function encodeEventText(seq: number, e: LogEvent): string {
  const head = `{"s":${seq},"at":${e.at}`;
  switch (e.type) {
    case "learn": {
      let out = `${head},"t":"learn","x":${featuresText(e.x)}`;
      if (e.y !== undefined) out += `,"y":${JSON.stringify(e.y)}`;
      if (e.served !== undefined) out += `,"p":${JSON.stringify(servedToJson(e.served))}`;
      if (e.id !== undefined) out += `,"id":${JSON.stringify(e.id)}`;
      if (e.eventId !== undefined) out += `,"eid":${JSON.stringify(e.eventId)}`;
      return `${out}}`;
    }
    case "remember":
      return `${head},"t":"remember","id":${JSON.stringify(e.id)},"x":${featuresText(e.x)},"p":${JSON.stringify(servedToJson(e.served))},"v":${e.version},"exp":${e.expiresAt}}`;
    case "rollback":
      return `${head},"t":"rollback","ckpt":${e.checkpoint}}`;
    case "import":
      return `${head},"t":"import","state":${JSON.stringify(e.state)}}`;
  }
}

/** Decodes a JSON array of {@link encodeEvent} payloads (one parse for a batch). */
export function decodeEvents(text: string): Stored[] {
  const list = parseOrderedJson(text) as Record<string, Json>[];
  return list.map(decodeObject);
}

/** Decodes a payload made by {@link encodeEvent}; throws on anything else. */
export function decodeEvent(text: string): Stored {
  return decodeObject(parseOrderedJson(text) as Record<string, Json>);
}

/** The payload of a log record: the format byte, then the event. */
export function encodeRecord(seq: number, e: LogEvent): Buffer {
  const text = encodeEvent(seq, e);
  const out = Buffer.allocUnsafe(1 + Buffer.byteLength(text));
  out[0] = RECORD_FORMAT;
  out.write(text, 1, "utf8");
  return out;
}

/** Decodes a record payload of any known format; throws on anything else. */
export function decodeRecord(payload: Buffer): Stored {
  const format = payload[0];
  if (format === RECORD_FORMAT) return decodeEvent(payload.toString("utf8", 1));
  if (format === LEGACY_JSON) return decodeEvent(payload.toString("utf8"));
  throw new Error(`unknown record format ${format}`);
}

/** The seq of a record payload, read from its `{"s":123,` prefix without decoding it (-1 if none). */
export function recordSeq(payload: Buffer): number {
  const start = payload[0] === RECORD_FORMAT ? 1 : 0;
  // 123 = "{", 34 = '"', 115 = "s", 58 = ":"
  if (
    payload[start] !== 123 ||
    payload[start + 1] !== 34 ||
    payload[start + 2] !== 115 ||
    payload[start + 3] !== 34 ||
    payload[start + 4] !== 58
  )
    return -1;
  let n = 0;
  let i = start + 5;
  for (; i < payload.length; i++) {
    const c = payload[i]!;
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
  }
  return i > start + 5 ? n : -1;
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
      if (o.p !== undefined) event.served = servedFromJson(o.p);
      if (typeof o.id === "string") event.id = o.id;
      if (typeof o.eid === "string") event.eventId = o.eid;
      return { seq, event };
    }
    case "remember":
      return {
        seq,
        event: {
          type: "remember",
          id: o.id as string,
          x: featuresFrom(o.x as Record<string, Json>),
          served: servedFromJson(o.p as Json),
          version: o.v as number,
          expiresAt: o.exp as number,
          at,
        },
      };
    case "rollback":
      return { seq, event: { type: "rollback", checkpoint: o.ckpt as number, at } };
    case "import":
      return { seq, event: { type: "import", state: o.state as Json, at } };
    default:
      throw new Error(`unknown event type ${JSON.stringify(o.t)}`);
  }
}
