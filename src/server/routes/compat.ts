/**
 * The original blog app's routes, compatible with its clients: `POST /predict {"x"}` answers
 * the label as Python prints it (`True`/`False`), and `PUT /update_model {"x", "y"}`
 * predicts, learns, scores and answers the metric text (`ROCAUC: 95.07%`). Both serve the
 * default model, read only `x` and `y`, and answer JSON when the request accepts it.
 */
import type { Config } from "../../config/config.js";
import { DEFAULT_MODEL } from "../../models/names.js";
import type { Backend } from "../backend.js";
import { predictionJson, pythonStr } from "../serialize.js";
import { compatLearnRequest, compatPredictRequest, policyFor } from "../validation/requests.js";
import { compatBody } from "../validation/schemas.js";
import { type AnyRoute, route } from "./route.js";

/** Whether an Accept header asks for JSON. */
function acceptsJson(accept: string | undefined): boolean {
  return accept?.includes("application/json") ?? false;
}

export function compatRoutes(backend: Backend, config: Config): AnyRoute[] {
  return [
    route({
      method: "POST",
      path: "/predict",
      summary: "The original app's prediction: the label as Python prints it (True/False), or JSON",
      tag: "original",
      scope: "predict",
      hot: true,
      body: compatBody(config, false),
      response: { description: "text/plain `True`/`False`, or JSON with Accept: application/json" },
      handle({ body, headers }) {
        const model = backend.model(DEFAULT_MODEL);
        const outcome = model.predict(compatPredictRequest(body, policyFor(model, config)));
        if (acceptsJson(headers.accept))
          return { json: { model: model.name, version: model.version, ...predictionJson(outcome) } };
        return { text: pythonStr(outcome.prediction, model.task === "regression") };
      },
    }),
    route({
      method: "PUT",
      path: "/update_model",
      summary: "The original app's update: predict, learn, score, and answer the metric text",
      tag: "original",
      scope: "learn",
      hot: true,
      body: compatBody(config, true),
      response: { description: "text/plain `ROCAUC: 95.07%`, or JSON with Accept: application/json" },
      async handle({ body, headers }) {
        const model = backend.model(DEFAULT_MODEL);
        const items = compatLearnRequest(body, model, config);
        const result = await backend.ops.learn(DEFAULT_MODEL, items, { texts: true });
        const text = result.texts.join(", ");
        if (acceptsJson(headers.accept))
          return { json: { model: model.name, version: result.version, metrics: result.metrics, text } };
        return { text };
      },
    }),
  ];
}
