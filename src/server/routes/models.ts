/** The versioned JSON API, one set of routes per named model, under `/v1/models`. */

import { Type } from "@sinclair/typebox";
import type { Config } from "../../config/config.js";
import { splitMetrics } from "../../config/config.js";
import { brookError, limitError } from "../../errors.js";
import type { Json } from "../../learn/index.js";
import { checkpointJson } from "../../models/describe.js";
import type { PredictOutcome, ServedModel } from "../../models/served-model.js";
import type { Backend } from "../backend.js";
import { checkSameSpec, creationFromExport } from "../import-plan.js";
import { metricsJson } from "../metrics-json.js";
import type { Telemetry } from "../observability/telemetry.js";
import { predictionJson, probaJson } from "../serialize.js";
import { staleHeaders } from "../stale.js";
import {
  forecastRequest,
  learnRequest,
  type PredictRequest,
  policyFor,
  predictRequest,
} from "../validation/requests.js";
import {
  CheckpointCreated,
  CheckpointList,
  CreateModelBody,
  ExportResponse,
  ForecastResponse,
  forecastBody,
  ImportBody,
  ImportResponse,
  LearnResponse,
  learnBody,
  learnLineSchema,
  MetricsResponse,
  MinVersionQuery,
  ModelDetails,
  ModelList,
  PredictResponse,
  predictBody,
  RollbackBody,
  RollbackResponse,
  StreamLearnResponse,
} from "../validation/schemas.js";
import { learnStream } from "./learn-stream.js";
import { countedLearn, learnFields } from "./learning.js";
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

/** Details as JSON: a confusion matrix shown as its matrix (from the model answering here). */
function detailsJson(backend: Backend, details: Record<string, unknown>): Record<string, unknown> {
  const name = details.name as string;
  let model: ServedModel;
  try {
    model = backend.model(name);
  } catch {
    return details;
  }
  return { ...details, metrics: metricsJson(model, details.metrics as Record<string, number>) };
}

/** Whether a model is served here. */
function exists(backend: Backend, name: string): boolean {
  try {
    backend.model(name);
    return true;
  } catch {
    return false;
  }
}

export function modelRoutes(backend: Backend, config: Config, telemetry: Telemetry): AnyRoute[] {
  return [
    route({
      method: "GET",
      path: "/v1/models",
      summary: "The models served",
      tag: "models",
      scope: "predict",
      response: { schema: ModelList },
      // A key limited to some models sees only those.
      handle: async ({ caller }) => {
        const models = await backend.ops.list();
        const mine = caller.models;
        return { json: { models: mine ? models.filter((m) => mine.has(m.name)) : models } };
      },
    }),
    route({
      method: "PUT",
      path: MODEL,
      summary: "Creates a model (201), or finds it with the same spec (200); another spec is a 409",
      tag: "models",
      scope: "admin",
      body: CreateModelBody,
      response: { status: 201, otherStatuses: [200], schema: ModelDetails },
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
        return { status: created ? 201 : 200, json: detailsJson(backend, details) };
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
      handle: async ({ params }) => ({ json: detailsJson(backend, await backend.ops.details(params.name!)) }),
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
        const stale = staleHeaders(backend, model.name);
        const req = predictRequest(body, policyFor(model, config));
        telemetry.models.predicted(model.name, req.xs.length);
        // Synchronous unless it has to wait or remember (a promise per request costs throughput).
        return readAt(model, req.minVersion, config.readWaitMs, () => predictNow(backend, model, req, stale));
      },
    }),
    route({
      method: "POST",
      path: `${MODEL}/learn`,
      summary:
        "Learns examples (or the labels of remembered predictions), in order, all or nothing; or a stream of them as JSON lines (application/x-ndjson), bad lines refused one by one",
      tag: "models",
      scope: "learn",
      hot: true,
      body: learnBody(config),
      streamed: {
        type: "application/x-ndjson",
        line: learnLineSchema(config),
        handle: learnStream(backend, config, telemetry, learnLineSchema(config)),
      },
      response: { schema: Type.Union([LearnResponse, StreamLearnResponse]) },
      async handle({ params, body }) {
        let batch = false;
        const { model, result: r } = await countedLearn(backend, telemetry, params.name!, (model) => {
          const req = learnRequest(body, model, config);
          batch = req.batch;
          return backend.ops.learn(model.name, req.items);
        });
        const json: Record<string, unknown> = learnFields(model, r);
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
        const stale = staleHeaders(backend, model.name);
        const { horizon, xs } = forecastRequest(body, policyFor(model, config));
        // A forecast runs on the event loop: its work is bounded, so that /healthz stays answered.
        const work = horizon * model.forecastLags;
        if (work > config.maxForecastWork) {
          throw limitError(
            "max-forecast-work",
            config.maxForecastWork,
            `a forecast of ${horizon} steps by model "${model.name}" (${model.forecastLags} lags each) is ${work} units of work, more than the limit of ${config.maxForecastWork}: ask for a shorter horizon`,
            { work },
          );
        }
        return readAt(model, body.min_version, config.readWaitMs, () => {
          const json: Record<string, unknown> = {
            model: model.name,
            version: model.version,
            forecast: model.forecast(horizon, xs),
          };
          if (!stale) return { json };
          json.stale = true;
          return { json, headers: stale };
        });
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
            metrics: metricsJson(model, model.metricValues()),
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
      response: { schema: ExportResponse },
      handle({ params, query }) {
        const model = backend.model(params.name!);
        return readAt(model, minVersionOf(query), config.readWaitMs, () => ({ json: model.export() }));
      },
    }),
    route({
      method: "POST",
      path: `${MODEL}/import`,
      summary:
        "Warm start: the model takes an exported state (same spec); a name that does not exist is created from the export's spec and metrics",
      tag: "admin",
      scope: "admin",
      body: ImportBody,
      response: { schema: ImportResponse },
      async handle({ params, body }) {
        const name = params.name!;
        let created = false;
        if (exists(backend, name)) {
          checkSameSpec(backend.model(name), body);
        } else {
          const plan = creationFromExport(body);
          created = (await backend.ops.create(name, plan.spec, plan.metrics, plan.drift)).created;
        }
        const r = await backend.ops.import(name, body);
        return { json: { model: name, version: r.version, learned: r.learned, created } };
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
      response: { status: 201, schema: CheckpointCreated },
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
      response: { schema: RollbackResponse },
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

function predictNow(
  backend: Backend,
  model: ServedModel,
  req: PredictRequest,
  stale: Record<string, string> | undefined,
): Answer | Promise<Answer> {
  const version = model.version;
  const outcomes = req.xs.map((x) => model.predict(x));
  const keep = req.remember.flatMap((id, i) => (id === undefined ? [] : [{ i, id }]));
  const answer = (json: Record<string, unknown>): Answer => {
    if (!stale) return { json };
    json.stale = true;
    return { json, headers: stale };
  };
  if (keep.length === 0) return answer(predictionsJson(model.name, version, req.batch, outcomes, undefined));
  const items = keep.map(({ i, id }) => ({ x: req.xs[i]!, outcome: outcomes[i]!, id: id ?? undefined }));
  return backend.ops.remember(model.name, items).then((given) => {
    const ids: (string | undefined)[] = new Array(outcomes.length);
    for (const [k, { i }] of keep.entries()) ids[i] = given[k];
    return answer(predictionsJson(model.name, version, req.batch, outcomes, ids));
  });
}

function predictionsJson(
  model: string,
  version: number,
  batch: boolean,
  outcomes: PredictOutcome[],
  ids: (string | undefined)[] | undefined,
): Record<string, unknown> {
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
