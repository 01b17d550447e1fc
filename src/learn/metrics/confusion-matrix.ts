import { StateError } from "../base/errors.js";
import { decodeNumber, encodeNumber, StateReader } from "../base/state.js";
import type { Json, Label } from "../base/types.js";

/**
 * Weighted confusion matrix with River's bookkeeping (`data[truth][pred]`, row and column
 * sums), so counts derived by subtraction round exactly as River's do.
 */
export class ConfusionMatrix {
  private data = new Map<Label, Map<Label, number>>();
  private sumRow = new Map<Label, number>();
  private sumCol = new Map<Label, number>();
  totalWeight = 0;
  nSamples = 0;

  update(yTrue: Label, yPred: Label, w = 1): void {
    let row = this.data.get(yTrue);
    if (row === undefined) {
      row = new Map();
      this.data.set(yTrue, row);
    }
    row.set(yPred, (row.get(yPred) ?? 0) + w);
    this.sumRow.set(yTrue, (this.sumRow.get(yTrue) ?? 0) + w);
    this.sumCol.set(yPred, (this.sumCol.get(yPred) ?? 0) + w);
    this.totalWeight += w;
    this.nSamples += 1;
  }

  revert(yTrue: Label, yPred: Label, w = 1): void {
    this.update(yTrue, yPred, -w);
    this.nSamples -= 2;
  }

  cell(yTrue: Label, yPred: Label): number {
    return this.data.get(yTrue)?.get(yPred) ?? 0;
  }

  /** Labels with a non-zero row or column sum, in first-seen order. */
  get classes(): Label[] {
    const out: Label[] = [];
    for (const [label, s] of this.sumRow) if (s !== 0) out.push(label);
    for (const [label, s] of this.sumCol) if (s !== 0 && !out.includes(label)) out.push(label);
    return out;
  }

  /** Total weight of the examples whose truth is `label` (River's `sum_row`, the class support). */
  rowSum(label: Label): number {
    return this.sumRow.get(label) ?? 0;
  }

  /** Total weight of the examples predicted as `label` (River's `sum_col`). */
  colSum(label: Label): number {
    return this.sumCol.get(label) ?? 0;
  }

  truePositives(label: Label): number {
    return this.cell(label, label);
  }

  falsePositives(label: Label): number {
    return (this.sumCol.get(label) ?? 0) - this.truePositives(label);
  }

  falseNegatives(label: Label): number {
    return (this.sumRow.get(label) ?? 0) - this.truePositives(label);
  }

  /** Σ over classes of the diagonal. */
  totalTruePositives(): number {
    let total = 0;
    for (const c of this.classes) total += this.cell(c, c);
    return total;
  }

  exportState(): Json {
    const cells: Json[] = [];
    for (const [t, row] of this.data) for (const [p, w] of row) cells.push([t, p, encodeNumber(w)]);
    const sums = (m: Map<Label, number>): Json[] => [...m].map(([label, w]) => [label, encodeNumber(w)]);
    return {
      cells,
      sum_row: sums(this.sumRow),
      sum_col: sums(this.sumCol),
      total_weight: encodeNumber(this.totalWeight),
      n_samples: this.nSamples,
    };
  }

  importState(data: Json, path: string): void {
    const r = new StateReader(data, path);
    const cells = r.array("cells");
    const fresh = new Map<Label, Map<Label, number>>();
    for (const cell of cells) {
      const [t, p, w] = Array.isArray(cell) && cell.length === 3 ? cell : [];
      const weight = decodeNumber(w);
      if (!isLabel(t) || !isLabel(p) || weight === undefined) {
        throw new StateError(`${path}.cells must hold [truth, prediction, weight] triples`);
      }
      let row = fresh.get(t);
      if (row === undefined) {
        row = new Map();
        fresh.set(t, row);
      }
      row.set(p, weight);
    }
    const sumRow = readSums(r.array("sum_row"), `${path}.sum_row`);
    const sumCol = readSums(r.array("sum_col"), `${path}.sum_col`);
    const total = r.nonNegative("total_weight");
    const n = r.count("n_samples");
    this.data = fresh;
    this.sumRow = sumRow;
    this.sumCol = sumCol;
    this.totalWeight = total;
    this.nSamples = n;
  }
}

function readSums(pairs: Json[], path: string): Map<Label, number> {
  const out = new Map<Label, number>();
  for (const pair of pairs) {
    const [label, w] = Array.isArray(pair) && pair.length === 2 ? pair : [];
    const weight = decodeNumber(w);
    if (!isLabel(label) || weight === undefined)
      throw new StateError(`${path} must hold [label, weight] pairs`);
    out.set(label, weight);
  }
  return out;
}

function isLabel(v: Json | undefined): v is Label {
  return typeof v === "boolean" || typeof v === "string" || typeof v === "number";
}
