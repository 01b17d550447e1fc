/**
 * Forecast evaluation the way River does it (`time_series.evaluate` / `iter_evaluate` with
 * `HorizonMetric`): at each step the model forecasts the next `horizon` values, one metric per
 * step ahead scores them, then the model learns.
 */
import type { Forecaster } from "../base/estimator.js";
import type { RawFeatures } from "../base/types.js";
import { formatValue, type Metric, type MetricFormat } from "../metrics/metric.js";
import { exactMean } from "./exact-mean.js";

/** One observation of a time series: the value and optional exogenous features. */
export interface Observation {
  y: number;
  x?: RawFeatures;
}

/**
 * One regression metric per step ahead (River's `time_series.HorizonMetric`): metric `k` only
 * sees the forecasts made `k + 1` steps ahead. Each is a fresh clone of the given metric.
 */
export class HorizonMetric {
  readonly metrics: Metric[] = [];

  constructor(readonly metric: Metric) {}

  /** Scores one forecast: `yPred[k]` against `yTrue[k]`, over the shorter of the two lists. */
  update(yTrue: readonly number[], yPred: readonly number[]): void {
    const n = Math.min(yTrue.length, yPred.length);
    for (let t = 0; t < n; t++) {
      let metric = this.metrics[t];
      if (metric === undefined) {
        metric = this.metric.clone();
        this.metrics.push(metric);
      }
      metric.update(yTrue[t]!, yPred[t]!);
    }
  }

  /** The metric value at each step ahead. */
  get(): number[] {
    return this.metrics.map((m) => m.get());
  }

  /** River's repr: one `+k MAE: value` line per step, prefixes padded to the same width. */
  toString(): string {
    const prefixes = this.metrics.map((_, t) => `+${t + 1}`);
    const pad = Math.max(0, ...prefixes.map((p) => p.length));
    return this.metrics.map((m, t) => `${prefixes[t]!.padEnd(pad)} ${m.toString()}`).join("\n");
  }
}

/** An aggregation of the per-step values with the name River prints (its function's `__name__`). */
export interface Aggregation {
  name: string;
  fn: (values: number[]) => number;
}

/** `statistics.mean` (exactly rounded), River's usual `agg_func`. */
export const MEAN: Aggregation = { name: "mean", fn: exactMean };

/** River's `HorizonAggMetric`: a {@link HorizonMetric} summarised into one number. */
export class HorizonAggMetric extends HorizonMetric {
  constructor(
    metric: Metric,
    readonly agg: Aggregation,
  ) {
    super(metric);
  }

  /** The per-step values aggregated into one number. */
  aggregate(): number {
    return this.agg.fn(super.get());
  }

  /** River's repr, e.g. `mean(MAE): 42.901748` (the metric's own format, trailing zeros stripped). */
  override toString(): string {
    const format = (this.metric as unknown as { format: MetricFormat }).format;
    return `${this.agg.name}(${this.metric.kind}): ${formatValue(this.aggregate(), format)}`.replace(
      /0+$/,
      "",
    );
  }
}

/** What {@link iterEvaluate} yields after each scored step. */
export interface EvaluationStep {
  /** The observation the model learned at this step. */
  x: RawFeatures | undefined;
  y: number;
  /** The forecast made before learning it, for the `horizon` values that follow it. */
  yPred: number[];
  /** The truth for those values. */
  yHorizon: number[];
  metric: HorizonMetric;
}

/**
 * River's `time_series.iter_evaluate`. Observations are buffered `horizon` at a time, so at
 * dataset index t the model sees (x_t, y_t) together with the next `horizon` observations.
 * During the first `gracePeriod` steps (default: `horizon`) the model only learns; after that
 * each step forecasts the next `horizon` values (with their x as exogenous features), scores
 * them, then learns y_t. As in River the forecast is made before y_t is learned, so "+1"
 * compares a model that has seen y_0..y_{t-1} with y_{t+1}. The last `horizon` observations
 * are only ever used as truth.
 */
export function* iterEvaluate(
  series: Iterable<Observation>,
  model: Forecaster,
  metric: Metric | HorizonMetric,
  horizon: number,
  gracePeriod: number = horizon,
): Generator<EvaluationStep> {
  const horizonMetric = metric instanceof HorizonMetric ? metric : new HorizonMetric(metric);
  const window: Observation[] = [];
  let step = 0;
  for (const obs of series) {
    if (window.length < horizon) {
      window.push(obs);
      continue;
    }
    const now = window.shift()!;
    window.push(obs);
    if (step++ < gracePeriod) {
      model.learnOne(now.y, now.x);
      continue;
    }
    const xs = window.map((o) => o.x ?? new Map());
    const yPred = model.forecast(horizon, xs);
    const yHorizon = window.map((o) => o.y);
    horizonMetric.update(yHorizon, yPred);
    model.learnOne(now.y, now.x);
    yield { x: now.x, y: now.y, yPred, yHorizon, metric: horizonMetric };
  }
}

/** River's `time_series.evaluate`: runs {@link iterEvaluate} to the end and returns the metric. */
export function evaluate(
  series: Iterable<Observation>,
  model: Forecaster,
  metric: Metric | HorizonMetric,
  horizon: number,
  gracePeriod: number = horizon,
): HorizonMetric {
  const horizonMetric = metric instanceof HorizonMetric ? metric : new HorizonMetric(metric);
  for (const _ of iterEvaluate(series, model, horizonMetric, horizon, gracePeriod)) {
    // The metric accumulates as the steps run.
  }
  return horizonMetric;
}
