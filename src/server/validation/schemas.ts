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

/** One line of `POST /v1/models/{name}/learn` as `application/x-ndjson` (a stream of examples). */
export function learnLineSchema(limits: Limits) {
  return learnItem(limits);
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
// Precise enough to check real answers against (test/server/openapi-responses.test.ts):
// every object lists its fields and allows no others.

export const Problem = Type.Object(
  {
    error: Type.String({ description: "what went wrong, for people" }),
    code: Type.String({
      pattern: "^BROOK_[A-Z_]+$",
      description: "stable, for programs (README lists them)",
    }),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    path: Type.Optional(Type.String({ description: "the offending field, e.g. instances[1].x.https" })),
    request_id: Type.Optional(
      Type.String({ description: "internal errors: the id the logs know the request by" }),
    ),
  },
  {
    additionalProperties: true,
    description: "what went wrong, with a stable code (and details such as `model`)",
  },
);

const ModelName = Type.String({ description: "the model's name" });
const Version = Type.Integer({ minimum: 0, description: "the model version that answered" });
const Label = Type.Union([Type.Boolean(), Type.Number(), Type.String()]);

const Probabilities = Type.Record(Type.String(), Type.Number({ minimum: 0, maximum: 1 }), {
  description: 'class → probability (labels as JSON keys: true → "true")',
});
const PredictionValue = Type.Union([Type.Boolean(), Type.Number(), Type.String(), Type.Null()], {
  description: "the predicted label or number; null when a classifier knows no class yet",
});
const Score = Type.Number({ description: "anomaly detectors: higher is more anomalous" });
const RememberedId = Type.String({ description: "the id to send the label under (remembered predictions)" });
/** On a prediction of a Redis node that cannot reach Redis now (also the `x-brook-stale` header). */
const Stale = Type.Optional(
  Type.Literal(true, {
    description:
      "the model may be behind its log: this node cannot reach Redis now (header x-brook-stale too)",
  }),
);

const SinglePrediction = Type.Object(
  {
    model: ModelName,
    version: Version,
    prediction: PredictionValue,
    probabilities: Type.Optional(Probabilities),
    id: Type.Optional(RememberedId),
    stale: Stale,
  },
  strict,
);
const SingleScore = Type.Object(
  { model: ModelName, version: Version, score: Score, id: Type.Optional(RememberedId), stale: Stale },
  strict,
);
const BatchItem = Type.Union([
  Type.Object(
    {
      prediction: PredictionValue,
      probabilities: Type.Optional(Probabilities),
      id: Type.Optional(RememberedId),
    },
    strict,
  ),
  Type.Object({ score: Score, id: Type.Optional(RememberedId) }, strict),
]);

export const PredictResponse = Type.Union([
  SinglePrediction,
  SingleScore,
  Type.Object(
    { model: ModelName, version: Version, predictions: Type.Array(BatchItem), stale: Stale },
    strict,
  ),
]);

/** A `ConfusionMatrix` metric as JSON: its labels (sorted as River shows them) and counts. */
export const ConfusionMatrixJson = Type.Object(
  {
    labels: Type.Array(Label),
    counts: Type.Array(Type.Array(Type.Number()), {
      description: "counts[i][j]: weight of truth labels[i] predicted as labels[j]",
    }),
  },
  { ...strict, description: "a ConfusionMatrix metric" },
);

const MetricValues = Type.Record(Type.String(), Type.Union([Type.Number(), ConfusionMatrixJson]), {
  description: "metric name → value (a ConfusionMatrix as its matrix)",
});

const learnFields = {
  model: ModelName,
  version: Type.Integer({ minimum: 0, description: "the model version after the request's last example" }),
  seq: Type.Integer({ minimum: 0, description: "the log position of the request's last event" }),
  learned: Type.Integer({ minimum: 0, description: "examples in the model's history (its total learned)" }),
  learned_now: Type.Integer({
    minimum: 0,
    description: "examples this request learned (retries of known event ids are not learned again)",
  }),
  metrics: MetricValues,
};

export const LearnResponse = Type.Object(
  {
    ...learnFields,
    duplicate: Type.Optional(Type.Boolean({ description: "a retry of a known event id: nothing learned" })),
    duplicates: Type.Optional(Type.Integer({ minimum: 1, description: "batch: retries of known event ids" })),
  },
  strict,
);

/** `POST /v1/models/{name}/learn` with a stream of JSON lines: what the stream did. */
export const StreamLearnResponse = Type.Object(
  {
    model: ModelName,
    version: Type.Integer({ minimum: 0, description: "the model version after the stream's last batch" }),
    learned: Type.Integer({ minimum: 0, description: "examples in the model's history (its total learned)" }),
    lines: Type.Integer({ minimum: 0, description: "lines read (blank lines not counted)" }),
    learned_now: Type.Integer({ minimum: 0, description: "examples this stream learned" }),
    duplicates: Type.Integer({ minimum: 0, description: "lines that were retries of known event ids" }),
    rejected: Type.Integer({ minimum: 0, description: "lines refused (each listed in errors, up to 1000)" }),
    first_seq: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], {
      description: "log position of the first example this stream learned",
    }),
    last_seq: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], {
      description: "log position of the last example this stream learned",
    }),
    last_line: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], {
      description: "every line up to this one is settled (learned, retried or refused)",
    }),
    errors: Type.Array(
      Type.Object({ line: Type.Integer({ minimum: 1 }), code: Type.String(), error: Type.String() }, strict),
      { description: "the refused lines, in order" },
    ),
  },
  strict,
);

