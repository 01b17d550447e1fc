import { argmax } from "../base/estimator.js";
import type { SupervisedModel as Model } from "../base/model.js";
import type { Label, Proba, RawFeatures } from "../base/types.js";
import { pyGroupedInt } from "../math/py-format.js";
import type { Metric, Prediction } from "../metrics/metric.js";

/** One example of a stream. */
export interface Example {
  x: RawFeatures;
  y: Label | number;
}

/** What progressive validation yields for each example. */
export interface ValidationStep {
  /** Number of examples scored so far (River's step counter). */
  step: number;
  /** The prediction made before learning the example (`undefined` when the model could not predict yet). */
  prediction: Prediction | undefined;
}

/**
 * The prediction a model makes for `x`, in the form the metrics need: class probabilities when
 * some metric needs them, otherwise the label (or number). `undefined` when the model has
 * nothing to say yet (a classifier that has seen no class), in which case nothing is scored.
 */
export function predictFor(model: Model, x: RawFeatures, metrics: readonly Metric[]): Prediction | undefined {
  if (model.family === "classifier" && metrics.some((m) => !m.requiresLabels)) {
    const proba = model.predictProbaOne(x);
    return proba.size === 0 ? undefined : proba;
  }
  const y = model.predictOne(x);
  return y === undefined ? undefined : y;
}

/** Updates every metric with one prediction (label metrics get the most probable class). */
export function scorePrediction(
  metrics: readonly Metric[],
  yTrue: Label | number,
  yPred: Prediction,
  w = 1,
): void {
  const label = yPred instanceof Map ? argmax(yPred as Proba) : yPred;
  for (const m of metrics) m.update(yTrue, m.requiresLabels ? (label as Label) : yPred, w);
}

/**
 * River's progressive validation (test-then-train): for each example, predict, score the
 * prediction, then learn. Yields after every example.
 */
export function* progressiveValidation(
  model: Model,
  metrics: readonly Metric[],
  stream: Iterable<Example>,
): Generator<ValidationStep> {
  let step = 0;
  for (const { x, y } of stream) {
    const prediction = predictFor(model, x, metrics);
    if (prediction !== undefined) {
      scorePrediction(metrics, y, prediction);
      step += 1;
    }
    model.learnOne(x, y);
    yield { step, prediction };
  }
}

/** River's progress line: `[1,250] ROCAUC: 95.07%`. */
export function progressLine(step: number, metrics: readonly Metric[]): string {
  return `[${pyGroupedInt(step)}] ${metrics.map((m) => m.toString()).join(", ")}`;
}

/**
 * `evaluate.progressive_val_score`: runs the stream, calls `print` every `printEvery` scored
 * examples (and once more at the end if the last step was not a multiple), and returns the metrics.
 */
export function progressiveValScore(
  model: Model,
  metrics: readonly Metric[],
  stream: Iterable<Example>,
  options: { printEvery?: number; print?: (line: string) => void } = {},
): readonly Metric[] {
  const every = options.printEvery ?? 0;
  const print = options.print ?? ((line: string) => console.log(line));
  let last = 0;
  let printedAt = 0;
  for (const { step, prediction } of progressiveValidation(model, metrics, stream)) {
    last = step;
    if (every > 0 && prediction !== undefined && step % every === 0) {
      print(progressLine(step, metrics));
      printedAt = step;
    }
  }
  if (every > 0 && last !== printedAt) print(progressLine(last, metrics));
  return metrics;
}
