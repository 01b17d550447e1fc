import { brookError, limitError } from "../errors.js";
import { checkEnvelope } from "../learn/base/component.js";
import type { DriftDetector } from "../learn/base/estimator.js";
import type { ForecastModel } from "../learn/base/model.js";
import {
  argmax,
  asModel,
  build,
  buildDrift,
  buildMetrics,
  describe,
  type Json,
  type Label,
  type Metric,
  type Model,
  nonFinitePath,
  type Prediction,
  type Proba,
  predictFor,
  type RawFeatures,
  type Seeds,
  type Spec,
  type StateEnvelope,
  StateError,
  StateValueError,
  scorePrediction,
  type Task,
  withSeeds,
} from "../learn/index.js";
import type { ModelRecord } from "../store/ports.js";
import { DEFAULT_HISTORY, type HistorySettings, MetricHistory } from "./metric-history.js";
import type { DriftEvent, ImportedState, ModelExport, ModelSnapshot } from "./snapshot.js";
import { VersionGate } from "./version-gate.js";

/** One example, validated and in the model's own target type (`y` may be absent for anomaly detectors). */
export interface LearnExample {
  x: RawFeatures;
  y: Label | number | undefined;
}

/** What a prediction returns. */
export interface PredictOutcome {
  /** The label or number predicted (the anomaly score for detectors); `undefined` when a classifier knows no class yet. */
  prediction: Label | number | undefined;
  /** Class probabilities (classifiers only). */
  probabilities: Proba | undefined;
  /** True for an anomaly detector's score (higher is more anomalous). */
  score?: boolean;
}

/** Recent drift events kept per model. */
const RECENT_DRIFTS = 100;

/**
 * A served model: the estimator and its live metrics (progressive validation: each example is
 * scored by the model as it was just before learning it), with its position in its log and,
 * optionally, a drift detector fed with the model's own errors.
 */
export class ServedModel {
  /** The estimator (pipeline, classifier, regressor, ...). */
  readonly estimator: Model;
  readonly metrics: Metric[];
  readonly spec: string;
  readonly drift: { detector: DriftDetector; detections: number; recent: DriftEvent[] } | undefined;
  /** Seq of the last applied log event. */
  seq = 0;
  /** Model-changing events applied (for a plain stream of examples: the number learned). */
  version = 0;
  /** Examples in the current history. */
  learned = 0;
  /** Times its learned state was replaced (a restore, a rollback, an import): what was counted of it is stale. */
  loads = 0;
  /** Predictions (and forecasts) this process answered with this model (not logged: a per-process count). */
  predicted = 0;
  /** The metric values over the model's versions, with drift, rollback and import marks. */
  readonly history: MetricHistory;
  readonly createdAt = new Date();
  private readonly gate: VersionGate;
  /** When the model last changed (ms since the epoch). */
  private touched = this.createdAt.getTime();

  constructor(
    readonly name: string,
    spec: Spec,
    metricSpecs: readonly string[] = [],
    driftSpec?: string,
    /** Seeds drawn when the model was created, for the params its spec left to chance. */
    seeds?: Seeds,
    history: HistorySettings = DEFAULT_HISTORY,
  ) {
    this.history = new MetricHistory(history);
    this.gate = new VersionGate(name, () => this.version);
    const built = asModel(build(spec));
    this.estimator =
      seeds && Object.keys(seeds).length > 0
        ? asModel(build(withSeeds(built.toSpec(), seeds) as Spec))
        : built;
    this.spec = typeof spec === "string" ? spec : describe(this.estimator);
    this.metrics = buildMetrics(metricSpecs, this.estimator.task);
    this.drift =
      driftSpec === undefined
        ? undefined
        : { detector: buildDrift(driftSpec, this.estimator.task), detections: 0, recent: [] };
  }

