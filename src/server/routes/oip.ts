/**
 * The Open Inference Protocol (KServe V2) REST routes, so that KServe and Triton clients talk
 * to Brook as to any inference server: server and model metadata, health, and `infer`, plus a
 * `learn` extension (the same inputs, with the targets as input `y`). Brook keeps only the
 * newest version of a model: `/versions/{v}` answers from the newest when it is v or later
 * (waiting like `min_version` while a replica catches up), and `model_version` says which
 * version answered. Errors are the protocol's `{"error": "..."}`.
 */
import type { Config } from "../../config/config.js";
import { brookError } from "../../errors.js";
import type { LearnItem } from "../../models/admission.js";
import type { ServedModel } from "../../models/served-model.js";
import { normalizeTarget } from "../../models/targets.js";
import type { Backend } from "../backend.js";
import type { Readiness } from "../lifecycle.js";
import type { Telemetry } from "../observability/telemetry.js";
import { knownFeatures } from "../oip/known-features.js";
import {
  InferenceResponse,
  inferenceRequest,
  LearnExtensionResponse,
  Live,
  ModelMetadata,
  ModelReady,
  Ready,
  ServerMetadata,
} from "../oip/schemas.js";
import { decodeInputs, encodeOutputs, type InputTensor, outputsOf, rowsToFeatures } from "../oip/tensors.js";
import { staleHeaders } from "../stale.js";
import { policyFor } from "../validation/requests.js";
import { BROOK_VERSION } from "../version.js";
import { countedLearn } from "./learning.js";
import { type AnyRoute, route } from "./route.js";

const MODEL = "/v2/models/:name";
const VERSION = `${MODEL}/versions/:version`;

interface InferBody {
  id?: string;
  parameters?: Record<string, string | number | boolean>;
  inputs: InputTensor[];
  outputs?: { name: string }[];
}

/** The `{v}` of `/versions/{v}`: a model version is a non-negative integer. */
function pathVersion(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d{1,15}$/.test(v)) {
    throw brookError(
      "INVALID_REQUEST",
      `model version "${v}" is not a version: Brook's versions are integers`,
      {
        path: "version",
      },
    );
  }
  return Number(v);
}

/** The newest of the path's version and `parameters.min_version`, if any. */
function minVersion(params: Record<string, string>, body: InferBody): number | undefined {
  const given = body.parameters?.min_version;
  if (given !== undefined && (typeof given !== "number" || !Number.isInteger(given) || given < 0)) {
    throw brookError("INVALID_REQUEST", "parameters.min_version must be a non-negative integer", {
      path: "parameters.min_version",
    });
  }
  const fromPath = pathVersion(params.version);
  if (fromPath === undefined) return given;
  return given === undefined ? fromPath : Math.max(fromPath, given);
}

function metadata(model: ServedModel) {
  const names = knownFeatures(model);
  const datatype = model.estimator.acceptsRaw ? "BYTES" : "FP64";
  return {
    name: model.name,
    versions: [String(model.version)],
    platform: "brook",
    inputs: (names ?? []).map((name) => ({ name, datatype, shape: [-1] })),
    outputs: outputsOf(model.estimator.family, model.task),
    parameters: { task: model.task, spec: model.spec, dynamic_inputs: names === undefined },
  };
}

