import type { Schema } from "../base/component.js";
import { StateError } from "../base/errors.js";
import { DriftDetector } from "../base/estimator.js";
import { encodeNumber, encodeNumbers, StateReader } from "../base/state.js";
import type { Json } from "../base/types.js";

export interface ADWINParams {
  delta: number;
  clock: number;
  max_buckets: number;
  min_window_length: number;
  grace_period: number;
}

/**
 * One row of the exponential histogram: up to `max_buckets + 1` buckets that each summarize
 * 2^row values (their total and their sum of squared deviations), oldest first.
 */
interface Row {
  totals: Float64Array;
  variances: Float64Array;
  n: number;
}

function newRow(maxBuckets: number): Row {
  return { totals: new Float64Array(maxBuckets + 1), variances: new Float64Array(maxBuckets + 1), n: 0 };
}

function insert(row: Row, total: number, variance: number): void {
  row.totals[row.n] = total;
  row.variances[row.n] = variance;
  row.n += 1;
}

/** Drops the `k` oldest buckets of a row (River shifts its fixed arrays left and zeroes the tail). */
function dropOldest(row: Row, k: number): void {
  row.totals.copyWithin(0, k);
  row.variances.copyWithin(0, k);
  row.totals.fill(0, row.totals.length - k);
  row.variances.fill(0, row.variances.length - k);
  row.n -= k;
}

/**
 * ADWIN2's adaptive window (River's `drift.adwin_c.AdaptiveWindowing`), ported operation by
 * operation so that the width, total, variance and the cut decisions match River's doubles.
 */
class AdaptiveWindow {
  /** Row i holds buckets of 2^i values; row 0 receives every new value. */
  rows: Row[];
  total = 0;
  /** Sum of squared deviations of the window (River calls it `variance`). */
  variance = 0;
  width = 0;
  nBuckets = 0;
  maxNBuckets = 0;
  tick = 0;
  totalWidth = 0;
  nDetections = 0;

  constructor(private readonly p: ADWINParams) {
    this.rows = [newRow(p.max_buckets)];
  }

  get varianceInWindow(): number {
    return this.variance / this.width;
  }

  update(value: number): boolean {
    this.insertElement(value);
    return this.detectChange();
  }

  private insertElement(value: number): void {
    insert(this.rows[0]!, value, 0);
    this.nBuckets += 1;
    if (this.nBuckets > this.maxNBuckets) this.maxNBuckets = this.nBuckets;
    this.width += 1;
    let inc = 0;
    if (this.width > 1) {
      const d = value - this.total / (this.width - 1);
      inc = ((this.width - 1) * d * d) / this.width;
    }
    this.variance += inc;
    this.total += value;
    this.compressBuckets();
  }

  /** Removes the oldest bucket; returns how many values it summarized. */
  private deleteElement(): number {
    const last = this.rows.length - 1;
    const row = this.rows[last]!;
    const n = 2 ** last;
    const u = row.totals[0]!;
    const mu = u / n;
    const v = row.variances[0]!;
    this.width -= n;
    this.total -= u;
    const muWindow = this.total / this.width;
    const inc = v + (n * this.width * (mu - muWindow) * (mu - muWindow)) / (n + this.width);
    this.variance -= inc;
    dropOldest(row, 1);
    this.nBuckets -= 1;
    if (row.n === 0) this.rows.pop();
    return n;
  }

  /** Merges the two oldest buckets of any row that overflowed into one bucket of the next row. */
  private compressBuckets(): void {
    const max = this.p.max_buckets;
    for (let idx = 0; idx < this.rows.length; idx++) {
      const row = this.rows[idx]!;
      if (row.n !== max + 1) break;
      let next = this.rows[idx + 1];
      if (next === undefined) {
        next = newRow(max);
        this.rows.push(next);
      }
      const n1 = 2 ** idx;
      const n2 = 2 ** idx;
      const mu1 = row.totals[0]! / n1;
      const mu2 = row.totals[1]! / n2;
      const total12 = row.totals[0]! + row.totals[1]!;
      const temp = (n1 * n2 * (mu1 - mu2) * (mu1 - mu2)) / (n1 + n2);
      const v12 = row.variances[0]! + row.variances[1]! + temp;
      insert(next, total12, v12);
      this.nBuckets += 1;
      dropOldest(row, 2);
      if (next.n <= max) break;
    }
  }

