import type { FastifyInstance } from "fastify";
import type { Config } from "../../config/config.js";
import { splitMetrics } from "../../config/config.js";
import { brookError } from "../../errors.js";
import type { Json } from "../../learn/index.js";
import type { ModelWriter } from "../../models/writer.js";
import type { Engine } from "../../runtime/engine.js";
import type { CheckpointInfo } from "../../store/ports.js";
import { learnModel, predictModel } from "../handlers.js";
import { bodyObject, forecastRequest, onlyFields, policyFor } from "../validation/requests.js";

interface NameParams {
  name: string;
}

function summary(w: ModelWriter) {
  const h = w.host;
  return { name: h.name, spec: h.spec, task: h.task, version: h.version };
}

function checkpointJson(c: CheckpointInfo) {
  return { seq: c.seq, version: c.version, created_at: c.createdAt, bytes: c.bytes };
}

/** Details of a model: spec, params, position in its log, metrics, pending labels, checkpoints. */
function details(w: ModelWriter) {
  const h = w.host;
  const checkpoints = w.listCheckpoints();
  return {
    ...summary(w),
    kind: h.model.kind,
    params: h.params(),
    seq: h.seq,
    learned: h.learned,
    metrics: h.metricValues(),
    metrics_text: h.metricTexts(),
    pending: { waiting: w.pending.size, ...w.pending.counters },
    checkpoints: {
      count: checkpoints.length,
      latest: checkpoints.length ? checkpointJson(checkpoints[checkpoints.length - 1]!) : null,
    },
    ...(h.drift ? { drift: { detector: w.record.drift, detections: h.drift.detections, recent: h.drift.recent } } : {}),
    created_at: w.record.createdAt,
    updated_at: h.updatedAt.toISOString(),
  };
}

/** `metrics` of a create request: a list of specs or one comma-separated string. */
function metricsField(v: unknown): string[] {
  if (v === undefined) return [];
  if (typeof v === "string") return splitMetrics(v);
  if (Array.isArray(v) && v.every((m) => typeof m === "string")) return v;
  throw brookError("INVALID_REQUEST", 'metrics must be a list of metric specs, e.g. ["ROCAUC", "Accuracy"]', {
    path: "metrics",
  });
}

/** The versioned JSON API, one set of routes per named model, under `/v1/models`. */
export function modelRoutes(engine: Engine, config: Config) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get("/", async () => ({ models: engine.list().map(summary) }));

    app.put<{ Params: NameParams }>("/:name", async (request, reply) => {
      const b = bodyObject(request.body);
      onlyFields(b, ["spec", "metrics", "drift"]);
      if (b.drift !== undefined && typeof b.drift !== "string") {
        throw brookError("INVALID_REQUEST", 'drift must be a drift detector spec, e.g. "ADWIN" or "PageHinkley(threshold=20)"', {
          path: "drift",
        });
      }
      if (typeof b.spec !== "string" && (typeof b.spec !== "object" || b.spec === null)) {
        throw brookError(
          "INVALID_REQUEST",
          'spec is required: a spec string ("StandardScaler | LogisticRegression") or its JSON',
          { path: "spec" },
        );
      }
      const { writer, created } = await engine.create(
        request.params.name,
        b.spec as Json,
        metricsField(b.metrics),
        b.drift as string | undefined,
      );
      return reply.code(created ? 201 : 200).send(details(writer));
    });

    app.delete<{ Params: NameParams }>("/:name", async (request, reply) => {
      await engine.delete(request.params.name);
      return reply.code(204).send();
    });

    app.get<{ Params: NameParams }>("/:name", async (request) => details(engine.writer(request.params.name)));

    app.post<{ Params: NameParams }>("/:name/predict", async (request) =>
      predictModel(engine, config, request.params.name, request.body),
    );

    app.post<{ Params: NameParams }>("/:name/learn", async (request) =>
      learnModel(engine, config, request.params.name, request.body),
    );

    app.post<{ Params: NameParams }>("/:name/forecast", async (request) => {
      const host = engine.host(request.params.name);
      const { horizon, xs } = forecastRequest(request.body, policyFor(host, config));
      return { model: host.name, version: host.version, forecast: host.forecast(horizon, xs) };
    });

    app.get<{ Params: NameParams }>("/:name/metrics", async (request) => {
      const host = engine.host(request.params.name);
      return {
        model: host.name,
        version: host.version,
        metrics: host.metricValues(),
        text: host.metricTexts(),
      };
    });

    app.get<{ Params: NameParams }>("/:name/export", async (request) =>
      engine.host(request.params.name).export(),
    );

    app.get<{ Params: NameParams }>("/:name/checkpoints", async (request) => {
      const w = engine.writer(request.params.name);
      return {
        model: w.host.name,
        version: w.host.version,
        checkpoints: w.listCheckpoints().map(checkpointJson),
      };
    });

    app.post<{ Params: NameParams }>("/:name/checkpoints", async (request, reply) => {
      const info = await engine.checkpoint(request.params.name);
      return reply.code(201).send({ model: request.params.name, checkpoint: checkpointJson(info) });
    });

    app.post<{ Params: NameParams }>("/:name/rollback", async (request) => {
      const w = engine.writer(request.params.name);
      const b = bodyObject(request.body);
      onlyFields(b, ["version"]);
      if (typeof b.version !== "number" || !Number.isSafeInteger(b.version) || b.version < 0) {
        throw brookError("INVALID_REQUEST", "version must be a non-negative integer", { path: "version" });
      }
      const r = await w.rollback(b.version);
      return {
        model: w.host.name,
        version: r.version,
        restored: checkpointJson(r.checkpoint),
        learned: w.host.learned,
      };
    });

    app.post<{ Params: NameParams }>("/:name/import", async (request) => {
      const w = engine.writer(request.params.name);
      const r = await w.import(bodyObject(request.body));
      return { model: w.host.name, version: r.version, learned: w.host.learned };
    });
  };
}
