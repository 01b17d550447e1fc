import type { Schema } from "../base/component.js";
import { LearnError, ParamError, StateError } from "../base/errors.js";
import { Forecaster } from "../base/estimator.js";
import { encodeNumbers, StateReader } from "../base/state.js";
import type { Json, RawFeatures } from "../base/types.js";
import { exactMean } from "./exact-mean.js";

export interface HoltWintersParams {
  alpha: number;
  beta: number | null;
  gamma: number | null;
  seasonality: number;
  multiplicative: boolean;
}

/** Appends to a bounded history, dropping the oldest value (Python's `deque(maxlen=...)`). */
function pushBounded(values: number[], v: number, maxlen: number): void {
  values.push(v);
  if (values.length > maxlen) values.shift();
}

/** Throws unless `horizon` is a usable number of steps. */
export function checkHorizon(horizon: number): void {
  if (!Number.isSafeInteger(horizon) || horizon < 0) {
    throw new LearnError("BROOK_INVALID_REQUEST", `horizon must be a non-negative integer, got ${horizon}`);
  }
}

/** Throws unless `y` is a number (the target of a forecaster). */
export function checkTarget(kind: string, y: unknown): asserts y is number {
  if (typeof y !== "number") {
    throw new LearnError("BROOK_INVALID_TARGET", `${kind} learns numbers, got ${typeof y}`);
  }
}

/**
 * Holt-Winters exponential smoothing (River's `time_series.HoltWinters`): a level, an optional
 * trend (`beta`) and an optional additive or multiplicative season of length `seasonality`
 * (`gamma`), each updated by exponential smoothing, kept as short histories exactly like River's
 * deques (level and trend: the last 2 values; season: the last `seasonality + 1`).
 *
 * The first `k = max(2, seasonality)` values only initialise the model: level = their mean,
 * trend = the mean of their successive differences (both Python's exactly rounded
 * `statistics.mean`), season = each value divided by that level. River uses this division for
 * the additive season too (where `y - level` would be the textbook start); we reproduce it, the
 * smoothing washes it out after a few seasons. Forecasting needs those `k` values: before that
 * (where River fails with an IndexError) `forecast` throws.
 *
 * River rejects `seasonality` without `gamma` and `gamma` without `beta`; a season with
 * `beta=0` (no trend) crashes River on the first update, so it is rejected here as well.
 */
export class HoltWinters extends Forecaster<HoltWintersParams> {
  static readonly kind = "HoltWinters";
  static readonly schema: Schema = [
    {
      name: "alpha",
      type: { type: "number", min: 0, max: 1 },
      default: () => undefined,
      doc: "Smoothing factor of the level (required).",
    },
    {
      name: "beta",
      type: { type: "number", min: 0, max: 1, nullable: true },
      default: () => null,
      doc: "Smoothing factor of the trend (None or 0: no trend).",
    },
    {
      name: "gamma",
      type: { type: "number", min: 0, max: 1, nullable: true },
      default: () => null,
      doc: "Smoothing factor of the season (required with a seasonality).",
    },
    {
      name: "seasonality",
      type: { type: "number", integer: true, min: 0 },
      default: () => 0,
      doc: "Number of periods in a season, e.g. 12 for monthly data with a yearly cycle (0: no season).",
    },
    {
      name: "multiplicative",
      type: { type: "boolean" },
      default: () => false,
      doc: "Multiplicative season and forecasts (otherwise additive).",
    },
  ];

  private firstValues: number[] = [];
  private initialized = false;
  private level: number[] = [];
  private trend: number[] = [];
  private season: number[] = [];
  private readonly hasTrend: boolean;
  private readonly hasSeason: boolean;

  constructor(params?: Partial<HoltWintersParams>) {
    super(HoltWinters.kind, HoltWinters.schema, params);
    const { beta, gamma, seasonality } = this.params;
    if (seasonality && gamma === null)
      throw new ParamError("HoltWinters: gamma must be set if seasonality is set");
    if (gamma && beta === null) throw new ParamError("HoltWinters: beta must be set if gamma is set");
    if (seasonality && !beta) {
      throw new ParamError(
        "HoltWinters: a seasonal model needs a trend (beta > 0), as River's season update uses it",
      );
    }
    // River: `Trend(beta) if beta else None`, and a season only when seasonality is set.
    this.hasTrend = Boolean(beta);
    this.hasSeason = seasonality > 0;
  }

  /** How many values initialise the model before it can forecast: max(2, seasonality). */
  get warmUp(): number {
    return Math.max(2, this.params.seasonality);
  }

