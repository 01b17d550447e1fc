import type { Schema } from "../base/component.js";
import { pyCompare } from "../base/py-values.js";
import type { Label } from "../base/types.js";
import { pyGroupedInt, pyRepr } from "../math/py-format.js";
import { ConfusionMetric } from "./classification.js";

/**
 * A metric over the full (multiclass) confusion matrix of predicted labels. River counts a
 * class once it has a non-zero row or column sum, so a class that was only ever predicted
 * (never the truth) counts too, and a class whose every example was reverted drops out.
 */
abstract class MultiClassConfusionMetric extends ConfusionMetric<Record<string, never>> {
  readonly target = "classification" as const;
  protected cellOf(yTrue: Label, yPred: Label): [Label, Label] {
    return [yTrue, yPred];
  }
}

/** River's F-beta of one precision/recall pair: `(1 + b²)·p·r / (b²·p + r)`, 0 when undefined. */
function fbeta(p: number, r: number, b2: number): number {
  const d = b2 * p + r;
  return d !== 0 ? ((1 + b2) * p * r) / d : 0;
}

/**
 * Macro-averaged F1 (River's `metrics.MacroF1`): the F1 of every class, averaged with equal
 * weights over the classes of the confusion matrix (those seen as truth or as prediction).
 */
export class MacroF1 extends MultiClassConfusionMetric {
  static readonly kind = "MacroF1";
  static readonly schema: Schema = [];
  constructor(params?: Record<string, never>) {
    super(MacroF1.kind, MacroF1.schema, params);
  }

  get(): number {
    const classes = this.cm.classes;
    if (classes.length === 0) return 0;
    let total = 0;
    for (const c of classes) {
      const tp = this.cm.cell(c, c);
      const col = this.cm.colSum(c);
      const row = this.cm.rowSum(c);
      // River divides and catches ZeroDivisionError, which an exact 0 (or -0) sum raises.
      const p = col !== 0 ? tp / col : 0;
      const r = row !== 0 ? tp / row : 0;
      total += fbeta(p, r, 1);
    }
    return total / classes.length;
  }
}

/**
 * Micro-averaged F1 (River's `metrics.MicroF1`): F1 of the pooled counts. Its precision and
 * recall both equal the accuracy, but River still combines them with the F1 formula, which
 * can differ from `Accuracy` in the last bit, so it is computed the same way here.
 */
export class MicroF1 extends MultiClassConfusionMetric {
  static readonly kind = "MicroF1";
  static readonly schema: Schema = [];
  constructor(params?: Record<string, never>) {
    super(MicroF1.kind, MicroF1.schema, params);
  }

  get(): number {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    const classes = this.cm.classes;
    for (const c of classes) tp += this.cm.truePositives(c);
    for (const c of classes) fp += this.cm.falsePositives(c);
    for (const c of classes) fn += this.cm.falseNegatives(c);
    const p = tp + fp !== 0 ? tp / (tp + fp) : 0;
    const r = tp + fn !== 0 ? tp / (tp + fn) : 0;
    return fbeta(p, r, 1);
  }
}

/** The counts of a confusion matrix: `counts[i][j]` is the weight of truth `classes[i]` predicted as `classes[j]`. */
export interface ConfusionCounts {
  classes: Label[];
  counts: number[][];
}

/**
 * The confusion matrix as a metric (River's `metrics.ConfusionMatrix`, which can sit in a
 * metric list). River gives it no scalar value; here `get()` is the accuracy (the weight on
 * the diagonal over the total) so that generic code reading `get()` sees a meaningful
 * number, while `matrix()` exposes the table and `toString()` prints it as River's repr does.
 */
export class ConfusionMatrixMetric extends MultiClassConfusionMetric {
  static readonly kind = "ConfusionMatrix";
  static readonly schema: Schema = [];
  constructor(params?: Record<string, never>) {
    super(ConfusionMatrixMetric.kind, ConfusionMatrixMetric.schema, params);
  }

  /** Share of the weight on the diagonal (0 before any example). */
  get(): number {
    return this.cm.totalWeight !== 0 ? this.cm.totalTruePositives() / this.cm.totalWeight : 0;
  }

  /** Number of updates minus reverts (River's `n_samples`). */
  get nSamples(): number {
    return this.cm.nSamples;
  }

  /** The classes in River's display order (sorted) and the weight of every (truth, prediction) cell. */
  matrix(): ConfusionCounts {
    const classes = this.cm.classes.sort(pyCompare);
    return {
      classes,
      counts: classes.map((t) => classes.map((p) => this.cm.cell(t, p))),
    };
  }

  /**
   * River's repr: a table with the sorted classes as row (truth) and column (prediction)
   * headers and the counts truncated to integers with thousands separators; "" when empty.
   */
  override toString(): string {
    const { classes, counts } = this.matrix();
    if (classes.length === 0) return "";
    const names = classes.map(pyStr);
    const headers = ["", ...names];
    const columns = [names, ...classes.map((_, j) => counts.map((row) => pyGroupedInt(Math.trunc(row[j]!))))];
    return printTable(headers, columns);
  }
}

/** Python's `str()` of a label. */
function pyStr(label: Label): string {
  if (typeof label === "boolean") return label ? "True" : "False";
  if (typeof label === "number") return Number.isInteger(label) ? String(label) : pyRepr(label);
  return label;
}

/** Python's `len()`: code points, not UTF-16 units. */
function pyLen(s: string): number {
  return [...s].length;
}

/** River's `utils.pretty.print_table`: every cell right-aligned to its column width, then padded by two. */
function printTable(headers: string[], columns: string[][]): string {
  const widths = headers.map((h, j) => Math.max(pyLen(h), ...columns[j]!.map(pyLen)));
  const line = (cells: string[]) => cells.map((c, j) => c + " ".repeat(widths[j]! + 2 - pyLen(c))).join(" ");
  const rows = columns[0]!.map((_, i) =>
    line(columns.map((col, j) => " ".repeat(widths[j]! - pyLen(col[i]!)) + col[i]!)),
  );
  return [line(headers), ...rows].join("\n");
}
