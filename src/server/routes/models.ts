import type { FastifyInstance } from "fastify";
import type { Config } from "../../config/config.js";
import type { ModelHost } from "../../models/model-host.js";
import type { Engine } from "../../runtime/engine.js";
import { predictionJson } from "../serialize.js";
import { learnRequest, predictRequest } from "../validation/requests.js";

interface NameParams {
  name: string;
}

function summary(host: ModelHost) {
  return { name: host.name, spec: host.spec, task: host.task, version: host.version };
}

/** The versioned JSON API, one set of routes per named model, under `/v1/models`. */
export function modelRoutes(engine: Engine, config: Config) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get("/", async () => ({ models: engine.registry.list().map(summary) }));

    app.get<{ Params: NameParams }>("/:name", async (request) => {
      const host = engine.host(request.params.name);
      return {
        ...summary(host),
        kind: host.model.kind,
        params: host.params(),
        learned: host.version,
        metrics: host.metricValues(),
        metrics_text: host.metricTexts(),
        created_at: host.createdAt.toISOString(),
        updated_at: host.updatedAt.toISOString(),
      };
    });

    app.post<{ Params: NameParams }>("/:name/predict", async (request) => {
      const host = engine.host(request.params.name);
      const { batch, xs } = predictRequest(request.body, config);
      if (!batch) return { model: host.name, version: host.version, ...predictionJson(host.predict(xs[0]!)) };
      return {
        model: host.name,
        version: host.version,
        predictions: xs.map((x) => predictionJson(host.predict(x))),
      };
    });

    app.post<{ Params: NameParams }>("/:name/learn", async (request) => {
      const host = engine.host(request.params.name);
      const { examples } = learnRequest(request.body, host.task, config);
      const result = await engine.learn(host.name, examples);
      return { model: host.name, version: result.version, learned: result.learned, metrics: result.metrics };
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
  };
}