  /** The model a creation record describes (seeds included), before any event. */
  static fromRecord(record: ModelRecord, history: HistorySettings = DEFAULT_HISTORY): ServedModel {
    return new ServedModel(
      record.name,
      record.spec as string,
      record.metrics,
      record.drift,
      record.seeds,
      history,
    );
  }

  get updatedAt(): Date {
    return new Date(this.touched);
  }

  get task(): Task {
    return this.estimator.task;
  }

  /** A prediction (classifiers, regressors) or an anomaly score (detectors). */
  predict(x: RawFeatures): PredictOutcome {
    const m = this.estimator;
    this.predicted += 1;
    switch (m.family) {
      case "classifier": {
        const probabilities = m.predictProbaOne(x);
        return { prediction: argmax(probabilities), probabilities };
      }
      case "regressor":
        return { prediction: m.predictOne(x), probabilities: undefined };
      case "anomaly":
        return { prediction: m.scoreOne(x), probabilities: undefined, score: true };
      case "forecaster":
        throw brookError(
          "INVALID_REQUEST",
          `model "${this.name}" is a forecaster: ask it for a forecast (POST /v1/models/${this.name}/forecast)`,
        );
    }
  }

  /**
   * The past values and errors a forecaster looks at for each step it forecasts (SNARIMAX:
   * p + q + m·sp + m·sq; Holt-Winters: its season), which a forecast's cost grows with; 1 for
   * any other model.
   */
  get forecastLags(): number {
    const e = this.estimator as unknown as { kind: string; params: Record<string, unknown> };
    const n = (k: string) => (typeof e.params[k] === "number" ? (e.params[k] as number) : 0);
    if (e.kind === "SNARIMAX") return Math.max(1, n("p") + n("q") + n("m") * (n("sp") + n("sq")));
    if (e.kind === "HoltWinters") return Math.max(1, n("seasonality"));
    return 1;
  }

  /** Refuses a forecaster (being created) that looks at more lags than `limit` (`--max-forecast-order`). */
  checkForecastOrder(limit: number | undefined): void {
    const lags = this.forecastLags;
    if (limit !== undefined && lags > limit) {
      throw limitError(
        "max-forecast-order",
        limit,
        `the forecaster looks at ${lags} past values and errors for each step, more than the limit of ${limit}`,
        { lags },
      );
    }
  }

  /** The next `horizon` values (forecasters only); never changes the model. */
  forecast(horizon: number, xs?: RawFeatures[]): number[] {
    if (this.estimator.family !== "forecaster") {
      throw brookError(
        "INVALID_REQUEST",
        `model "${this.name}" is not a forecaster: ask it for predictions instead`,
      );
    }
    this.predicted += 1;
    return this.estimator.forecast(horizon, xs);
  }

  /**
   * Learns one example. Metrics score `served` (the prediction made when the example's
   * features were first seen) or, without it, what the model predicts right now; then the
   * model learns. Anomaly detectors take `y` (optional) only for their metrics; forecasters
   * learn `y` with `x` as exogenous features. `at` timestamps drift events.
   */
  learnOne(x: RawFeatures, y: Label | number | undefined, served?: Prediction | null, at = Date.now()): void {
    const m = this.estimator;
    switch (m.family) {
      case "anomaly": {
        if (y !== undefined) {
          const score = served === undefined ? m.scoreOne(x) : served;
          if (score !== null) for (const metric of this.metrics) metric.update(y, score as Prediction);
        }
        m.learnOne(x);
        break;
      }
      case "forecaster": {
        const yhat = served === undefined ? this.nextForecast(x) : served;
        if (yhat !== undefined && yhat !== null)
          for (const metric of this.metrics) metric.update(y as number, yhat);
        m.learnOne(y as number, x.size > 0 ? x : undefined);
        break;
      }
      default: {
        // `null`: the prediction served for x was empty (the model knew no class yet): nothing to score.
        const prediction = served === undefined ? predictFor(m, x, this.metrics) : served;
        if (prediction !== undefined && prediction !== null) {
          scorePrediction(this.metrics, y as Label | number, prediction);
          if (this.drift) this.watch(prediction, y as Label | number, at);
        }
        m.learnOne(x, y as Label | number);
      }
    }
    this.learned += 1;
    this.version += 1;
    this.touched = Date.now();
    this.history.changed(this.version, this.learned, at, this);
    this.gate.reached();
  }

