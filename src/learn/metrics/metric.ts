import { Component, type Schema } from "../base/component.js";
import type { Label, Proba } from "../base/types.js";
import { pyFixed, pyPercent, pyRepr } from "../math/py-format.js";

/** What a metric scores: a label, class probabilities (or the positive probability), or a number. */
export type Prediction = Label | Proba | number;

/** How River prints a metric value: `.2%` for classification, `,.6f` for regression, plain repr. */
export type MetricFormat = "percent" | "fixed" | "repr";

/**
 * An online metric (River's `metrics.base.Metric`): `update` with one (truth, prediction) pair,
 * `revert` to remove one (for windows), `get` for the current value.
 */
export abstract class Metric<P extends object = object> extends Component<P> {
  static readonly family = "metric";
  readonly family = "metric" as const;
  /** Which models the metric can score. */
  abstract readonly target: "binary" | "classification" | "regression";
  /** Whether it scores the predicted label (true) or the class probabilities (false). */
  abstract readonly requiresLabels: boolean;
  abstract readonly biggerIsBetter: boolean;
  protected abstract readonly format: MetricFormat;

  abstract update(yTrue: Label | number, yPred: Prediction, w?: number): void;
  abstract revert(yTrue: Label | number, yPred: Prediction, w?: number): void;
  abstract get(): number;

  /** River's text, e.g. `ROCAUC: 95.07%` (with River's trailing-zero stripping). */
  override toString(): string {
    return `${this.kind}: ${formatValue(this.get(), this.format)}`.replace(/0+$/, "");
  }

  /** A stable name: the kind, plus the params that differ from their defaults (`ROCAUC(n_thresholds=1000)`). */
  private cachedName: string | undefined;

  get name(): string {
    this.cachedName ??= this.computeName();
    return this.cachedName;
  }

  private computeName(): string {
    const schema = (this.constructor as unknown as { schema: Schema }).schema;
    const parts: string[] = [];
    for (const def of schema) {
      const v = (this.params as Record<string, unknown>)[def.name];
      if (JSON.stringify(v) !== JSON.stringify(def.default())) parts.push(`${def.name}=${JSON.stringify(v)}`);
    }
    return parts.length ? `${this.kind}(${parts.join(", ")})` : this.kind;
  }
}

export function formatValue(v: number, format: MetricFormat): string {
  if (format === "percent") return pyPercent(v, 2);
  if (format === "fixed") return pyFixed(v, 6, true);
  return pyRepr(v);
}

/** The probability of `true` in a prediction (River reads `y_pred.get(True, 0.0)`). */
export function positiveProba(yPred: Prediction): number {
  if (typeof yPred === "number") return yPred;
  if (yPred instanceof Map) return yPred.get(true) ?? 0;
  return yPred === true ? 1 : 0;
}
