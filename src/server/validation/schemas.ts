/**
 * The JSON Schemas (TypeBox) of request and response bodies: what the routes validate, and
 * what the API documentation shows. Limits that are settings (batch size) make them functions
 * of the configuration.
 */
import { type TSchema, Type } from "@sinclair/typebox";
import type { Config } from "../../config/config.js";
import { described, semantic } from "./schema-check.js";

type Limits = Pick<Config, "maxBatch" | "maxFeatures">;

const FeatureValue = Type.Union([Type.Number(), Type.String(), Type.Boolean()]);

/**
 * Features: an object of finite numbers (and strings or booleans for models that encode
 * them), kept in the order sent. Validated per model by validation/features.ts.
 */
export function featureObject(limits: Limits): TSchema {
  return semantic(
    described(
      Type.Record(Type.String(), FeatureValue, {
        description:
          "feature name → value; numbers for numeric models, strings and booleans too for models that encode them; order is kept",
        maxProperties: limits.maxFeatures,
      }),
      {
        errors: {
          required: ["INVALID_REQUEST", 'is missing: send the features as {"x": {"name": value, ...}}'],
        },
      },
    ),
  );
}

/** A target: its type depends on the model's task (validated by models/targets.ts). */
export const Target = semantic(
  described(
    Type.Union([Type.Boolean(), Type.Number(), Type.String()], {
      description:
        "true/false or 1/0 (binary), a label (multiclass), a finite number (regression, forecasting); optional for anomaly detectors",
    }),
    { errors: { required: ["INVALID_TARGET", "is missing: a learn request needs the true target"] } },
  ),
);

/** A client id for a remembered prediction or an event. */
function clientId(description: string) {
  return described(
    Type.String({ minLength: 1, maxLength: 128, pattern: "^[^\\u0000-\\u001f]*$", description }),
    { message: "must be a string of 1 to 128 characters without control characters" },
  );
}

export const PredictionId = clientId("keeps the prediction for a label that comes later under this id");
export const EventId = clientId("makes a retry of this example a no-op");

/** A non-negative integer version. */
function version(description: string) {
  return described(Type.Integer({ minimum: 0, description }), { message: "must be a non-negative integer" });
}

function instances(item: TSchema, limits: Limits) {
  return described(Type.Array(item, { minItems: 1, maxItems: limits.maxBatch }), {
    message: "must be an array",
    errors: {
      minItems: ["INVALID_REQUEST", "is empty"],
      maxItems: ["BATCH_TOO_LARGE", `has more items than the limit of ${limits.maxBatch}`],
    },
  });
}

const strict = { additionalProperties: false } as const;

const minVersionDoc = "answer only from a model at this version or later (read-your-writes)";
const minVersionMessage = "must be a non-negative integer (a version a learn answered)";

/** `min_version` in a body. */
const MinVersion = described(Type.Integer({ minimum: 0, description: minVersionDoc }), {
  message: minVersionMessage,
});

/** `?min_version=n` on a read route. */
export const MinVersionQuery = Type.Object(
  {
    min_version: Type.Optional(
      described(Type.String({ pattern: "^[0-9]{1,15}$", description: minVersionDoc }), {
        message: minVersionMessage,
      }),
    ),
  },
  { additionalProperties: false },
);

/** `POST /v1/models/{name}/predict`. */
export function predictBody(limits: Limits) {
  return Type.Object(
    {
      x: Type.Optional(featureObject(limits)),
      instances: Type.Optional(
        instances(
          semantic(
            Type.Union([
              featureObject(limits),
              Type.Object({ x: featureObject(limits), id: Type.Optional(PredictionId) }, strict),
            ]),
          ),
          limits,
        ),
      ),
      id: Type.Optional(PredictionId),
      remember: Type.Optional(
        described(Type.Boolean({ description: "keep every prediction for a later label" }), {
          message: "must be true or false",
        }),
      ),
      min_version: Type.Optional(MinVersion),
    },
    { ...strict, description: '{"x": {...}} or {"instances": [...]}' },
  );
}

function learnItem(limits: Limits) {
  return Type.Object(
    {
      x: Type.Optional(featureObject(limits)),
      id: Type.Optional(clientId("the id of a remembered prediction whose label this is")),
      y: Type.Optional(Target),
      event_id: Type.Optional(EventId),
    },
    strict,
  );
}

/** `POST /v1/models/{name}/learn`. */
export function learnBody(limits: Limits) {
  const one = learnItem(limits);
  return Type.Object(
    {
      ...one.properties,
      instances: Type.Optional(
        instances(
          described(one, { message: 'must be an object {"x": {...}, "y": ...} or {"id": "...", "y": ...}' }),
          limits,
        ),
      ),
    },
    { ...strict, description: '{"x": {...}, "y": ...}, {"id": "...", "y": ...} or {"instances": [...]}' },
  );
}

