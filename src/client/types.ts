/**
 * The types of Brook's HTTP API as the client sees them: request options in camelCase, answers
 * as the server sends them (snake_case fields kept). Written by hand so that they read well in
 * an editor; test/client/types.test.ts checks them against the server's TypeBox schemas at
 * compile time, so the two cannot drift apart.
 */

/** A feature value: numbers for every model; strings and booleans for models that encode them. */
export type FeatureValue = number | string | boolean;

/**
 * Features of one example. A plain object, or a `Map` when the order of integer-like names
 * ("1", "2") matters: River sums features in the order they arrive, and JavaScript objects move
 * such keys to the front. A Map is sent in its own order.
 */
export type Features = Readonly<Record<string, FeatureValue>> | ReadonlyMap<string, FeatureValue>;

/** A target: true/false or 1/0 (binary), a label (multiclass), a number (regression, forecasting). */
export type Target = boolean | number | string;

/** What a model predicts: a label, a number, or null when it cannot predict yet. */
export type PredictedValue = boolean | number | string | null;

/** The task of a model, from its spec. */
export type Task = "binary" | "multiclass" | "regression" | "anomaly" | "forecasting";

/** A problem body: every error Brook answers. */
/** A metric's value: a number, or a ConfusionMatrix as its matrix. */
export type MetricValue = number | { labels: (string | number | boolean)[]; counts: number[][] };

export interface Problem {
  error: string;
  code: string;
  status: number;
  /** The JSON path of the offending field, when there is one (`instances[1].x.https`). */
  path?: string;
  [key: string]: unknown;
}

// ------------------------------------------------------------------------------ predict

/** Options of {@link BrookClient.predict}. */
export interface PredictOptions {
  /** Remember this prediction under `id` for a label that comes later. */
  id?: string;
  /** Remember it under an id the server chooses (answered as `id`). */
  remember?: boolean;
  /** Answer only from a model at this version or later (read-your-writes across workers). */
  minVersion?: number;
}

/** Options of {@link BrookClient.predictBatch}. */
export interface PredictBatchOptions {
  /** Remember every prediction (each answer carries its `id`). */
  remember?: boolean;
  minVersion?: number;
}

/** One prediction in an answer: a label or number (with class probabilities), or an anomaly score. */
export type OnePrediction =
  | {
      /** `null` when a classifier knows no class yet. */
      prediction: PredictedValue | null;
      /** Classifiers: the probability of each class. */
      probabilities?: Record<string, number>;
      /** The id to send its label with, when it was remembered. */
      id?: string;
    }
  | {
      /** Anomaly detectors: higher is more anomalous. */
      score: number;
      id?: string;
    };

/** `POST /v1/models/{name}/predict` with `x`. */
export type Prediction = OnePrediction & {
  model: string;
  /** The version of the model that answered. */
  version: number;
  /** A Redis node that cannot reach Redis answered from its own copy, which may be behind. */
  stale?: true;
};

/** `POST /v1/models/{name}/predict` with `instances`. */
export interface BatchPrediction {
  model: string;
  version: number;
  predictions: OnePrediction[];
  /** A Redis node that cannot reach Redis answered from its own copy, which may be behind. */
  stale?: true;
}

/** A batch instance: features, or features with the id to remember them under. */
export type PredictInstance = Features | { x: Features; id?: string };

// ------------------------------------------------------------------------------ learn

/** Options of a learn call. */
export interface LearnOptions {
  /**
   * Makes a retry of this example a no-op on the server. The client makes one up when it is
   * not given (and retries are on), so that its own retries never learn an example twice.
   */
  eventId?: string;
}

/**
 * A labelled example (`x` may be left out for a forecaster, `y` for an anomaly detector), or
 * the label of a remembered prediction (`id`).
 */
export type LearnItem =
  | { x?: Features; y?: Target; eventId?: string }
  | { id: string; y: Target; eventId?: string };

/** `POST /v1/models/{name}/learn`. */
export interface LearnResult {
  model: string;
  /** The model's version after this learn. */
  version: number;
  /** Its position in the model's log. */
  seq: number;
  /** Examples in the model's history (its total learned). */
  learned: number;
  /** Examples this request learned (0 for a retry the server recognised by its event id). */
  learned_now: number;
  /** The live metrics (progressive validation). */
  metrics: Record<string, MetricValue>;
  /** The example was a retry of one already learned (single example). */
  duplicate?: boolean;
  /** How many examples of a batch were retries of ones already learned. */
  duplicates?: number;
}

/** `PUT /update_model` (the original route) answered as JSON. */
export interface UpdateModelResult {
  model: string;
  version: number;
  metrics: Record<string, MetricValue>;
  /** The metrics as River prints them: `ROCAUC: 95.07%`. */
  text: string;
}

// ------------------------------------------------------------------------------ models

/** A model in a list. */
export interface ModelSummary {
  name: string;
  spec: string;
  task: string;
  version: number;
}

/** A checkpoint of a model. */
export interface Checkpoint {
  seq: number;
  version: number;
  created_at: string;
  bytes: number;
}

