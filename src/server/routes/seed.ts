import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Config } from "../../config/config.js";
import type { Engine } from "../../runtime/engine.js";
import { predictionJson, pythonStr } from "../serialize.js";
import { learnRequest, policyFor, predictRequest } from "../validation/requests.js";

/** The model the original routes serve. */
export const SEED_MODEL = "default";

function wantsJson(request: FastifyRequest): boolean {
  return (request.headers.accept ?? "").includes("application/json");
}

/**
 * The original blog app's routes, compatible with its clients:
 * `POST /predict {"x"}` answers the label as text (`True`/`False`), and
 * `PUT /update_model {"x", "y"}` predicts, learns, scores and answers the metric text
 * (`ROCAUC: 95.07%`). Both answer JSON when the request accepts `application/json`.
 */
export function seedRoutes(engine: Engine, config: Config) {
  return async (app: FastifyInstance): Promise<void> => {
    app.post("/predict", async (request, reply) => {
      const host = engine.host(SEED_MODEL);
      // The original read only "x" and ignored the rest.
      const { xs } = predictRequest(request.body, policyFor(host, config), config, { strict: false });
      const outcome = host.predict(xs[0]!);
      if (wantsJson(request)) return { model: host.name, version: host.version, ...predictionJson(outcome) };
      return reply
        .type("text/plain; charset=utf-8")
        .send(pythonStr(outcome.prediction, host.task === "regression"));
    });

    app.put("/update_model", async (request, reply) => {
      const host = engine.host(SEED_MODEL);
      // The original ignored extra fields; so do we here (the /v1 API is strict).
      const { items } = learnRequest(request.body, host, config, { strict: false });
      const result = await engine.learn(SEED_MODEL, items);
      const text = result.texts.join(", ");
      if (wantsJson(request)) {
        return { model: host.name, version: result.version, metrics: result.metrics, text };
      }
      return reply.type("text/plain; charset=utf-8").send(text);
    });
  };
}