/** `PUT /update_model` with `Accept: application/json`: the learn answer plus River's text. */
export const CompatLearnResponse = Type.Object(
  { ...learnFields, text: Type.String({ description: "River's metric text, e.g. ROCAUC: 95.07%" }) },
  strict,
);

/** `POST /predict` with `Accept: application/json`: the predict answer plus the text answer. */
export const CompatPredictResponse = Type.Object(
  {
    model: ModelName,
    version: Version,
    prediction: PredictionValue,
    probabilities: Type.Optional(Probabilities),
    score: Type.Optional(Score),
    text: Type.String({ description: "the label as Python prints it (True/False)" }),
    stale: Stale,
  },
  strict,
);

const Task = Type.Union(
  ["binary", "multiclass", "regression", "anomaly", "forecasting"].map((t) => Type.Literal(t)),
);

const summaryFields = {
  name: ModelName,
  spec: Type.String({ description: "the spec it was created with" }),
  task: Task,
  version: Type.Integer({ minimum: 0 }),
};

export const ModelSummary = Type.Object(summaryFields, strict);

export const ModelList = Type.Object({ models: Type.Array(ModelSummary) }, strict);

export const Checkpoint = Type.Object(
  {
    seq: Type.Integer({ minimum: 0 }),
    version: Type.Integer({ minimum: 0 }),
    created_at: Type.String({ format: "date-time" }),
    bytes: Type.Integer({ minimum: 0 }),
  },
  strict,
);

const Count = Type.Integer({ minimum: 0 });