  /** The one-step forecast a forecaster would make for this observation, if it can make one yet. */
  private nextForecast(x: RawFeatures): number | undefined {
    try {
      return (this.estimator as ForecastModel).forecast(1, x.size > 0 ? [x] : undefined)[0];
    } catch {
      return undefined; // not enough history yet (e.g. the first seasons of Holt-Winters)
    }
  }

  /** Feeds the drift detector with the error of the prediction: 0/1 for classes, |y - ŷ| for numbers. */
  private watch(prediction: Prediction, y: Label | number, at: number): void {
    const d = this.drift!;
    const label = prediction instanceof Map ? argmax(prediction) : prediction;
    const err =
      typeof y === "number" && this.task === "regression"
        ? Math.abs(y - (label as number))
        : label === y
          ? 0
          : 1;
    d.detector.update(err);
    if (d.detector.driftDetected) {
      d.detections += 1;
      d.recent.push({ version: this.version + 1, at: new Date(at).toISOString() });
      this.history.mark("drift", this.version + 1, at);
      if (d.recent.length > RECENT_DRIFTS) d.recent.shift();
    }
  }

  /** Learns examples in order (tests and offline use; the server goes through its writer). */
  learn(examples: readonly LearnExample[]): void {
    for (const { x, y } of examples) this.learnOne(x, y);
  }

  /**
   * Whether the estimator's and the metrics' learned states are all finite: what the writer
   * keeps true (a learn that would break it is refused before it is logged).
   */
  stateIsFinite(): boolean {
    if (!this.estimator.stateIsFinite()) return false;
    for (const m of this.metrics) if (!m.stateIsFinite()) return false;
    return true;
  }

  /** {@link stateIsFinite} right after a learn, for a model that was finite before it (cheaper). */
  learnedStateIsFinite(): boolean {
    if (!this.estimator.learnedStateIsFinite()) return false;
    for (const m of this.metrics) if (!m.stateIsFinite()) return false;
    return true;
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
    return this.estimator.getParams();
  }

  snapshot(): ModelSnapshot {
    const snap: ModelSnapshot = {
      seq: this.seq,
      version: this.version,
      learned: this.learned,
      state: this.estimator.toState(),
      metrics: this.metrics.map((m) => m.toState()),
      history: this.history.toState(),
    };
    if (this.drift) {
      snap.drift = {
        state: this.drift.detector.toState(),
        detections: this.drift.detections,
        recent: [...this.drift.recent],
      };
    }
    return snap;
  }

  /**
   * Returns to an earlier snapshot (a rollback): state, metrics and drift watch; the version
   * moves on, and the history goes on too (marked), not back. `at`: when it was logged.
   */
  rollbackTo(s: ModelSnapshot, at = Date.now()): void {
    const version = this.version;
    const seq = this.seq;
    this.restoreState(s);
    this.version = version + 1;
    this.seq = seq;
    this.changedBy("rollback", at, s.version);
  }

  /** Replaces the learned state by an imported one (checked by {@link checkImport}); the version moves on. */
  importSnapshot(s: ImportedState, at = Date.now()): void {
    this.load(s.state, s.metrics, s.learned);
    this.version += 1;
    this.changedBy("import", at);
  }

  private changedBy(kind: "rollback" | "import", at: number, restored?: number): void {
    this.history.mark(kind, this.version, at, restored);
    this.history.changed(this.version, this.learned, at, this);
    this.gate.reached();
  }