/** The original `POST /predict` and `PUT /update_model`: only `x` (and `y`) are read, the rest is ignored. */
export function compatBody(limits: Limits, withTarget: boolean) {
  return Type.Object(withTarget ? { x: featureObject(limits), y: Target } : { x: featureObject(limits) }, {
    additionalProperties: true,
  });
}

/** `PUT /v1/models/{name}`. */
export const CreateModelBody = Type.Object(
  {
    spec: semantic(
      Type.Union([Type.String(), Type.Object({}), Type.Array(Type.Unknown())], {
        description: 'a spec string ("StandardScaler | LogisticRegression") or its JSON',
      }),
    ),
    metrics: Type.Optional(
      semantic(
        Type.Union([Type.Array(Type.String()), Type.String()], {
          description: 'metric specs, e.g. ["ROCAUC", "Accuracy"], or one comma-separated string',
        }),
      ),
    ),
    drift: Type.Optional(
      described(Type.String({ description: 'a drift detector watching the model\'s errors, e.g. "ADWIN"' }), {
        message: 'must be a drift detector spec, e.g. "ADWIN" or "PageHinkley(threshold=20)"',
      }),
    ),
  },
  strict,
);

/** `POST /v1/models/{name}/rollback`. */
export const RollbackBody = Type.Object(
  { version: version("back to the newest checkpoint at or before this version") },
  strict,
);

/** `POST /v1/models/{name}/forecast`. */
export function forecastBody(limits: Limits) {
  return Type.Object(
    {
      horizon: Type.Optional(
        described(Type.Integer({ minimum: 1, maximum: 10_000, default: 1 }), {
          message: "must be an integer from 1 to 10000",
        }),
      ),
      xs: Type.Optional(
        semantic(Type.Array(featureObject(limits), { description: "one feature object per step" })),
      ),
      min_version: Type.Optional(MinVersion),
    },
    strict,
  );
}

/** `POST /v1/models/{name}/import`: an export, or a bare state envelope (checked by the model). */
export const ImportBody = semantic(
  Type.Object(
    {},
    { additionalProperties: true, description: "GET .../export's answer, or a state envelope" },
  ),
);

// ------------------------------------------------------------------------------ responses

export const Problem = Type.Object(
  {
    error: Type.String(),
    code: Type.String(),
    status: Type.Integer(),
    path: Type.Optional(Type.String()),
  },
  { additionalProperties: true, description: "what went wrong, with a stable code" },
);

const Probabilities = Type.Record(Type.String(), Type.Number());
const PredictionValue = Type.Union([Type.Boolean(), Type.Number(), Type.String(), Type.Null()]);

const OnePrediction = Type.Object({
  prediction: Type.Optional(PredictionValue),
  probabilities: Type.Optional(Probabilities),
  score: Type.Optional(Type.Number({ description: "anomaly detectors: higher is more anomalous" })),
  id: Type.Optional(Type.String()),
});

export const PredictResponse = Type.Union([
  Type.Intersect([Type.Object({ model: Type.String(), version: Type.Integer() }), OnePrediction]),
  Type.Object({ model: Type.String(), version: Type.Integer(), predictions: Type.Array(OnePrediction) }),
]);

const MetricValues = Type.Record(Type.String(), Type.Number());

export const LearnResponse = Type.Object({
  model: Type.String(),
  version: Type.Integer(),
  seq: Type.Integer(),
  learned: Type.Integer(),
  metrics: MetricValues,
  duplicate: Type.Optional(Type.Boolean()),
  duplicates: Type.Optional(Type.Integer()),
});

export const ModelSummary = Type.Object({
  name: Type.String(),
  spec: Type.String(),
  task: Type.String(),
  version: Type.Integer(),
});

export const ModelList = Type.Object({ models: Type.Array(ModelSummary) });

export const ModelDetails = Type.Intersect([
  ModelSummary,
  Type.Object({ kind: Type.String(), seq: Type.Integer(), learned: Type.Integer(), metrics: MetricValues }),
]);

export const MetricsResponse = Type.Object({
  model: Type.String(),
  version: Type.Integer(),
  metrics: MetricValues,
  text: Type.Array(Type.String()),
});

export const Checkpoint = Type.Object({
  seq: Type.Integer(),
  version: Type.Integer(),
  created_at: Type.String(),
  bytes: Type.Integer(),
});

export const CheckpointList = Type.Object({
  model: Type.String(),
  version: Type.Integer(),
  checkpoints: Type.Array(Checkpoint),
});

export const ForecastResponse = Type.Object({
  model: Type.String(),
  version: Type.Integer(),
  forecast: Type.Array(Type.Number()),
});