export const ModelDetails = Type.Object(
  {
    ...summaryFields,
    kind: Type.String({ description: "the estimator's kind, e.g. Pipeline" }),
    params: Type.Unknown({ description: "the spec as JSON, every default filled in" }),
    seq: Count,
    learned: Type.Integer({ minimum: 0, description: "examples in the model's history (its total learned)" }),
    metrics: MetricValues,
    metrics_text: Type.Array(Type.String(), { description: "River's texts" }),
    pending: Type.Object(
      { waiting: Count, remembered: Count, labelled: Count, expired: Count, evicted: Count },
      { ...strict, description: "remembered predictions waiting for their labels" },
    ),
    checkpoints: Type.Object({ count: Count, latest: Type.Union([Checkpoint, Type.Null()]) }, strict),
    drift: Type.Optional(
      Type.Object(
        {
          detector: Type.String(),
          detections: Count,
          recent: Type.Array(
            Type.Object({ version: Count, at: Type.String({ format: "date-time" }) }, strict),
          ),
        },
        strict,
      ),
    ),
    predicted: Type.Optional(Count),
    disk: Type.Object(
      { log_bytes: Count, checkpoint_bytes: Count, segments: Count, first_seq: Count },
      {
        ...strict,
        description: "what the model occupies on disk; first_seq: the oldest event kept (retention)",
      },
    ),
    writable: Type.Boolean({
      description: "false while the model's disk refuses writes (they answer 507/503)",
    }),
    problems: Type.Optional(
      Type.Array(
        Type.Object(
          {
            kind: Type.Union([Type.Literal("log"), Type.Literal("checkpoint"), Type.Literal("model")]),
            code: Type.String(),
            message: Type.String(),
            since: Type.Integer({ description: "ms since the epoch" }),
          },
          strict,
        ),
        { description: "what is wrong with the model's storage, if anything" },
      ),
    ),
    seeds: Type.Optional(
      Type.Record(Type.String(), Type.Integer(), {
        description: "seeds drawn at creation for the params the spec left to chance, by param path",
      }),
    ),
    created_at: Type.String({ format: "date-time" }),
    updated_at: Type.String({ format: "date-time" }),
    replicas: Type.Optional(
      Type.Array(
        Type.Object(
          {
            worker: Type.Integer(),
            seq: Count,
            replica_lag_events: Count,
            replica_lag_seconds: Type.Number({ minimum: 0 }),
          },
          strict,
        ),
        { description: "--workers N: each worker's replica" },
      ),
    ),
    served_by: Type.Optional(
      Type.Object(
        { worker: Type.Integer(), version: Count, seq: Count },
        { ...strict, description: "--workers N: the worker that answered, and its replica's position" },
      ),
    ),
    cluster: Type.Optional(
      Type.Object(
        {
          node: Type.String({ description: "the node that answered (host:pid:random)" }),
          role: Type.Union([Type.Literal("all"), Type.Literal("serve"), Type.Literal("learn")]),
          head_seq: Type.Optional(Count),
          lease: Type.Union([
            Type.Object(
              {
                node: Type.String({ description: "the node holding the model's checkpointer lease" }),
                fence: Count,
                expires_in_ms: Count,
              },
              strict,
            ),
            Type.Null(),
          ]),
        },
        {
          ...strict,
          description:
            "--store redis://: the node that answered, the log's head seq in Redis, and who holds the model's lease",
        },
      ),
    ),
  },
  strict,
);

export const MetricsResponse = Type.Object(
  { model: ModelName, version: Version, metrics: MetricValues, text: Type.Array(Type.String()) },
  strict,
);

export const CheckpointList = Type.Object(
  { model: ModelName, version: Version, checkpoints: Type.Array(Checkpoint) },
  strict,
);

export const CheckpointCreated = Type.Object({ model: ModelName, checkpoint: Checkpoint }, strict);

export const ForecastResponse = Type.Object(
  { model: ModelName, version: Version, forecast: Type.Array(Type.Number()), stale: Stale },
  strict,
);

const StateEnvelopeSchema = Type.Object(
  {
    format: Type.Literal("brook.state"),
    version: Type.Integer({ minimum: 1 }),
    kind: Type.String(),
    params: Type.Object({}, { additionalProperties: true }),
    state: Type.Unknown(),
  },
  { ...strict, description: "a component's kind, params and learned state" },
);

export const ExportResponse = Type.Object(
  {
    model: ModelName,
    spec: Type.String(),
    task: Task,
    seq: Count,
    version: Count,
    learned: Count,
    state: StateEnvelopeSchema,
    metrics: Type.Array(StateEnvelopeSchema),
    drift: Type.Optional(
      Type.Object(
        {
          state: StateEnvelopeSchema,
          detections: Count,
          recent: Type.Array(Type.Object({ version: Count, at: Type.String() }, strict)),
        },
        strict,
      ),
    ),
  },
  strict,
);

export const ImportResponse = Type.Object(
  {
    model: ModelName,
    version: Version,
    learned: Type.Integer({ minimum: 0, description: "examples in the model's history (its total learned)" }),
    created: Type.Boolean({ description: "the model did not exist and was created from the export's spec" }),
  },
  strict,
);

export const RollbackResponse = Type.Object(
  {
    model: ModelName,
    version: Version,
    restored: Checkpoint,
    learned: Type.Integer({ minimum: 0, description: "examples in the model's history (its total learned)" }),
  },
  strict,
);
