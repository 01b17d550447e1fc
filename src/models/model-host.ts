import { brookError } from "../errors.js";
import { checkEnvelope } from "../learn/base/component.js";
import {
  argmax,
  asModel,
  build,
  describe,
  type Json,
  type Label,
  type Metric,
  type Model,
  type Prediction,
  type Proba,
  predictFor,
  type RawFeatures,
  type Spec,
  type StateEnvelope,
  StateError,
  scorePrediction,
  type Task,
} from "../learn/index.js";

/** One labelled example, validated and in the model's own target type. */
export interface LearnExample {
  x: RawFeatures;
  y: Label | number;
}

/** What a prediction returns. */
export interface PredictOutcome {
  /** The label or number predicted; `undefined` when a classifier knows no class yet. */
  prediction: Label | number | undefined;
  /** Class probabilities (classifiers only). */
  probabilities: Proba | undefined;
}

/** A model's learned state at a log position: what checkpoints hold and exports carry. */
export interface HostSnapshot {
  /** Seq of the last log event included. */
  seq: number;
  /** Model version: how many model-changing events (learn, rollback, import) were applied. */
  version: number;
  /** Examples in the model's current history (a rollback takes it back). */
  learned: number;
  state: StateEnvelope;
  metrics: StateEnvelope[];
}

/** Everything needed to rebuild a served model elsewhere. */
export interface ModelExport extends HostSnapshot {
  model: string;
  spec: string;
  task: Task;
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
 * A served model: the estimator and its live metrics (progressive validation: each example is
 * scored by the model as it was just before learning it), with its position in its log.
 */
export class ModelHost {
  readonly model: Model;
  readonly metrics: Metric[];
  readonly spec: string;
  /** Seq of the last applied log event. */
  seq = 0;
  /** Model-changing events applied (for a plain stream of examples: the number learned). */
  version = 0;
  /** Examples in the current history. */
  learned = 0;
  /** When the last applied event was accepted (ms since the epoch; 0 before any). */
  lastEventAt = 0;
  readonly createdAt = new Date();
  /** When the model last changed (ms since the epoch). */
  private touched = this.createdAt.getTime();

  constructor(
    readonly name: string,
    spec: Spec,
    metricSpecs: readonly string[] = [],
  ) {
    this.model = asModel(build(spec));
    this.spec = typeof spec === "string" ? spec : describe(this.model);
    this.metrics = buildMetrics(metricSpecs, this.model.task);
  }

  get updatedAt(): Date {
    return new Date(this.touched);
  }

  get task(): Task {
    return this.model.task;
  }

  predict(x: RawFeatures): PredictOutcome {
    if (this.model.family === "classifier") {
      const probabilities = this.model.predictProbaOne(x);
      return { prediction: argmax(probabilities), probabilities };
    }
    return { prediction: this.model.predictOne(x), probabilities: undefined };
  }

  /**
   * Learns one example: scores the metrics with `served` (the prediction made when the
   * example's features were first seen) or with the current prediction, then learns.
   */
  learnOne(x: RawFeatures, y: Label | number, served?: Prediction | null): void {
    // `null`: the prediction served for x was empty (the model knew no class yet): nothing to score.
    const prediction = served === undefined ? predictFor(this.model, x, this.metrics) : served;
    if (prediction !== undefined && prediction !== null) scorePrediction(this.metrics, y, prediction);
    this.model.learnOne(x, y);
    this.learned += 1;
    this.version += 1;
    this.touched = Date.now();
  }

  /** Learns examples in order (tests and offline use; the server goes through its writer). */
  learn(examples: readonly LearnExample[]): void {
    for (const { x, y } of examples) this.learnOne(x, y);
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

  /** Model params as JSON. */
  params(): Json {
    return this.model.getParams();
  }

  snapshot(): HostSnapshot {
    return {
      seq: this.seq,
      version: this.version,
      learned: this.learned,
      state: this.model.toState(),
      metrics: this.metrics.map((m) => m.toState()),
    };
  }

  export(): ModelExport {
    return { model: this.name, spec: this.spec, task: this.task, ...this.snapshot() };
  }

  /**
   * Checks that `doc` (an export, or a bare state envelope) fits this model and returns what
   * to load: the model state, and the metric states when they were made by the same metrics.
   * Throws a 400 error otherwise; nothing changes.
   */
  checkImport(doc: unknown): { state: StateEnvelope; metrics: StateEnvelope[] | undefined; learned: number } {
    const d = doc as Partial<ModelExport> & Partial<StateEnvelope>;
    if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
      throw new StateError("the body must be an export (GET /v1/models/{name}/export) or a state envelope");
    }
    const state = (d.format === undefined && d.state !== undefined ? d.state : doc) as StateEnvelope;
    checkEnvelope(state);
    // Validate by loading into a fresh copy: a bad state throws here and touches nothing.
    this.model.clone().fromState(state);
    let metrics: StateEnvelope[] | undefined;
    if (Array.isArray(d.metrics) && d.metrics.length === this.metrics.length) {
      try {
        for (const [i, env] of d.metrics.entries()) this.metrics[i]!.clone().fromState(env);
        metrics = d.metrics;
      } catch {
        metrics = undefined;
      }
    }
    const learned =
      typeof d.learned === "number" && Number.isSafeInteger(d.learned) && d.learned >= 0 ? d.learned : 0;
    return { state, metrics, learned };
  }

  /** Replaces the model's learned state (and the metrics', fresh when not given). */
  load(state: StateEnvelope, metrics: StateEnvelope[] | undefined, learned: number): void {
    this.model.fromState(state);
    for (const [i, m] of this.metrics.entries()) m.fromState(metrics?.[i] ?? m.clone().toState());
    this.learned = learned;
    this.touched = Date.now();
  }
}
