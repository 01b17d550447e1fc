import type { Config } from "../../config/config.js";
import { brookError } from "../../errors.js";
import type { RawFeatures } from "../../learn/index.js";
import type { ModelHost } from "../../models/model-host.js";
import { normalizeTarget } from "../../models/targets.js";
import type { LearnItem } from "../../models/writer.js";
import { type FeaturePolicy, toFeatures } from "./features.js";

type Limits = Pick<Config, "maxBatch" | "maxFeatures">;

/** The body as a JSON object, or a 400 naming what came instead. */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    const got = body === null ? "null" : Array.isArray(body) ? "an array" : typeof body;
    throw brookError("INVALID_REQUEST", `the body must be a JSON object, got ${got}`);
  }
  return body as Record<string, unknown>;
}

/** Rejects fields the route does not know (a typo would otherwise be silently ignored). */
export function onlyFields(body: Record<string, unknown>, allowed: readonly string[], prefix = ""): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) {
      throw brookError(
        "INVALID_REQUEST",
        `unknown field "${prefix}${key}" (expected ${allowed.map((a) => `"${a}"`).join(", ")})`,
        { path: `${prefix}${key}` },
      );
    }
  }
}

function batch(body: Record<string, unknown>, limits: Limits): unknown[] {
  const list = body.instances;
  if (!Array.isArray(list))
    throw brookError("INVALID_REQUEST", "instances must be an array", { path: "instances" });
  if (list.length === 0) throw brookError("INVALID_REQUEST", "instances is empty", { path: "instances" });
  if (list.length > limits.maxBatch) {
    throw brookError(
      "BATCH_TOO_LARGE",
      `instances has ${list.length} items, more than the limit of ${limits.maxBatch}`,
      {
        path: "instances",
      },
    );
  }
  return list;
}

function exclusive(body: Record<string, unknown>, single: string[]): "one" | "many" {
  const hasOne = single.some((k) => body[k] !== undefined);
  const hasMany = body.instances !== undefined;
  if (hasOne && hasMany)
    throw brookError(
      "INVALID_REQUEST",
      `send either ${single.map((k) => `"${k}"`).join("/")} or "instances", not both`,
    );
  return hasMany ? "many" : "one";
}

function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 0x20) return true;
  return false;
}

/** A client id for a remembered prediction or an event: a non-empty string of at most 128 characters. */
function idField(v: unknown, path: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string" || v.length === 0 || v.length > 128 || hasControl(v)) {
    throw brookError(
      "INVALID_REQUEST",
      `${path} must be a string of 1 to 128 characters without control characters`,
      { path },
    );
  }
  return v;
}

function object(item: unknown, path: string, what: string): Record<string, unknown> {
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    throw brookError("INVALID_REQUEST", `${path} must be an object ${what}`, { path });
  }
  return item as Record<string, unknown>;
}

export function policyFor(host: ModelHost, limits: Limits): FeaturePolicy {
  return { maxFeatures: limits.maxFeatures, raw: host.model.acceptsRaw, model: host.name };
}

export interface PredictRequest {
  batch: boolean;
  xs: RawFeatures[];
  /** Answer only from a model at this version or later (read-your-writes). */
  minVersion: number | undefined;
  /** Per instance: the id to remember it under, `null` for a generated one, `undefined` to not remember it. */
  remember: (string | null | undefined)[];
}

/**
 * A predict request: `{"x": {...}}` or `{"instances": [{...} | {"x": {...}, "id"?}, ...]}`,
 * with `"id"` (single) or `"remember": true` to keep the prediction for a label that comes later.
 */