export function oipRoutes(
  backend: Backend,
  config: Config,
  telemetry: Telemetry,
  readiness: Readiness,
): AnyRoute[] {
  const common = { tag: "open inference protocol", errors: "oip" as const };

  const infer = (path: string) =>
    route({
      ...common,
      method: "POST",
      path,
      summary: "Predicts: one input per feature (shape [N]); outputs predict and predict_proba (or score)",
      scope: "predict",
      hot: true,
      body: inferenceRequest(config, false),
      response: { schema: InferenceResponse },
      handle({ params, body }) {
        const req = body as unknown as InferBody;
        const model = backend.model(params.name!);
        // The protocol's answer has no place for it: a stale prediction says so in a header only.
        const stale = staleHeaders(backend, model.name);
        if (model.estimator.family === "forecaster") {
          throw brookError(
            "INVALID_REQUEST",
            `model "${model.name}" is a forecaster: ask it for a forecast (POST /v1/models/${model.name}/forecast)`,
          );
        }
        const { names, columns, rows } = decodeInputs(req.inputs, config.maxBatch);
        const xs = rowsToFeatures(names, columns, rows, policyFor(model, config));
        const wanted = req.outputs?.map((o) => o.name);
        const known = outputsOf(model.estimator.family, model.task).map((o) => o.name);
        for (const name of wanted ?? []) {
          if (!known.includes(name)) {
            throw brookError(
              "INVALID_REQUEST",
              `model "${model.name}" has no output "${name}" (its outputs: ${known.join(", ")})`,
            );
          }
        }
        telemetry.models.predicted(model.name, xs.length);
        const answer = () => {
          const version = model.version;
          const outputs = encodeOutputs(
            model.estimator.family,
            model.task,
            xs.map((x) => model.predict(x)),
          ).filter((o) => wanted === undefined || wanted.includes(o.name));
          const json: Record<string, unknown> = { model_name: model.name, model_version: String(version) };
          if (req.id !== undefined) json.id = req.id;
          json.outputs = outputs;
          return stale ? { json, headers: stale } : { json };
        };
        const min = minVersion(params, req);
        if (min !== undefined && model.version < min) {
          return model.whenVersion(min, config.readWaitMs).then(answer);
        }
        return answer();
      },
    });

  const meta = (path: string) =>
    route({
      ...common,
      method: "GET",
      path,
      summary: "Model metadata: versions, platform, inputs (one per known feature), outputs",
      scope: "predict",
      response: { schema: ModelMetadata },
      handle({ params }) {
        const model = backend.model(params.name!);
        const v = pathVersion(params.version);
        if (v !== undefined && v > model.version) {
          throw brookError(
            "MODEL_NOT_FOUND",
            `model "${model.name}" is at version ${model.version}, not yet ${v}`,
            {
              model: model.name,
            },
          );
        }
        return { json: metadata(model) };
      },
    });

  const modelReady = (path: string) =>
    route({
      ...common,
      method: "GET",
      path,
      summary: "Whether the model is ready for inference",
      scope: "public",
      response: { schema: ModelReady },
      handle({ params }) {
        const model = backend.model(params.name!);
        const v = pathVersion(params.version);
        const ready = readiness.isReady && (v === undefined || model.version >= v);
        return { status: ready ? 200 : 503, json: { name: model.name, ready } };
      },
    });

  return [
    route({
      ...common,
      method: "GET",
      path: "/v2",
      summary: "Server metadata: name, version, extensions (learn)",
      scope: "public",
      response: { schema: ServerMetadata },
      handle: () => ({ json: { name: "brook", version: BROOK_VERSION, extensions: ["learn"] } }),
    }),
    route({
      ...common,
      method: "GET",
      path: "/v2/health/live",
      summary: "Liveness: the server answers",
      scope: "public",
      response: { schema: Live },
      handle: () => ({ json: { live: true } }),
    }),
    route({
      ...common,
      method: "GET",
      path: "/v2/health/ready",
      summary: "Readiness: the models are loaded and the server is not shutting down (503 otherwise)",
      scope: "public",
      response: { schema: Ready },
      handle: async () => {
        const ready = (await readiness.notReady(backend)) === undefined;
        return { status: ready ? 200 : 503, json: { ready } };
      },
    }),
    meta(MODEL),
    meta(VERSION),
    modelReady(`${MODEL}/ready`),
    modelReady(`${VERSION}/ready`),
    infer(`${MODEL}/infer`),
    infer(`${VERSION}/infer`),
    route({
      ...common,
      method: "POST",
      path: `${MODEL}/learn`,
      summary:
        "Extension `learn`: learns the rows of the inputs, the targets as input y (or parameters.target), in order, all or nothing",
      scope: "learn",
      hot: true,
      body: inferenceRequest(config, true),
      response: { schema: LearnExtensionResponse },
      async handle({ params, body }) {
        const req = body as unknown as InferBody;
        const target = req.parameters?.target ?? "y";
        if (typeof target !== "string") {
          throw brookError("INVALID_REQUEST", "parameters.target must be the name of an input", {
            path: "parameters.target",
          });
        }
        const { model, result } = await countedLearn(backend, telemetry, params.name!, (model) => {
          const { names, columns, rows } = decodeInputs(req.inputs, config.maxBatch);
          const t = names.indexOf(target);
          if (t === -1 && model.task !== "anomaly") {
            throw brookError(
              "INVALID_TARGET",
              `the targets are missing: send them as the input "${target}" (one per row)`,
              { path: "inputs" },
            );
          }
          const features = names.filter((_, j) => j !== t);
          const xs = rowsToFeatures(
            features,
            columns.filter((_, j) => j !== t),
            rows,
            policyFor(model, config),
          );
          const items: LearnItem[] = xs.map((x, r) => ({
            x,
            y: normalizeTarget(model.task, t === -1 ? undefined : columns[t]![r], `${target}[${r}]`),
          }));
          return backend.ops.learn(model.name, items);
        });
        const json: Record<string, unknown> = {
          model_name: model.name,
          model_version: String(result.version),
        };
        if (req.id !== undefined) json.id = req.id;
        Object.assign(json, {
          version: result.version,
          seq: result.seq,
          learned: result.total,
          learned_now: result.learned,
        });
        return { json };
      },
    }),
  ];
}
