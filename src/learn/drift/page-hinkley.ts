import type { Schema } from "../base/component.js";
import { DriftDetector } from "../base/estimator.js";
import { encodeNumber, StateReader } from "../base/state.js";
import type { Json } from "../base/types.js";
import { Mean } from "../stats/mean.js";

export interface PageHinkleyParams {
  min_instances: number;
  delta: number;
  threshold: number;
  alpha: number;
  mode: "up" | "down" | "both";
}

/**
 * The Page-Hinkley test (River 0.22's `drift.PageHinkley`): cumulative, slowly forgotten
 * (`alpha`) deviations of each value from the running mean, minus (increase) or plus
 * (decrease) a tolerance `delta`. A drift is flagged, once `min_instances` values were seen,
 * when the increase sum has risen more than `threshold` above its minimum (mode "up"), the
 * decrease sum has fallen more than `threshold` below its maximum ("down"), or either ("both").
 *
 * As in River 0.22, the update after a detection starts over from scratch. River starts the
 * running maximum of the decrease sum at -1, not -infinity; kept as is.
 */
export class PageHinkley extends DriftDetector<PageHinkleyParams> {
  static readonly kind = "PageHinkley";
  static readonly schema: Schema = [
    {
      name: "min_instances",
      type: { type: "number", integer: true, min: 1 },
      default: () => 30,
      doc: "Values seen (since the last reset) before a drift can be flagged.",
    },
    {
      name: "delta",
      type: { type: "number", min: 0 },
      default: () => 0.005,
      doc: "Tolerated deviation from the mean.",
    },
    {
      name: "threshold",
      type: { type: "number", min: 0 },
      default: () => 50,
      doc: "Detection threshold (lambda).",
    },
    {
      name: "alpha",
      type: { type: "number", min: 0, max: 1 },
      default: () => 1 - 0.0001,
      doc: "Forgetting factor of the cumulative sums.",
    },
    {
      name: "mode",
      type: { type: "string", choices: ["up", "down", "both"] },
      default: () => "both",
      doc: 'Which changes to flag: increases ("up"), decreases ("down") or both.',
    },
  ];
  private mean = new Mean();
  private sumIncrease = 0;
  private sumDecrease = 0;
  private minIncrease = Infinity;
  private maxDecrease = -1;
  private detected = false;

  constructor(params?: Partial<PageHinkleyParams>) {
    super(PageHinkley.kind, PageHinkley.schema, params);
  }

  private reset(): void {
    this.mean = new Mean();
    this.sumIncrease = 0;
    this.sumDecrease = 0;
    this.minIncrease = Infinity;
    this.maxDecrease = -1;
    this.detected = false;
  }

  update(x: number): void {
    if (this.detected) this.reset();
    const { alpha, delta, threshold, min_instances, mode } = this.params;
    this.mean.update(x);
    const dev = x - this.mean.get();
    this.sumIncrease = alpha * this.sumIncrease + dev - delta;
    this.sumDecrease = alpha * this.sumDecrease + dev + delta;
    if (this.sumIncrease < this.minIncrease) this.minIncrease = this.sumIncrease;
    if (this.sumDecrease > this.maxDecrease) this.maxDecrease = this.sumDecrease;
    if (this.mean.n >= min_instances) {
      const up = this.sumIncrease - this.minIncrease > threshold;
      const down = this.maxDecrease - this.sumDecrease > threshold;
      this.detected = mode === "up" ? up : mode === "down" ? down : up || down;
    }
  }

  get driftDetected(): boolean {
    return this.detected;
  }

  /** Values seen since the last reset. */
  get n(): number {
    return this.mean.n;
  }

  /** Running mean of the values since the last reset. */
  get estimation(): number {
    return this.mean.get();
  }

  /** The internal sums, for display and debugging. */
  get internals(): { sumIncrease: number; sumDecrease: number; minIncrease: number; maxDecrease: number } {
    return {
      sumIncrease: this.sumIncrease,
      sumDecrease: this.sumDecrease,
      minIncrease: this.minIncrease,
      maxDecrease: this.maxDecrease,
    };
  }

  exportState(): Json {
    return {
      drift_detected: this.detected,
      mean: this.mean.exportState(),
      sum_increase: encodeNumber(this.sumIncrease),
      sum_decrease: encodeNumber(this.sumDecrease),
      min_increase: encodeNumber(this.minIncrease),
      max_decrease: encodeNumber(this.maxDecrease),
    };
  }

  importState(data: Json): void {
    const r = new StateReader(data, this.kind);
    const detected = r.boolean("drift_detected");
    const mean = new Mean();
    mean.importState(r.raw("mean"), `${this.kind}.mean`);
    const sumIncrease = r.number("sum_increase");
    const sumDecrease = r.number("sum_decrease");
    const minIncrease = r.number("min_increase");
    const maxDecrease = r.number("max_decrease");
    this.detected = detected;
    this.mean = mean;
    this.sumIncrease = sumIncrease;
    this.sumDecrease = sumDecrease;
    this.minIncrease = minIncrease;
    this.maxDecrease = maxDecrease;
  }
}
