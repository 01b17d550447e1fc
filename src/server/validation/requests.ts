/**
 * What a request body means for a model, once its shape has passed the route's schema
 * (schema-check.ts): features the model can take (features.ts), targets that fit its task,
 * and the choices the schema cannot express (`x` or `instances`, not both).
 */
import type { Config } from "../../config/config.js";
import { brookError, limitError } from "../../errors.js";
import type { RawFeatures } from "../../learn/index.js";
import type { LearnItem } from "../../models/admission.js";
import type { ServedModel } from "../../models/served-model.js";
import { normalizeTarget } from "../../models/targets.js";
import { type FeaturePolicy, toFeatures } from "./features.js";

type Limits = Pick<Config, "maxBatch" | "maxFeatures" | "maxNameLength" | "maxStringLength">;
type Body = Record<string, unknown>;

/** Whether the body holds one item or a batch (`instances`), refusing both. */
function exclusive(body: Body, single: readonly string[]): "one" | "many" {
  const hasOne = single.some((k) => body[k] !== undefined);
  const hasMany = body.instances !== undefined;
  if (hasOne && hasMany)
    throw brookError(
      "INVALID_REQUEST",
      `send either ${single.map((k) => `"${k}"`).join("/")} or "instances", not both`,
    );
  return hasMany ? "many" : "one";
}

export function policyFor(model: ServedModel, limits: Limits): FeaturePolicy {
  return {
    maxFeatures: limits.maxFeatures,
    maxNameLength: limits.maxNameLength,
    maxStringLength: limits.maxStringLength,
    raw: model.estimator.acceptsRaw,
    model: model.name,
  };
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
export function predictRequest(body: Body, policy: FeaturePolicy): PredictRequest {
  const rememberAll = body.remember === true;
  const minVersion = body.min_version as number | undefined;
  if (exclusive(body, ["x", "id"]) === "one") {
    const id = body.id as string | undefined;
    return {
      batch: false,
      xs: [toFeatures(body.x, "x", policy)],
      remember: [id ?? (rememberAll ? null : undefined)],
      minVersion,
    };
  }
  const xs: RawFeatures[] = [];
  const remember: (string | null | undefined)[] = [];
  for (const [i, item] of (body.instances as unknown[]).entries()) {
    const path = `instances[${i}]`;
    const o = item as Body;
    // An instance is a feature object, or {"x": {...}, "id"?: "..."} like a learn instance.
    const wrapped =
      typeof item === "object" &&
      item !== null &&
      typeof o.x === "object" &&
      o.x !== null &&
      Object.keys(o).every((k) => k === "x" || k === "id");
    if (wrapped) {
      xs.push(toFeatures(o.x, `${path}.x`, policy));
      const id = clientId(o.id, `${path}.id`);
      remember.push(id ?? (rememberAll ? null : undefined));
    } else {
      xs.push(toFeatures(item, path, policy));
      remember.push(rememberAll ? null : undefined);
    }
  }
  return { batch: true, xs, remember, minVersion };
}

/** The features of the original `POST /predict` (it read only "x" and ignored the rest). */
export function compatPredictRequest(body: Body, policy: FeaturePolicy): RawFeatures {
  return toFeatures(body.x, "x", policy);
}

/** An id inside a predict instance (the schema cannot reach it: instances are feature objects too). */
function clientId(v: unknown, path: string): string | undefined {
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

function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 0x20) return true;
  return false;
}

/**
 * Items of a learn request: `{"x", "y"}`, `{"id", "y"}` (the label of a remembered
 * prediction), or `{"instances": [...]}` of those; each may carry an `"event_id"` that makes
 * retries idempotent.
 */
export function learnRequest(
  body: Body,
  model: ServedModel,
  limits: Limits,
): { batch: boolean; items: LearnItem[] } {
  const policy = policyFor(model, limits);
  if (exclusive(body, ["x", "id", "y", "event_id"]) === "one")
    return { batch: false, items: [learnItem(body, "", model, policy)] };
  const items = (body.instances as Body[]).map((o, i) => learnItem(o, `instances[${i}].`, model, policy));
  return { batch: true, items };
}

/** One line of a stream of examples (checked against the line schema first): `{"x", "y"}` or `{"id", "y"}`. */
export function learnLine(line: Body, model: ServedModel, policy: FeaturePolicy): LearnItem {
  return learnItem(line, "", model, policy);
}

/** The example of the original `PUT /update_model`: `{"x", "y"}`, and nothing else matters. */
export function compatLearnRequest(body: Body, model: ServedModel, limits: Limits): LearnItem[] {
  return [learnItem({ x: body.x, y: body.y }, "", model, policyFor(model, limits))];
}

function learnItem(o: Body, prefix: string, model: ServedModel, policy: FeaturePolicy): LearnItem {
  const id = o.id as string | undefined;
  if (id !== undefined && o.x !== undefined) {
    throw brookError("INVALID_REQUEST", `send either ${prefix}x or ${prefix}id, not both`, {
      path: `${prefix}id`,
    });
  }
  // A forecaster's x (exogenous features) is optional.
  const x =
    id !== undefined
      ? undefined
      : model.task === "forecasting" && o.x === undefined
        ? EMPTY
        : toFeatures(o.x, `${prefix}x`, policy);
  if (o.y === undefined && model.task !== "anomaly") {
    throw brookError("INVALID_TARGET", `${prefix}y is missing: a learn request needs the true target`, {
      path: `${prefix}y`,
    });
  }
  if (typeof o.y === "string" && o.y.length > policy.maxStringLength) {
    throw limitError(
      "max-string-length",
      policy.maxStringLength,
      `${prefix}y is a string of ${o.y.length} characters, more than the limit of ${policy.maxStringLength}`,
      { path: `${prefix}y` },
    );
  }
  const y = normalizeTarget(model.task, o.y, `${prefix}y`);
  return { x, id, y, eventId: o.event_id as string | undefined };
}

const EMPTY: RawFeatures = new Map();

/**
 * A forecast request: `{"horizon": h}`, with `"xs"`, one feature object per step, for
 * forecasters that take exogenous features.
 */
export function forecastRequest(
  body: Body,
  policy: FeaturePolicy,
): { horizon: number; xs: RawFeatures[] | undefined } {
  const h = (body.horizon as number | undefined) ?? 1;
  if (body.xs === undefined) return { horizon: h, xs: undefined };
  if (!Array.isArray(body.xs) || body.xs.length !== h) {
    throw brookError("INVALID_REQUEST", `xs must be a list of ${h} feature objects, one per forecast step`, {
      path: "xs",
    });
  }
  return { horizon: h, xs: body.xs.map((x, i) => toFeatures(x, `xs[${i}]`, policy)) };
}
