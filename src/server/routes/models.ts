/** The versioned JSON API, one set of routes per named model, under `/v1/models`. */

import { Type } from "@sinclair/typebox";
import type { Config } from "../../config/config.js";
import { splitMetrics } from "../../config/config.js";
import { brookError } from "../../errors.js";
import type { Json } from "../../learn/index.js";
import { checkpointJson } from "../../models/describe.js";
import type { PredictOutcome, ServedModel } from "../../models/served-model.js";
import type { Backend } from "../backend.js";
import { predictionJson, probaJson } from "../serialize.js";
import {
  forecastRequest,
  learnRequest,
  type PredictRequest,
  policyFor,
  predictRequest,
} from "../validation/requests.js";
import {
  Checkpoint,
  CheckpointList,
  CreateModelBody,
  ForecastResponse,
  forecastBody,
  ImportBody,
  LearnResponse,
  learnBody,
  MetricsResponse,
  MinVersionQuery,
  ModelDetails,
  ModelList,
  PredictResponse,
  predictBody,
  RollbackBody,
} from "../validation/schemas.js";
import { type Answer, type AnyRoute, route } from "./route.js";

const MODEL = "/v1/models/:name";

/** `metrics` of a create request: a list of specs or one comma-separated string. */
function metricsField(v: unknown): string[] {
  if (v === undefined) return [];
  if (typeof v === "string") return splitMetrics(v);
  if (Array.isArray(v) && v.every((m) => typeof m === "string")) return v;
  throw brookError("INVALID_REQUEST", 'metrics must be a list of metric specs, e.g. ["ROCAUC", "Accuracy"]', {
    path: "metrics",
  });
}