export function predictRequest(
  body: unknown,
  policy: FeaturePolicy,
  limits: Limits,
  options: { strict?: boolean } = {},
): PredictRequest {
  const b = bodyObject(body);
  const strict = options.strict !== false;
  if (strict) onlyFields(b, ["x", "instances", "id", "remember", "min_version"]);
  const minVersion = b.min_version;
  if (
    minVersion !== undefined &&
    (typeof minVersion !== "number" || !Number.isSafeInteger(minVersion) || minVersion < 0)
  ) {
    throw brookError(
      "INVALID_REQUEST",
      "min_version must be a non-negative integer (a version a learn answered)",
      {
        path: "min_version",
      },
    );
  }
  if (b.remember !== undefined && typeof b.remember !== "boolean") {
    throw brookError("INVALID_REQUEST", "remember must be true or false", { path: "remember" });
  }
  const rememberAll = b.remember === true;
  if (exclusive(b, ["x", "id"]) === "one") {
    const id = strict ? idField(b.id, "id") : undefined;
    return {
      batch: false,
      xs: [toFeatures(b.x, "x", policy)],
      remember: [id ?? (rememberAll ? null : undefined)],
      minVersion: minVersion as number | undefined,
    };
  }
  const xs: RawFeatures[] = [];
  const remember: (string | null | undefined)[] = [];
  for (const [i, item] of batch(b, limits).entries()) {
    const path = `instances[${i}]`;
    const o = item as Record<string, unknown>;
    // An instance is a feature object, or {"x": {...}, "id"?: "..."} like a learn instance.
    const wrapped =
      typeof item === "object" &&
      item !== null &&
      typeof o.x === "object" &&
      o.x !== null &&
      Object.keys(o).every((k) => k === "x" || k === "id");
    if (wrapped) {
      xs.push(toFeatures(o.x, `${path}.x`, policy));
      const id = idField(o.id, `${path}.id`);
      remember.push(id ?? (rememberAll ? null : undefined));
    } else {
      xs.push(toFeatures(item, path, policy));
      remember.push(rememberAll ? null : undefined);
    }
  }
  return { batch: true, xs, remember, minVersion: minVersion as number | undefined };
}

/**
 * Items of a learn request: `{"x", "y"}`, `{"id", "y"}` (the label of a remembered
 * prediction), or `{"instances": [...]}` of those; each may carry an `"event_id"` that makes
 * retries idempotent.
 */
export function learnRequest(
  body: unknown,
  host: ModelHost,
  limits: Limits,
  options: { strict?: boolean } = {},
): { batch: boolean; items: LearnItem[] } {
  const b = bodyObject(body);
  const policy = policyFor(host, limits);
  if (options.strict === false) {
    // The original route: {"x", "y"} and nothing else matters.
    return { batch: false, items: [learnItem({ x: b.x, y: b.y }, "", host, policy)] };
  }
  onlyFields(b, ["x", "id", "y", "event_id", "instances"]);
  if (exclusive(b, ["x", "id", "y", "event_id"]) === "one")
    return { batch: false, items: [learnItem(b, "", host, policy)] };
  const items = batch(b, limits).map((item, i) => {
    const path = `instances[${i}]`;
    const o = object(item, path, '{"x": {...}, "y": ...} or {"id": "...", "y": ...}');
    onlyFields(o, ["x", "id", "y", "event_id"], `${path}.`);
    return learnItem(o, `${path}.`, host, policy);
  });
  return { batch: true, items };
}

function learnItem(
  o: Record<string, unknown>,
  prefix: string,
  host: ModelHost,
  policy: FeaturePolicy,
): LearnItem {
  const id = idField(o.id, `${prefix}id`);
  if (id !== undefined && o.x !== undefined) {
    throw brookError("INVALID_REQUEST", `send either ${prefix}x or ${prefix}id, not both`, {
      path: `${prefix}id`,
    });
  }
  // A forecaster's x (exogenous features) is optional.
  const x =
    id !== undefined
      ? undefined
      : host.task === "forecasting" && o.x === undefined
        ? EMPTY
        : toFeatures(o.x, `${prefix}x`, policy);
  if (o.y === undefined && host.task !== "anomaly") {
    throw brookError("INVALID_TARGET", `${prefix}y is missing: a learn request needs the true target`, {
      path: `${prefix}y`,
    });
  }
  const y = normalizeTarget(host.task, o.y, `${prefix}y`);
  const eid = idField(o.event_id, `${prefix}event_id`);
  return { x, id, y, eid };
}

const EMPTY: RawFeatures = new Map();

/**
 * A forecast request: `{"horizon": h}`, with `"xs"`, one feature object per step, for
 * forecasters that take exogenous features.
 */
export function forecastRequest(
  body: unknown,
  policy: FeaturePolicy,
): { horizon: number; xs: RawFeatures[] | undefined } {
  const b = bodyObject(body);
  onlyFields(b, ["horizon", "xs"]);
  const h = b.horizon ?? 1;
  if (typeof h !== "number" || !Number.isSafeInteger(h) || h < 1 || h > 10_000) {
    throw brookError("INVALID_REQUEST", "horizon must be an integer from 1 to 10000", { path: "horizon" });
  }
  if (b.xs === undefined) return { horizon: h, xs: undefined };
  if (!Array.isArray(b.xs) || b.xs.length !== h) {
    throw brookError("INVALID_REQUEST", `xs must be a list of ${h} feature objects, one per forecast step`, {
      path: "xs",
    });
  }
  return { horizon: h, xs: b.xs.map((x, i) => toFeatures(x, `xs[${i}]`, policy)) };
}
