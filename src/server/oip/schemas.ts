/**
 * The Open Inference Protocol's (KServe V2) REST bodies as JSON Schemas (TypeBox): what the
 * `/v2` routes check and document. Tensor contents are checked against their datatype and
 * shape by tensors.ts (they are documented here, marked semantic).
 */
import { Type } from "@sinclair/typebox";
import type { Config } from "../../config/config.js";
import { described, semantic } from "../validation/schema-check.js";

/** The protocol's tensor datatypes (FP16 and the integers are read as numbers). */
export const DATATYPES = [
  "BOOL",
  "UINT8",
  "UINT16",
  "UINT32",
  "UINT64",
  "INT8",
  "INT16",
  "INT32",
  "INT64",
  "FP16",
  "FP32",
  "FP64",
  "BYTES",
] as const;

export type Datatype = (typeof DATATYPES)[number];

const Parameters = Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]), {
  description: "key/value parameters (strings, numbers, booleans)",
});

const Datatype = described(Type.Union(DATATYPES.map((d) => Type.Literal(d))), {
  message: `must be one of ${DATATYPES.join(", ")}`,
});

const Shape = described(Type.Array(Type.Integer({ minimum: 0 }), { maxItems: 2 }), {
  message: "must be a list of at most 2 non-negative integers ([N] or [N, 1])",
});

function requestInput(config: Pick<Config, "maxBatch">) {
  return Type.Object(
    {
      name: Type.String({
        minLength: 1,
        description: "a feature name (or the target, y, in learn requests)",
      }),
      shape: Shape,
      datatype: Datatype,
      parameters: Type.Optional(Parameters),
      data: semantic(
        Type.Array(Type.Unknown(), {
          maxItems: config.maxBatch,
          description: "the values, row-major: flat ([1, 0, 1]) or nested ([[1], [0], [1]])",
        }),
      ),
    },
    { description: "one feature: shape [N], one value per row" },
  );
}

const RequestOutput = Type.Object({ name: Type.String(), parameters: Type.Optional(Parameters) });

/** `POST /v2/models/{name}[/versions/{version}]/infer` (and the `learn` extension). */
export function inferenceRequest(config: Pick<Config, "maxBatch" | "maxFeatures">, learn: boolean) {
  return Type.Object(
    {
      id: Type.Optional(Type.String({ description: "echoed in the answer" })),
      parameters: Type.Optional(
        Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]), {
          description: learn
            ? "`target`: the name of the input holding the targets (default y)"
            : "`min_version`: answer only from a model at this version or later",
        }),
      ),
      inputs: described(Type.Array(requestInput(config), { minItems: 1, maxItems: config.maxFeatures + 1 }), {
        message: "must be a list of input tensors",
        errors: { minItems: ["INVALID_REQUEST", "is empty"] },
      }),
      outputs: Type.Optional(Type.Array(RequestOutput, { description: "the outputs wanted (default all)" })),
    },
    { description: learn ? "features as inputs, plus the targets as input y" : "features as inputs" },
  );
}

const ResponseOutput = Type.Object(
  {
    name: Type.String(),
    shape: Type.Array(Type.Integer({ minimum: 0 })),
    datatype: Type.Union(DATATYPES.map((d) => Type.Literal(d))),
    parameters: Type.Optional(Parameters),
    data: Type.Array(Type.Union([Type.Number(), Type.String(), Type.Boolean()]), {
      description: "row-major, flat",
    }),
  },
  { additionalProperties: false },
);

export const InferenceResponse = Type.Object(
  {
    model_name: Type.String(),
    model_version: Type.String({ description: "the model version that answered" }),
    id: Type.Optional(Type.String()),
    parameters: Type.Optional(Parameters),
    outputs: Type.Array(ResponseOutput),
  },
  { additionalProperties: false },
);

export const LearnExtensionResponse = Type.Object(
  {
    model_name: Type.String(),
    model_version: Type.String({ description: "the model version after the request's last example" }),
    id: Type.Optional(Type.String()),
    version: Type.Integer({ minimum: 0 }),
    seq: Type.Integer({ minimum: 0, description: "the log position of the request's last event" }),
    learned: Type.Integer({ minimum: 0, description: "examples in the model's history (its total learned)" }),
    learned_now: Type.Integer({ minimum: 0, description: "examples this request learned" }),
  },
  { additionalProperties: false },
);

const MetadataTensor = Type.Object(
  {
    name: Type.String(),
    datatype: Type.Union(DATATYPES.map((d) => Type.Literal(d))),
    shape: Type.Array(Type.Integer({ minimum: -1 }), { description: "-1: any size" }),
  },
  { additionalProperties: false },
);

export const ModelMetadata = Type.Object(
  {
    name: Type.String(),
    versions: Type.Array(Type.String(), { description: "the version served (only the newest is kept)" }),
    platform: Type.String(),
    inputs: Type.Array(MetadataTensor, {
      description: "one per feature name the model has learned; empty when they are dynamic (any name)",
    }),
    outputs: Type.Array(MetadataTensor),
    parameters: Type.Object(
      {
        task: Type.String(),
        spec: Type.String(),
        dynamic_inputs: Type.Boolean({ description: "any feature name is accepted as an input" }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const ServerMetadata = Type.Object(
  { name: Type.String(), version: Type.String(), extensions: Type.Array(Type.String()) },
  { additionalProperties: false },
);

export const Live = Type.Object({ live: Type.Boolean() }, { additionalProperties: false });
export const Ready = Type.Object({ ready: Type.Boolean() }, { additionalProperties: false });
export const ModelReady = Type.Object(
  { name: Type.String(), ready: Type.Boolean() },
  { additionalProperties: false },
);

/** The protocol's error body. */
export const OipError = Type.Object({ error: Type.String() }, { additionalProperties: false });
