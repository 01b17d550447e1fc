/**
 * What every learn route shares (`/v1/.../learn`, `PUT /update_model`, the OIP `learn`
 * extension): counting what was learned or rejected per model, and the answer's fields, in
 * which `learned` is always the model's total and `learned_now` what this request learned.
 */
import { BrookError, isClientError } from "../../errors.js";
import type { ServedModel } from "../../models/served-model.js";
import type { LearnResult } from "../../models/writer.js";
import type { Backend } from "../backend.js";
import { metricsJson } from "../metrics-json.js";
import type { Telemetry } from "../observability/telemetry.js";

/**
 * Runs a learn on model `name` (a 404 when there is none, not counted), counting the examples
 * it learned, or the request when it is rejected with a client error.
 */
export async function countedLearn(
  backend: Backend,
  telemetry: Telemetry,
  name: string,
  learn: (model: ServedModel) => Promise<LearnResult>,
): Promise<{ model: ServedModel; result: LearnResult }> {
  const model = backend.model(name);
  try {
    const result = await learn(model);
    telemetry.models.learned(model.name, result.learned);
    return { model, result };
  } catch (err) {
    if (isClientError(err) && !(err instanceof BrookError && err.statusCode >= 500)) {
      telemetry.models.rejected(model.name);
    }
    throw err;
  }
}

/** The fields of a learn answer. */
export function learnFields(model: ServedModel, r: LearnResult) {
  return {
    model: model.name,
    version: r.version,
    seq: r.seq,
    // The model's total right after this request (the writer's count, not the local replica's).
    learned: r.total,
    learned_now: r.learned,
    metrics: metricsJson(model, r.metrics),
  };
}
