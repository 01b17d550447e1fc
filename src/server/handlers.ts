import type { Config } from "../config/config.js";
import type { ModelHost, PredictOutcome } from "../models/model-host.js";
import type { Backend } from "../runtime/backend.js";
import { predictionJson, probaJson, pythonStr } from "./serialize.js";
import { learnRequest, type PredictRequest, policyFor, predictRequest } from "./validation/requests.js";

/**
 * The hot routes' logic, independent of the HTTP framework: Fastify's routes and the fast lane
 * (see fast-lane.ts) both call these, so they answer exactly the same.
 */

/** The model the original routes serve. */
export const SEED_MODEL = "default";

/** A response: JSON, or text as the original app answered. */
export type Answer = { json: unknown } | { text: string };

/**
 * `POST /v1/models/{name}/predict`: one prediction or a batch, optionally remembered for a
 * later label; with `min_version`, waits (bounded) until the local model has that version.
 * Synchronous unless it has to wait or remember (a promise per request costs throughput).
 */
export function predictModel(backend: Backend, config: Config, name: string, body: unknown): unknown {
  const host = backend.host(name);
  const req = predictRequest(body, policyFor(host, config), config);
  if (req.minVersion !== undefined && host.version < req.minVersion) {
    return host
      .whenVersion(req.minVersion, config.readWaitMs)
      .then(() => predictNow(backend, host, name, req));
  }
  return predictNow(backend, host, name, req);
}

function predictNow(backend: Backend, host: ModelHost, name: string, req: PredictRequest): unknown {
  const version = host.version;
  const outcomes = req.xs.map((x) => host.predict(x));
  const keep = req.remember.flatMap((id, i) => (id === undefined ? [] : [{ i, id }]));
  if (keep.length === 0) return predictionsJson(host.name, version, req.batch, outcomes, undefined);
  const items = keep.map(({ i, id }) => ({ x: req.xs[i]!, outcome: outcomes[i]!, id: id ?? undefined }));
  return backend.remember(name, items).then((given) => {
    const ids: (string | undefined)[] = new Array(outcomes.length);
    for (const [k, { i }] of keep.entries()) ids[i] = given[k];
    return predictionsJson(host.name, version, req.batch, outcomes, ids);
  });
}

function predictionsJson(
  model: string,
  version: number,
  batch: boolean,
  outcomes: PredictOutcome[],
  ids: (string | undefined)[] | undefined,
): unknown {
  if (!batch) {
    const o = outcomes[0]!;
    const single: Record<string, unknown> = o.score
      ? { model, version, score: o.prediction }
      : { model, version, prediction: o.prediction ?? null };
    if (o.probabilities) single.probabilities = probaJson(o.probabilities);
    if (ids?.[0] !== undefined) single.id = ids[0];
    return single;
  }
  const predictions = outcomes.map((o, i) => {
    const json: Record<string, unknown> = predictionJson(o);
    if (ids?.[i] !== undefined) json.id = ids[i];
    return json;
  });
  return { model, version, predictions };
}

/** `POST /v1/models/{name}/learn`: examples or labels of remembered predictions, applied in order. */
export async function learnModel(
  backend: Backend,
  config: Config,
  name: string,
  body: unknown,
): Promise<unknown> {
  const host = backend.host(name);
  const { batch, items } = learnRequest(body, host, config);
  const r = await backend.learn(name, items);
  const out: Record<string, unknown> = {
    model: host.name,
    version: r.version,
    seq: r.seq,
    learned: r.learned,
    metrics: r.metrics,
  };
  if (r.duplicates > 0) out[batch ? "duplicates" : "duplicate"] = batch ? r.duplicates : true;
  return out;
}

/** `POST /predict` of the original app: the label as Python prints it, or JSON when asked. */
export function predictSeed(backend: Backend, config: Config, body: unknown, json: boolean): Answer {
  const host = backend.host(SEED_MODEL);
  // The original read only "x" and ignored the rest.
  const { xs } = predictRequest(body, policyFor(host, config), config, { strict: false });
  const outcome = host.predict(xs[0]!);
  if (json) return { json: { model: host.name, version: host.version, ...predictionJson(outcome) } };
  return { text: pythonStr(outcome.prediction, host.task === "regression") };
}

/** `PUT /update_model` of the original app: predict, learn, score, and answer the metric text. */
export async function learnSeed(
  backend: Backend,
  config: Config,
  body: unknown,
  json: boolean,
): Promise<Answer> {
  const host = backend.host(SEED_MODEL);
  const { items } = learnRequest(body, host, config, { strict: false });
  const result = await backend.learn(SEED_MODEL, items, { texts: true });
  const text = result.texts.join(", ");
  if (json) return { json: { model: host.name, version: result.version, metrics: result.metrics, text } };
  return { text };
}

/** Whether an Accept header asks for JSON. */
export function acceptsJson(accept: string | undefined): boolean {
  return accept?.includes("application/json") ?? false;
}