export function modelRoutes(backend: Backend, config: Config): AnyRoute[] {
  return [
    route({
      method: "GET",
      path: "/v1/models",
      summary: "The models served",
      tag: "models",
      scope: "predict",
      response: { schema: ModelList },
      handle: async () => ({ json: { models: await backend.ops.list() } }),
    }),
    route({
      method: "PUT",
      path: MODEL,
      summary: "Creates a model (201), or finds it with the same spec (200); another spec is a 409",
      tag: "models",
      scope: "admin",
      body: CreateModelBody,
      response: { status: 201, schema: ModelDetails },
      async handle({ params, body }) {
        if (typeof body.spec !== "string" && (typeof body.spec !== "object" || body.spec === null)) {
          throw brookError(
            "INVALID_REQUEST",
            'spec is required: a spec string ("StandardScaler | LogisticRegression") or its JSON',
            { path: "spec" },
          );
        }
        const { details, created } = await backend.ops.create(
          params.name!,
          body.spec as Json,
          metricsField(body.metrics),
          body.drift,
        );
        return { status: created ? 201 : 200, json: details };
      },
    }),
    route({
      method: "DELETE",
      path: MODEL,
      summary: "Deletes a model and all its data",
      tag: "models",
      scope: "admin",
      response: { status: 204 },
      async handle({ params }) {
        await backend.ops.delete(params.name!);
        return { status: 204, empty: true };
      },
    }),
    route({
      method: "GET",
      path: MODEL,
      summary: "A model's spec, params, version, metrics, pending labels, checkpoints, drift, replicas",
      tag: "models",
      scope: "predict",
      response: { schema: ModelDetails },
      handle: async ({ params }) => ({ json: await backend.ops.details(params.name!) }),
    }),
    route({
      method: "POST",
      path: `${MODEL}/predict`,
      summary: "Predicts one example or a batch; optionally remembers them for labels that come later",
      tag: "models",
      scope: "predict",
      hot: true,
      body: predictBody(config),
      response: { schema: PredictResponse },
      handle({ params, body }) {
        const model = backend.model(params.name!);
        const req = predictRequest(body, policyFor(model, config));
        // Synchronous unless it has to wait or remember (a promise per request costs throughput).
        return readAt(model, req.minVersion, config.readWaitMs, () => predictNow(backend, model, req));
      },
    }),
    route({
      method: "POST",
      path: `${MODEL}/learn`,
      summary: "Learns examples (or the labels of remembered predictions), in order, all or nothing",
      tag: "models",
      scope: "learn",
      hot: true,
      body: learnBody(config),
      response: { schema: LearnResponse },
      async handle({ params, body }) {
        const model = backend.model(params.name!);
        const { batch, items } = learnRequest(body, model, config);
        const r = await backend.ops.learn(params.name!, items);
        const json: Record<string, unknown> = {
          model: model.name,
          version: r.version,
          seq: r.seq,
          learned: r.learned,
          metrics: r.metrics,
        };
        if (r.duplicates > 0) json[batch ? "duplicates" : "duplicate"] = batch ? r.duplicates : true;
        return { json };
      },
    }),
    route({
      method: "POST",
      path: `${MODEL}/forecast`,
      summary: "The next values of a forecaster",
      tag: "models",
      scope: "predict",
      body: forecastBody(config),
      response: { schema: ForecastResponse },
      handle({ params, body }) {
        const model = backend.model(params.name!);
        const { horizon, xs } = forecastRequest(body, policyFor(model, config));
        return readAt(model, body.min_version, config.readWaitMs, () => ({
          json: { model: model.name, version: model.version, forecast: model.forecast(horizon, xs) },
        }));
      },
    }),
    route({
      method: "GET",
      path: `${MODEL}/metrics`,
      summary: "The live metrics (progressive validation) and River's texts",
      tag: "models",
      scope: "predict",
      query: MinVersionQuery,
      response: { schema: MetricsResponse },
      handle({ params, query }) {
        const model = backend.model(params.name!);
        return readAt(model, minVersionOf(query), config.readWaitMs, () => ({
          json: {
            model: model.name,
            version: model.version,
            metrics: model.metricValues(),
            text: model.metricTexts(),
          },
        }));
      },
    }),
    route({
      method: "GET",
      path: `${MODEL}/export`,
      summary: "The learned state: enough to rebuild the exact model elsewhere",
      tag: "admin",
      scope: "admin",
      query: MinVersionQuery,
      handle({ params, query }) {
        const model = backend.model(params.name!);
        return readAt(model, minVersionOf(query), config.readWaitMs, () => ({ json: model.export() }));
      },
    }),
    route({
      method: "POST",
      path: `${MODEL}/import`,
      summary: "Warm start: the model takes an exported state (same spec)",
      tag: "admin",
      scope: "admin",
      body: ImportBody,
      response: {
        schema: Type.Object({ model: Type.String(), version: Type.Integer(), learned: Type.Integer() }),
      },
      async handle({ params, body }) {
        const r = await backend.ops.import(params.name!, body);
        return { json: { model: params.name, version: r.version, learned: r.learned } };
      },
    }),
    route({
      method: "GET",
      path: `${MODEL}/checkpoints`,
      summary: "The model's checkpoints",
      tag: "admin",
      scope: "admin",
      response: { schema: CheckpointList },
      async handle({ params }) {
        const { version, checkpoints } = await backend.ops.checkpoints(params.name!);
        return { json: { model: params.name, version, checkpoints: checkpoints.map(checkpointJson) } };
      },
    }),
    route({
      method: "POST",
      path: `${MODEL}/checkpoints`,
      summary: "Takes a checkpoint now",
      tag: "admin",
      scope: "admin",
      response: { status: 201, schema: Type.Object({ model: Type.String(), checkpoint: Checkpoint }) },
      async handle({ params }) {
        const info = await backend.ops.checkpoint(params.name!);
        return { status: 201, json: { model: params.name, checkpoint: checkpointJson(info) } };
      },
    }),
    route({
      method: "POST",
      path: `${MODEL}/rollback`,
      summary: "Back to the newest checkpoint at or before a version (logged, so a replay reproduces it)",
      tag: "admin",
      scope: "admin",
      body: RollbackBody,
      response: {
        schema: Type.Object({
          model: Type.String(),
          version: Type.Integer(),
          restored: Checkpoint,
          learned: Type.Integer(),
        }),
      },
      async handle({ params, body }) {
        const r = await backend.ops.rollback(params.name!, body.version);
        return {
          json: {
            model: params.name,
            version: r.version,
            restored: checkpointJson(r.checkpoint),
            learned: r.learned,
          },
        };
      },
    }),
  ];
}

/**
 * Runs a read once the local model has `minVersion` (read-your-writes on a replica that may
 * lag): at once when it has it, else after a bounded wait, or a 503 when the wait runs out.
 */
function readAt(
  model: ServedModel,
  minVersion: number | undefined,
  waitMs: number,
  read: () => Answer | Promise<Answer>,
): Answer | Promise<Answer> {
  if (minVersion === undefined || model.version >= minVersion) return read();
  return model.whenVersion(minVersion, waitMs).then(read);
}

function minVersionOf(query: Record<string, string>): number | undefined {
  return query.min_version === undefined ? undefined : Number(query.min_version);
}

function predictNow(backend: Backend, model: ServedModel, req: PredictRequest) {
  const version = model.version;
  const outcomes = req.xs.map((x) => model.predict(x));
  const keep = req.remember.flatMap((id, i) => (id === undefined ? [] : [{ i, id }]));
  if (keep.length === 0)
    return { json: predictionsJson(model.name, version, req.batch, outcomes, undefined) };
  const items = keep.map(({ i, id }) => ({ x: req.xs[i]!, outcome: outcomes[i]!, id: id ?? undefined }));
  return backend.ops.remember(model.name, items).then((given) => {
    const ids: (string | undefined)[] = new Array(outcomes.length);
    for (const [k, { i }] of keep.entries()) ids[i] = given[k];
    return { json: predictionsJson(model.name, version, req.batch, outcomes, ids) };
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
