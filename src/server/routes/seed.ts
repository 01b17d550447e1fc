import type { FastifyInstance, FastifyReply } from "fastify";
import type { Config } from "../../config/config.js";
import type { Backend } from "../../runtime/backend.js";
import { type Answer, acceptsJson, learnSeed, predictSeed } from "../handlers.js";

function send(reply: FastifyReply, answer: Answer) {
  return "json" in answer ? answer.json : reply.type("text/plain; charset=utf-8").send(answer.text);
}

/**
 * The original blog app's routes, compatible with its clients:
 * `POST /predict {"x"}` answers the label as text (`True`/`False`), and
 * `PUT /update_model {"x", "y"}` predicts, learns, scores and answers the metric text
 * (`ROCAUC: 95.07%`). Both answer JSON when the request accepts `application/json`.
 * (Served by the fast lane in production; these routes answer identically.)
 */
export function seedRoutes(backend: Backend, config: Config) {
  return async (app: FastifyInstance): Promise<void> => {
    app.post("/predict", async (request, reply) =>
      send(reply, predictSeed(backend, config, request.body, acceptsJson(request.headers.accept))),
    );
    app.put("/update_model", async (request, reply) =>
      send(reply, await learnSeed(backend, config, request.body, acceptsJson(request.headers.accept))),
    );
  };
}
