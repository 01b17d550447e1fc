import type { Config } from "../../config/config.js";
import { brookError } from "../../errors.js";
import type { Features, Task } from "../../learn/index.js";
import type { LearnExample } from "../../models/model-host.js";
import { normalizeTarget } from "../../models/targets.js";
import { toFeatures } from "./features.js";

type Limits = Pick<Config, "maxBatch" | "maxFeatures">;

/** The body as a JSON object, or a 400 naming what came instead. */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw brookError(
      "INVALID_REQUEST",
      `the body must be a JSON object, got ${body === null ? "null" : Array.isArray(body) ? "an array" : typeof body}`,
    );
  }
  return body as Record<string, unknown>;
}

/** Rejects fields the route does not know (a typo would otherwise be silently ignored). */
export function onlyFields(body: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) {
      throw brookError(
        "INVALID_REQUEST",
        `unknown field "${key}" (expected ${allowed.map((a) => `"${a}"`).join(", ")})`,
        {
          path: key,
        },
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

function exclusive(body: Record<string, unknown>): "one" | "many" {
  const hasX = body.x !== undefined;
  const hasMany = body.instances !== undefined;
  if (hasX && hasMany) throw brookError("INVALID_REQUEST", 'send either "x" or "instances", not both');
  return hasMany ? "many" : "one";
}

/** Features of a predict request: `{"x": {...}}` or `{"instances": [{...}, ...]}`. */
export function predictRequest(
  body: unknown,
  limits: Limits,
  extra: readonly string[] = [],
): {
  batch: boolean;
  xs: Features[];
} {
  const b = bodyObject(body);
  onlyFields(b, ["x", "instances", ...extra]);
  if (exclusive(b) === "one") return { batch: false, xs: [toFeatures(b.x, "x", limits.maxFeatures)] };
  const xs = batch(b, limits).map((item, i) => {
    // An instance is a feature object, or {"x": {...}} like a learn instance.
    const wrapped =
      typeof item === "object" &&
      item !== null &&
      Object.keys(item).length === 1 &&
      typeof (item as { x?: unknown }).x === "object";
    return wrapped
      ? toFeatures((item as { x: unknown }).x, `instances[${i}].x`, limits.maxFeatures)
      : toFeatures(item, `instances[${i}]`, limits.maxFeatures);
  });
  return { batch: true, xs };
}

/** Examples of a learn request: `{"x": {...}, "y": ...}` or `{"instances": [{"x", "y"}, ...]}`. */
export function learnRequest(
  body: unknown,
  task: Task,
  limits: Limits,
  options: { strict?: boolean } = {},
): { batch: boolean; examples: LearnExample[] } {
  const b = bodyObject(body);
  if (options.strict !== false) onlyFields(b, ["x", "y", "instances"]);
  if (exclusive(b) === "one") {
    return { batch: false, examples: [example(b, "", task, limits)] };
  }
  if (b.y !== undefined)
    throw brookError("INVALID_REQUEST", 'with "instances", give each instance its own "y"');
  const examples = batch(b, limits).map((item, i) => {
    const path = `instances[${i}]`;
    const o = item as Record<string, unknown>;
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      throw brookError("INVALID_REQUEST", `${path} must be an object {"x": {...}, "y": ...}`, { path });
    }
    onlyFields(o, ["x", "y"]);
    return example(o, `${path}.`, task, limits);
  });
  return { batch: true, examples };
}

function example(o: Record<string, unknown>, prefix: string, task: Task, limits: Limits): LearnExample {
  const x = toFeatures(o.x, `${prefix}x`, limits.maxFeatures);
  if (o.y === undefined) {
    throw brookError("INVALID_TARGET", `${prefix}y is missing: a learn request needs the true target`, {
      path: `${prefix}y`,
    });
  }
  return { x, y: normalizeTarget(task, o.y, `${prefix}y`) };
}