  /**
   * Every `clock` updates (once the window is longer than `grace_period`), scans the cut
   * points from the oldest bucket on and, while some cut separates two sub-windows whose
   * means differ by more than the Hoeffding-style bound, drops the oldest bucket and scans
   * again. Every bucket boundary is a cut point except the end of the window.
   */
  private detectChange(): boolean {
    const { clock, grace_period, min_window_length, delta } = this.p;
    let changeDetected = false;
    this.tick += 1;
    if (this.tick % clock === 0 && this.width > grace_period) {
      let reduceWidth = true;
      while (reduceWidth) {
        reduceWidth = false;
        let exit = false;
        let n0 = 0;
        let n1 = this.width;
        let u0 = 0;
        let u1 = this.total;
        // River also tracks the two sub-windows' squared deviations here, but its cut test
        // reads the whole window's variance only, so they are left out.
        for (let idx = this.rows.length - 1; idx >= 0 && !exit; idx--) {
          const row = this.rows[idx]!;
          const limit = row.n;
          const n2 = 2 ** idx;
          for (let k = 0; k < limit; k++) {
            n0 += n2;
            n1 -= n2;
            u0 += row.totals[k]!;
            u1 -= row.totals[k]!;
            if (idx === 0 && k === row.n - 1) {
              exit = true;
              break;
            }
            const deltaMean = u0 / n0 - u1 / n1;
            if (n1 >= min_window_length && n0 >= min_window_length && this.cut(n0, n1, deltaMean, delta)) {
              reduceWidth = true;
              changeDetected = true;
              if (this.width > 0) {
                n0 -= this.deleteElement();
                exit = true;
                break;
              }
            }
          }
        }
      }
    }
    this.totalWidth += this.width;
    if (changeDetected) this.nDetections += 1;
    return changeDetected;
  }

  private cut(n0: number, n1: number, deltaMean: number, delta: number): boolean {
    const m = this.p.min_window_length;
    const deltaPrime = Math.log((2 * Math.log(this.width)) / delta);
    const mRecip = 1 / (n0 - m + 1) + 1 / (n1 - m + 1);
    const epsilon =
      Math.sqrt(2 * mRecip * this.varianceInWindow * deltaPrime) + (2 / 3) * deltaPrime * mRecip;
    return Math.abs(deltaMean) > epsilon;
  }

  exportState(): Json {
    return {
      total: encodeNumber(this.total),
      variance: encodeNumber(this.variance),
      width: encodeNumber(this.width),
      n_buckets: this.nBuckets,
      max_n_buckets: this.maxNBuckets,
      tick: this.tick,
      total_width: encodeNumber(this.totalWidth),
      n_detections: this.nDetections,
      rows: this.rows.map((row) => ({
        totals: encodeNumbers(row.totals, row.n),
        variances: encodeNumbers(row.variances, row.n),
      })),
    };
  }

