/**
 * The original blog app's routes, compatible with its clients: `POST /predict {"x"}` answers
 * the label as Python prints it (`True`/`False`), and `PUT /update_model {"x", "y"}`
 * predicts, learns, scores and answers the metric text (`ROCAUC: 95.07%`). Both serve the
 * default model, read only `x` and `y`, and answer JSON when the request accepts it.
 */
import type { Config } from "../../config/config.js";
import { DEFAULT_MODEL } from "../../models/names.js";
import type { Backend } from "../backend.js";
import type { Telemetry } from "../observability/telemetry.js";
import { predictionJson, pythonStr } from "../serialize.js";
import { staleHeaders } from "../stale.js";
import { compatLearnRequest, compatPredictRequest, policyFor } from "../validation/requests.js";
import { CompatLearnResponse, CompatPredictResponse, compatBody } from "../validation/schemas.js";
import { countedLearn, learnFields } from "./learning.js";
import { type AnyRoute, route } from "./route.js";

/** Whether an Accept header asks for JSON. */
function acceptsJson(accept: string | undefined): boolean {
  return accept?.includes("application/json") ?? false;
}

export function compatRoutes(backend: Backend, config: Config, telemetry: Telemetry): AnyRoute[] {
  return [
    route({
      method: "POST",
      path: "/predict",
      summary: "The original app's prediction: the label as Python prints it (True/False), or JSON",
      tag: "original",
      scope: "predict",
      model: DEFAULT_MODEL,
      hot: true,
      body: compatBody(config, false),
      response: {
        type: "text/plain",
        schema: CompatPredictResponse,
        description: "text/plain `True`/`False`, or JSON with Accept: application/json",
      },
      handle({ body, headers }) {
        const model = backend.model(DEFAULT_MODEL);
        const stale = staleHeaders(backend, model.name);
        const outcome = model.predict(compatPredictRequest(body, policyFor(model, config)));
        telemetry.models.predicted(model.name, 1);
        const text = pythonStr(outcome.prediction, model.task === "regression");
        if (acceptsJson(headers.accept)) {
          const prediction = predictionJson(outcome);
          // An anomaly detector's score is its prediction, as the text answer says.
          if (prediction.score !== undefined) prediction.prediction = prediction.score;
          const json = { model: model.name, version: model.version, ...prediction, text };
          return stale ? { json: { ...json, stale: true }, headers: stale } : { json };
        }
        return stale ? { text, headers: stale } : { text };
      },
    }),
    route({
      method: "PUT",
      path: "/update_model",
      summary: "The original app's update: predict, learn, score, and answer the metric text",
      tag: "original",
      scope: "learn",
      model: DEFAULT_MODEL,
      hot: true,
      body: compatBody(config, true),
      response: {
        type: "text/plain",
        schema: CompatLearnResponse,
        description: "text/plain `ROCAUC: 95.07%`, or JSON with Accept: application/json",
      },
      async handle({ body, headers }) {
        const { model, result } = await countedLearn(backend, telemetry, DEFAULT_MODEL, (model) =>
          backend.ops.learn(DEFAULT_MODEL, compatLearnRequest(body, model, config), { texts: true }),
        );
        const text = result.texts.join(", ");
        if (acceptsJson(headers.accept)) return { json: { ...learnFields(model, result), text } };
        return { text };
      },
    }),
  ];
}
