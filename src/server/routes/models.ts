import type { FastifyInstance } from "fastify";
import type { Config } from "../../config/config.js";
import { splitMetrics } from "../../config/config.js";
import { brookError } from "../../errors.js";
import type { Json } from "../../learn/index.js";
import { type Backend, checkpointJson } from "../../runtime/backend.js";
import { learnModel, predictModel } from "../handlers.js";
import { bodyObject, forecastRequest, onlyFields, policyFor } from "../validation/requests.js";

interface NameParams {
  name: string;
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
export function modelRoutes(backend: Backend, config: Config) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get("/", async () => ({ models: await backend.list() }));

    app.put<{ Params: NameParams }>("/:name", async (request, reply) => {
      const b = bodyObject(request.body);
      onlyFields(b, ["spec", "metrics", "drift"]);
      if (typeof b.spec !== "string" && (typeof b.spec !== "object" || b.spec === null)) {
        throw brookError(
          "INVALID_REQUEST",
          'spec is required: a spec string ("StandardScaler | LogisticRegression") or its JSON',
          {
            path: "spec",
          },
        );
      }
      if (b.drift !== undefined && typeof b.drift !== "string") {
        throw brookError(
          "INVALID_REQUEST",
          'drift must be a drift detector spec, e.g. "ADWIN" or "PageHinkley(threshold=20)"',
          {
            path: "drift",
          },
        );
      }
      const drift = b.drift as string | undefined;
      const { details, created } = await backend.create(
        request.params.name,
        b.spec as Json,
        metricsField(b.metrics),
        drift,
      );
      return reply.code(created ? 201 : 200).send(details);
    });

    app.delete<{ Params: NameParams }>("/:name", async (request, reply) => {
      await backend.delete(request.params.name);
      return reply.code(204).send();
    });

    app.get<{ Params: NameParams }>("/:name", async (request) => backend.details(request.params.name));

    app.post<{ Params: NameParams }>("/:name/predict", async (request) =>
      predictModel(backend, config, request.params.name, request.body),
    );

    app.post<{ Params: NameParams }>("/:name/learn", async (request) =>
      learnModel(backend, config, request.params.name, request.body),
    );

    app.post<{ Params: NameParams }>("/:name/forecast", async (request) => {
      const host = backend.host(request.params.name);
      const { horizon, xs } = forecastRequest(request.body, policyFor(host, config));
      return { model: host.name, version: host.version, forecast: host.forecast(horizon, xs) };
    });

    app.get<{ Params: NameParams }>("/:name/metrics", async (request) => {
      const host = backend.host(request.params.name);
      return {
        model: host.name,
        version: host.version,
        metrics: host.metricValues(),
        text: host.metricTexts(),
      };
    });

    app.get<{ Params: NameParams }>("/:name/export", async (request) =>
      backend.host(request.params.name).export(),
    );

    app.get<{ Params: NameParams }>("/:name/checkpoints", async (request) => {
      const { version, checkpoints } = await backend.checkpoints(request.params.name);
      return { model: request.params.name, version, checkpoints: checkpoints.map(checkpointJson) };
    });

    app.post<{ Params: NameParams }>("/:name/checkpoints", async (request, reply) => {
      const info = await backend.checkpoint(request.params.name);
      return reply.code(201).send({ model: request.params.name, checkpoint: checkpointJson(info) });
    });

    app.post<{ Params: NameParams }>("/:name/rollback", async (request) => {
      const b = bodyObject(request.body);
      onlyFields(b, ["version"]);
      if (typeof b.version !== "number" || !Number.isSafeInteger(b.version) || b.version < 0) {
        throw brookError("INVALID_REQUEST", "version must be a non-negative integer", { path: "version" });
      }
      const r = await backend.rollback(request.params.name, b.version);
      return {
        model: request.params.name,
        version: r.version,
        restored: checkpointJson(r.checkpoint),
        learned: r.learned,
      };
    });

    app.post<{ Params: NameParams }>("/:name/import", async (request) => {
      const r = await backend.import(request.params.name, bodyObject(request.body));
      return { model: request.params.name, version: r.version, learned: r.learned };
    });
  };
}