  /** Reads a state made by `exportState` into a fresh window (nothing is assigned on error). */
  static fromState(p: ADWINParams, data: Json | undefined, path: string): AdaptiveWindow {
    const r = new StateReader(data, path);
    const rawRows = r.array("rows");
    if (rawRows.length === 0) throw new StateError(`${path}.rows must hold at least one row`);
    const rows = rawRows.map((raw, i) => {
      const rr = new StateReader(raw, `${path}.rows[${i}]`);
      const totals = rr.numbers("totals");
      const variances = rr.numbers("variances", totals.length);
      if (totals.length > p.max_buckets) {
        throw new StateError(`${path}.rows[${i}] holds more than max_buckets=${p.max_buckets} buckets`);
      }
      const row = newRow(p.max_buckets);
      row.totals.set(totals);
      row.variances.set(variances);
      row.n = totals.length;
      return row;
    });
    const w = new AdaptiveWindow(p);
    w.total = r.number("total");
    w.variance = r.number("variance");
    w.width = r.number("width");
    w.nBuckets = r.count("n_buckets");
    // The histogram must hold exactly the window's values. (River's n_buckets is a counter
    // that merges do not decrease, so it is not checked against the rows.)
    const width = rows.reduce((sum, row, i) => sum + row.n * 2 ** i, 0);
    if (width !== w.width) throw new StateError(`${path}: the buckets do not add up to the width`);
    w.maxNBuckets = r.count("max_n_buckets");
    w.tick = r.count("tick");
    w.totalWidth = r.number("total_width");
    w.nDetections = r.count("n_detections");
    w.rows = rows;
    return w;
  }
}

const positiveInt = (min: number) => ({ type: "number", integer: true, min }) as const;

/**
 * ADWIN (ADaptive WINdowing, Bifet & Gavaldà 2007), River 0.22's `drift.ADWIN`: keeps a
 * window of recent values in an exponential histogram and drops its oldest part whenever two
 * sub-windows have significantly different means; that drop is a detected drift.
 *
 * As in River 0.22, the update after a detection starts over from an empty window (the
 * shrunken window of the detection is discarded), so `nDetections` is at most 1.
 * `max_buckets` must be at least 2: with 1, River's histogram can leave empty rows that its
 * deletion step then reads out of bounds.
 */
export class ADWIN extends DriftDetector<ADWINParams> {
  static readonly kind = "ADWIN";
  static readonly schema: Schema = [
    {
      name: "delta",
      type: { type: "number", min: 0, exclusiveMin: true, max: 1 },
      default: () => 0.002,
      doc: "Confidence value: smaller means fewer, more certain detections.",
    },
    {
      name: "clock",
      type: positiveInt(1),
      default: () => 32,
      doc: "Checks for a change every this many updates.",
    },
    {
      name: "max_buckets",
      type: positiveInt(2),
      default: () => 5,
      doc: "Buckets of each size kept before two are merged.",
    },
    {
      name: "min_window_length",
      type: positiveInt(1),
      default: () => 5,
      doc: "Minimum length of each sub-window compared.",
    },
    {
      name: "grace_period",
      type: positiveInt(0),
      default: () => 10,
      doc: "No change is looked for until the window is longer than this.",
    },
  ];
  private window: AdaptiveWindow;
  private detected = false;

  constructor(params?: Partial<ADWINParams>) {
    super(ADWIN.kind, ADWIN.schema, params);
    this.window = new AdaptiveWindow(this.params);
  }

  update(x: number): void {
    if (this.detected) this.window = new AdaptiveWindow(this.params);
    this.detected = this.window.update(x);
  }

  get driftDetected(): boolean {
    return this.detected;
  }

  /** Number of values in the window. */
  get width(): number {
    return this.window.width;
  }

  /** Sum of the values in the window. */
  get total(): number {
    return this.window.total;
  }

  /** Sum of squared deviations of the window (River's `variance`, which is not divided by the width). */
  get variance(): number {
    return this.window.variance;
  }

  /** `variance / width`, the variance used in the cut test. */
  get varianceInWindow(): number {
    return this.window.varianceInWindow;
  }

  /** Mean of the window (0 when empty). */
  get estimation(): number {
    return this.window.width === 0 ? 0 : this.window.total / this.window.width;
  }

  /** Detections since the last reset (0 or 1, as the window restarts after each). */
  get nDetections(): number {
    return this.window.nDetections;
  }

  exportState(): Json {
    return { drift_detected: this.detected, window: this.window.exportState() };
  }

  importState(data: Json): void {
    const r = new StateReader(data, this.kind);
    const detected = r.boolean("drift_detected");
    const window = AdaptiveWindow.fromState(this.params, r.raw("window"), `${this.kind}.window`);
    this.detected = detected;
    this.window = window;
  }
}
