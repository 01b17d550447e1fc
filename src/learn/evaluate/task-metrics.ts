/**
 * Which metrics and drift detectors fit which task, and the metric a task gets when none is
 * asked for. Shared by the server's models and the offline `brook evaluate`.
 */

import { LearnError } from "../base/errors.js";
import type { DriftDetector } from "../base/estimator.js";
import type { Task } from "../base/types.js";
import type { Metric } from "../metrics/metric.js";
import { build } from "../spec/build.js";

/** A metric or drift detector spec that is not one, or does not fit the model's task. */
export class TaskMismatchError extends LearnError {
  constructor(message: string) {
    super("BROOK_INVALID_REQUEST", message);
  }
}

/** The metric of each task when none is configured (the original app scored ROCAUC). */
export const DEFAULT_METRICS: Readonly<Record<Task, string>> = {
  binary: "ROCAUC",
  multiclass: "Accuracy",
  regression: "MAE",
  anomaly: "ROCAUC",
  forecasting: "MAE",
};

/** Whether `metric` can score the predictions of a model of `task`. */
export function metricFits(metric: Metric, task: Task): boolean {
  switch (task) {
    case "regression":
    case "forecasting":
      return metric.target === "regression";
    case "anomaly":
      // Labels, when they come, score the anomaly score as the probability of `true`.
      return metric.target === "binary" && !metric.requiresLabels;
    default:
      // A multiclass model on boolean labels can be scored as binary (on `pos_val`).
      return metric.target !== "regression";
  }
}

/** Builds metrics from their specs (the task's default when none) and checks them against the task. */
export function buildMetrics(specs: readonly string[], task: Task): Metric[] {
  const list = specs.length ? specs : [DEFAULT_METRICS[task]];
  return list.map((spec) => {
    const metric = build(spec);
    if (metric.family !== "metric") throw new TaskMismatchError(`"${spec}" is not a metric`);
    const m = metric as Metric;
    if (!metricFits(m, task)) throw new TaskMismatchError(`${m.kind} cannot score a ${task} model`);
    return m;
  });
}

/** Builds the drift detector that watches a model's errors. */
export function buildDrift(spec: string, task: Task): DriftDetector {
  const d = build(spec);
  if (d.family !== "drift")
    throw new TaskMismatchError(`"${spec}" is not a drift detector (ADWIN, PageHinkley)`);
  if (task === "anomaly" || task === "forecasting") {
    throw new TaskMismatchError(`a ${task} model has no error stream to watch for drift`);
  }
  return d as DriftDetector;
}
