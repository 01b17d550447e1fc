/**
 * A model's metric values as clients see them: numbers, except a `ConfusionMatrix`, which is
 * shown as its matrix (labels and counts) rather than the single number the metric list
 * carries for it.
 */
import { ConfusionMatrixMetric } from "../learn/index.js";
import type { ServedModel } from "../models/served-model.js";

/** `values` (name → number) with each confusion matrix of `model` replaced by its table. */
export function metricsJson(model: ServedModel, values: Record<string, number>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const m of model.metrics) {
    if (!(m instanceof ConfusionMatrixMetric) || !(m.name in values)) continue;
    out ??= { ...values };
    const { classes, counts } = m.matrix();
    out[m.name] = { labels: classes, counts };
  }
  return out ?? values;
}