  learnOne(y: number, _x?: RawFeatures): void {
    checkTarget(this.kind, y);
    const { alpha, beta, gamma, seasonality: s, multiplicative } = this.params;
    if (this.initialized) {
      const level = this.level;
      const trend = this.trend;
      const season = this.season;
      const lastTrend = this.hasTrend ? trend[trend.length - 1]! : 0;
      const lastLevel = level[level.length - 1]!;
      let newLevel: number;
      if (multiplicative) {
        newLevel =
          alpha * (y / (this.hasSeason ? season[season.length - s]! : 1)) +
          (1 - alpha) * (lastLevel + lastTrend);
      } else {
        newLevel =
          alpha * (y - (this.hasSeason ? season[season.length - s]! : 0)) +
          (1 - alpha) * (lastLevel + lastTrend);
      }
      pushBounded(level, newLevel, 2);
      if (this.hasTrend) {
        const b = beta!;
        pushBounded(
          trend,
          b * (level[level.length - 1]! - level[level.length - 2]!) + (1 - b) * trend[trend.length - 1]!,
          2,
        );
      }
      if (this.hasSeason) {
        const g = gamma!;
        const prevLevel = level[level.length - 2]!;
        const prevTrend = trend[trend.length - 2]!;
        const old = season[season.length - s]!;
        const next = multiplicative
          ? (g * y) / (prevLevel + prevTrend) + (1 - g) * old
          : g * (y - prevLevel - prevTrend) + (1 - g) * old;
        pushBounded(season, next, s + 1);
      }
      return;
    }
    this.firstValues.push(y);
    if (this.firstValues.length < this.warmUp) return;
    const first = this.firstValues;
    const level = exactMean(first);
    this.level = [level];
    if (this.hasTrend) {
      const diffs = first.slice(1).map((b, i) => b - first[i]!);
      this.trend = [exactMean(diffs)];
    }
    if (this.hasSeason) {
      this.season = first.map((v) => v / level).slice(-(s + 1));
    }
    this.firstValues = [];
    this.initialized = true;
  }

  forecast(horizon: number, _xs?: RawFeatures[]): number[] {
    checkHorizon(horizon);
    if (!this.initialized) {
      throw new LearnError(
        "BROOK_NOT_READY",
        `HoltWinters forecasts once it has learned ${this.warmUp} values (it has ${this.firstValues.length})`,
      );
    }
    const { seasonality: s, multiplicative } = this.params;
    const level = this.level[this.level.length - 1]!;
    const trend = this.hasTrend ? this.trend[this.trend.length - 1]! : 0;
    const season = this.season;
    const out = new Array<number>(horizon);
    for (let h = 0; h < horizon; h++) {
      const base = level + (this.hasTrend ? (h + 1) * trend : 0);
      const factor = this.hasSeason ? season[season.length - s + (h % s)]! : multiplicative ? 1 : 0;
      out[h] = multiplicative ? base * factor : base + factor;
    }
    return out;
  }

  /** The smoothed components (most recent last), as River's deques hold them. */
  get components(): { level: number[]; trend: number[]; season: number[]; initialized: boolean } {
    return {
      level: this.level.slice(),
      trend: this.trend.slice(),
      season: this.season.slice(),
      initialized: this.initialized,
    };
  }

  exportState(): Json {
    return {
      initialized: this.initialized,
      first_values: encodeNumbers(this.firstValues),
      level: encodeNumbers(this.level),
      trend: encodeNumbers(this.trend),
      season: encodeNumbers(this.season),
    };
  }

  importState(data: Json): void {
    const r = new StateReader(data, this.kind);
    const initialized = r.boolean("initialized");
    const firstValues = Array.from(r.numbers("first_values"));
    const level = Array.from(r.numbers("level"));
    const trend = Array.from(r.numbers("trend"));
    const season = Array.from(r.numbers("season"));
    const s = this.params.seasonality;
    const fail = (what: string) => new StateError(`${this.kind}: ${what}`);
    if (!initialized) {
      if (firstValues.length >= this.warmUp || level.length || trend.length || season.length) {
        throw fail(`before initialisation only first_values (fewer than ${this.warmUp}) may be set`);
      }
    } else {
      if (firstValues.length) throw fail("first_values must be empty once initialised");
      if (level.length < 1 || level.length > 2) throw fail("level must hold 1 or 2 values");
      if (trend.length !== (this.hasTrend ? level.length : 0)) throw fail("trend does not match level");
      if (this.hasSeason ? season.length < s || season.length > s + 1 : season.length) {
        throw fail(`season must hold ${s} or ${s + 1} values`);
      }
    }
    this.initialized = initialized;
    this.firstValues = firstValues;
    this.level = level;
    this.trend = trend;
    this.season = season;
  }
}
