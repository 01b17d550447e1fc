import { brookError } from "../errors.js";
import {
  argmax,
  asModel,
  build,
  describe,
  type Features,
  type Json,
  type Label,
  type Metric,
  type Model,
  type Proba,
  predictFor,
  type Spec,
  type StateEnvelope,
  scorePrediction,
  type Task,
} from "../learn/index.js";

/** One labelled example, validated and in the model's own target type. */
export interface LearnExample {
  x: Features;
  y: Label | number;
}

/** What a prediction returns. */
export interface PredictOutcome {
  /** The label or number predicted; `undefined` when a classifier knows no class yet. */
  prediction: Label | number | undefined;
  /** Class probabilities (classifiers only). */
  probabilities: Proba | undefined;
}

/** Everything needed to rebuild a served model elsewhere. */
export interface ModelExport {
  model: string;
  version: number;
  spec: string;
  task: Task;
  state: StateEnvelope;
  metrics: StateEnvelope[];
}

/** The metrics a task gets when none are configured (the original app scored ROCAUC). */
const DEFAULT_METRICS: Record<Task, string> = {
  binary: "ROCAUC",
  multiclass: "Accuracy",
  regression: "MAE",
  anomaly: "ROCAUC",
  forecasting: "MAE",
};

function metricFits(metric: Metric, task: Task): boolean {
  if (metric.target === "regression") return task === "regression";
  if (metric.target === "binary") return task === "binary";
  return task !== "regression";
}

/** Builds metrics from their specs and checks them against the task. */
export function buildMetrics(specs: readonly string[], task: Task): Metric[] {
  const list = specs.length ? specs : [DEFAULT_METRICS[task]];
  return list.map((spec) => {
    const metric = build(spec);
    if (metric.family !== "metric") {
      throw brookError("INVALID_REQUEST", `"${spec}" is not a metric`);
    }
    const m = metric as Metric;
    if (!metricFits(m, task)) throw brookError("INVALID_REQUEST", `${m.kind} cannot score a ${task} model`);
    return m;
  });
}

/**
 * A served model: the estimator, its live metrics (progressive validation: each example is
 * scored by the model as it was just before learning it) and its version, the number of
 * examples learned so far.
 */
export class ModelHost {
  readonly model: Model;
  readonly metrics: Metric[];
  readonly spec: string;
  version = 0;
  readonly createdAt = new Date();
  updatedAt = this.createdAt;

  constructor(
    readonly name: string,
    spec: Spec,
    metricSpecs: readonly string[] = [],
  ) {
    this.model = asModel(build(spec));
    this.spec = typeof spec === "string" ? spec : describe(this.model);
    this.metrics = buildMetrics(metricSpecs, this.model.task);
  }

  get task(): Task {
    return this.model.task;
  }

  predict(x: Features): PredictOutcome {
    if (this.model.family === "classifier") {
      const probabilities = this.model.predictProbaOne(x);
      return { prediction: argmax(probabilities), probabilities };
    }
    return { prediction: this.model.predictOne(x), probabilities: undefined };
  }

  /** Learns examples in order: predict, score, learn — one version per example. */
  learn(examples: readonly LearnExample[]): void {
    for (const { x, y } of examples) {
      const prediction = predictFor(this.model, x, this.metrics);
      if (prediction !== undefined) scorePrediction(this.metrics, y, prediction);
      this.model.learnOne(x, y);
      this.version += 1;
    }
    if (examples.length) this.updatedAt = new Date();
  }

  /** Current metric values by name (`ROCAUC`, `ROCAUC(n_thresholds=1000)`, ...). */
  metricValues(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const m of this.metrics) out[m.name] = m.get();
    return out;
  }

  /** River's text for each metric, e.g. `ROCAUC: 95.07%`. */
  metricTexts(): string[] {
    return this.metrics.map((m) => m.toString());
  }

  export(): ModelExport {
    return {
      model: this.name,
      version: this.version,
      spec: this.spec,
      task: this.task,
      state: this.model.toState(),
      metrics: this.metrics.map((m) => m.toState()),
    };
  }

  /** Model params as JSON. */
  params(): Json {
    return this.model.getParams();
  }
}