/** `GET /v1/models/{name}`: what the server says about a model. */
export interface ModelDetails extends ModelSummary {
  kind: string;
  /** The spec as JSON, every default filled in. */
  params: unknown;
  seq: number;
  learned: number;
  metrics: Record<string, MetricValue>;
  /** The metrics as River prints them. */
  metrics_text: string[];
  pending: {
    waiting: number;
    remembered: number;
    labelled: number;
    expired: number;
    evicted: number;
  };
  checkpoints: { count: number; latest: Checkpoint | null };
  drift?: { detector: string; detections: number; recent: { version: number; at: string }[] };
  /** What the model occupies on disk; `first_seq`: the oldest event kept (retention). */
  disk: { log_bytes: number; checkpoint_bytes: number; segments: number; first_seq: number };
  /** False while the model's disk refuses writes (learns answer 507/503 until it heals). */
  writable: boolean;
  problems?: { kind: "log" | "checkpoint" | "model"; code: string; message: string; since: number }[];
  /** Predictions answered (every worker). */
  predicted?: number;
  /** Seeds drawn at creation for the params the spec left to chance. */
  seeds?: Record<string, number>;
  /** `--store redis://`: the node that answered, the log's head seq, the checkpointer lease's holder. */
  cluster?: {
    node: string;
    role: "all" | "serve" | "learn";
    head_seq?: number;
    lease: { node: string; fence: number; expires_in_ms: number } | null;
  };
  created_at: string;
  updated_at: string;
  /** More fields may come (replica lag in a cluster, ...). */
  [key: string]: unknown;
}

/** `PUT /v1/models/{name}`. */
export interface CreateModel {
  /** A spec string (`"StandardScaler | LogisticRegression"`) or its JSON. */
  spec: string | Record<string, unknown> | unknown[];
  /** Metric specs (default by task), as a list or one comma-separated string. */
  metrics?: string[] | string;
  /** A drift detector watching the model's errors, e.g. `"ADWIN"`. */
  drift?: string;
}

/** What {@link BrookClient.createModel} found or made. */
export interface CreatedModel {
  /** False when the model existed already with the same spec, metrics and drift detector. */
  created: boolean;
  model: ModelDetails;
}

/** `GET /v1/models/{name}/metrics`. */
export interface MetricsResult {
  model: string;
  version: number;
  metrics: Record<string, MetricValue>;
  /** One line per metric, as River prints them: `ROCAUC: 95.07%`. */
  text: string[];
}

/** `GET /v1/models/{name}/checkpoints`. */
export interface CheckpointList {
  model: string;
  version: number;
  checkpoints: Checkpoint[];
}

/** `POST /v1/models/{name}/rollback`. */
export interface RollbackResult {
  model: string;
  /** The model's version after the rollback (a rollback is itself a version). */
  version: number;
  /** The checkpoint it went back to. */
  restored: Checkpoint;
  learned: number;
}

/** `GET /v1/models/{name}/export`: enough to rebuild the exact model elsewhere. */
export interface ModelExport {
  model: string;
  spec: string;
  task: string;
  version: number;
  seq: number;
  learned: number;
  state: unknown;
  metrics: unknown;
  [key: string]: unknown;
}

/** `POST /v1/models/{name}/import`. */
export interface ImportResult {
  model: string;
  version: number;
  learned: number;
}

/** `POST /v1/models/{name}/forecast`. */
export interface ForecastResult {
  model: string;
  version: number;
  forecast: number[];
  /** A Redis node that cannot reach Redis answered from its own copy, which may be behind. */
  stale?: true;
}

// ------------------------------------------------------------------------------ wire bodies

/** The body of `POST /v1/models/{name}/predict`, as sent. */
export interface PredictBody {
  x?: Features;
  instances?: PredictInstance[];
  id?: string;
  remember?: boolean;
  min_version?: number;
}

/** One example of a learn body, as sent. */
export interface LearnBodyItem {
  x?: Features;
  id?: string;
  y?: Target;
  event_id?: string;
}

/** The body of `POST /v1/models/{name}/learn`, as sent. */
export interface LearnBody extends LearnBodyItem {
  instances?: LearnBodyItem[];
}

/** The body of `POST /v1/models/{name}/forecast`, as sent. */
export interface ForecastBody {
  horizon?: number;
  xs?: Features[];
  /** Answer only from a model at this version or later (read-your-writes). */
  min_version?: number;
}

/** `POST /v1/models/{name}/learn` with a stream of JSON lines: what the stream did. */
export interface StreamLearnResult {
  model: string;
  /** The model's version and total learned after the stream. */
  version: number;
  learned: number;
  /** Lines read, learned by this stream, recognised as retries, refused. */
  lines: number;
  learned_now: number;
  duplicates: number;
  rejected: number;
  /** Log positions of the first and last example the stream learned. */
  first_seq: number | null;
  last_seq: number | null;
  /** Every line up to this one is settled. */
  last_line: number | null;
  /** The refused lines (at most 1000). */
  errors: { line: number; code: string; error: string }[];
}