  /**
   * Resolves once the model has reached `version` (read-your-writes for a replica that may
   * lag); rejects with a 503 when `timeoutMs` runs out first.
   */
  whenVersion(version: number, timeoutMs: number): Promise<void> {
    return this.gate.wait(version, timeoutMs);
  }

  /** Restores a snapshot taken by {@link snapshot} of a model with the same spec, history included. */
  restoreSnapshot(s: ModelSnapshot): void {
    this.restoreState(s);
    this.history.restore(s.history);
  }

  /** A snapshot's learned state, position and drift watch (everything but the history). */
  private restoreState(s: ModelSnapshot): void {
    this.load(s.state, s.metrics, s.learned);
    this.version = s.version;
    this.seq = s.seq;
    this.gate.reached();
    if (this.drift && s.drift) {
      this.drift.detector.fromState(s.drift.state);
      this.drift.detections = s.drift.detections;
      this.drift.recent = [...s.drift.recent];
    }
  }

  /** The learned state to rebuild the model elsewhere (the history stays: it is this model's past). */
  export(): ModelExport {
    const { history: _history, ...snapshot } = this.snapshot();
    return { model: this.name, spec: this.spec, task: this.task, ...snapshot };
  }

  /**
   * Checks that `doc` (an export, or a bare state envelope) fits this model and returns what
   * to load: the model state, and the metric states when they were made by the same metrics.
   * Throws a 400 error otherwise; nothing changes.
   */
  checkImport(doc: unknown): ImportedState {
    const d = doc as Partial<ModelExport> & Partial<StateEnvelope>;
    if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
      throw new StateError("the body must be an export (GET /v1/models/{name}/export) or a state envelope");
    }
    const state = (d.format === undefined && d.state !== undefined ? d.state : doc) as StateEnvelope;
    checkEnvelope(state);
    const where = state === doc ? "" : "state.";
    // Validate by loading into a fresh copy: a bad state throws here and touches nothing.
    if (!this.estimator.clone().fromState(state).stateIsFinite()) {
      const at = nonFinitePath(state.state, `${where}state`);
      throw new StateValueError(
        `${at ?? `${where}state`} must be finite: a model state holds finite numbers only`,
      );
    }
    let metrics: StateEnvelope[] | undefined;
    if (d.metrics !== undefined && state !== doc) {
      const kinds = this.metrics.map((m) => m.kind).join(", ");
      if (!Array.isArray(d.metrics) || d.metrics.length !== this.metrics.length) {
        throw new StateValueError(
          `metrics must hold the states of this model's ${this.metrics.length} metrics (${kinds}), in order`,
        );
      }
      for (const [i, env] of d.metrics.entries()) {
        let loaded: Metric;
        try {
          loaded = this.metrics[i]!.clone().fromState(env);
        } catch (err) {
          throw new StateValueError(
            `metrics[${i}] is not a state of this model's ${this.metrics[i]!.name}: ${(err as Error).message}`,
          );
        }
        if (!loaded.stateIsFinite()) {
          const at = nonFinitePath((env as StateEnvelope).state, `metrics[${i}].state`);
          throw new StateValueError(`${at ?? `metrics[${i}].state`} must be finite`);
        }
      }
      metrics = d.metrics;
    }
    if (d.learned !== undefined && state !== doc) {
      if (typeof d.learned !== "number" || !Number.isSafeInteger(d.learned) || d.learned < 0)
        throw new StateValueError("learned must be a non-negative integer");
    }
    const learned = typeof d.learned === "number" && state !== doc ? d.learned : 0;
    return { state, metrics, learned };
  }

  /** Replaces the model's learned state (and the metrics', fresh when not given). */
  load(state: StateEnvelope, metrics: StateEnvelope[] | undefined, learned: number): void {
    this.estimator.fromState(state);
    this.loads += 1;
    for (const [i, m] of this.metrics.entries()) m.fromState(metrics?.[i] ?? m.clone().toState());
    this.learned = learned;
    this.touched = Date.now();
  }
}
