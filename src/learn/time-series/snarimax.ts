import type { Schema } from "../base/component.js";
import { LearnError, StateError } from "../base/errors.js";
import { Forecaster, type Regressor } from "../base/estimator.js";
import { encodeNumbers, StateReader } from "../base/state.js";
import type { FeatureValue, Json, RawFeatures } from "../base/types.js";
import { Pipeline } from "../compose/pipeline.js";
import { LinearRegression } from "../linear-model/linear-regression.js";
import { StandardScaler } from "../preprocessing/standard-scaler.js";
import { checkHorizon, checkTarget } from "./holt-winters.js";

export interface SNARIMAXParams {
  p: number;
  d: number;
  q: number;
  m: number;
  sp: number;
  sd: number;
  sq: number;
  regressor: Regressor | Pipeline;
}

/**
 * A bounded history with the most recent value first (Python's `deque(maxlen=n)` used with
 * `appendleft`): `at(0)` is the newest value, the oldest drops out when it is full.
 */
export class RecentFirst {
  private buf: Float64Array;
  private start = 0;
  private size = 0;

  constructor(readonly maxlen: number) {
    this.buf = new Float64Array(Math.min(Math.max(maxlen, 1), 16));
  }

  get length(): number {
    return this.size;
  }

  /** The value `i` steps back (0 = most recent); undefined past the end (River's IndexError). */
  at(i: number): number | undefined {
    return i < this.size ? this.buf[(this.start + i) % this.buf.length] : undefined;
  }

  appendLeft(v: number): void {
    if (this.maxlen === 0) return;
    if (this.size < this.maxlen && this.size === this.buf.length) {
      const grown = new Float64Array(Math.min(this.buf.length * 2, this.maxlen));
      for (let i = 0; i < this.size; i++) grown[i] = this.at(i)!;
      this.buf = grown;
      this.start = 0;
    }
    this.start = (this.start - 1 + this.buf.length) % this.buf.length;
    this.buf[this.start] = v;
    if (this.size < this.maxlen) this.size++;
  }

  /** Most recent first. */
  toArray(): number[] {
    return Array.from({ length: this.size }, (_, i) => this.at(i)!);
  }

  static from(maxlen: number, recentFirst: readonly number[]): RecentFirst {
    const out = new RecentFirst(maxlen);
    for (let i = recentFirst.length - 1; i >= 0; i--) out.appendLeft(recentFirst[i]!);
    return out;
  }

  copy(): RecentFirst {
    return RecentFirst.from(this.maxlen, this.toArray());
  }
}

/** `n choose k`, exact. */
function binomial(n: number, k: number): bigint {
  let r = 1n;
  for (let i = 1; i <= k; i++) r = (r * BigInt(n - k + i)) / BigInt(i);
  return r;
}

/**
 * River's `Differencer(d, 1) * Differencer(sd, m)`: the coefficients of (1 - B)^d (1 - B^m)^sd
 * as `[lag, coefficient]` pairs, in the insertion order of River's dict (the product's pairs in
 * order, zeros removed). That order is the summation order, and where an (un)differencing stops
 * when history runs out.
 */
export function differencingCoefficients(d: number, sd: number, m: number): [number, number][] {
  const one = (order: number, lag: number): [number, bigint][] => {
    const c: [number, bigint][] = [[0, 1n]];
    for (let k = 1; k <= order; k++) c.push([k * lag, (k % 2 ? -1n : 1n) * binomial(order, k)]);
    return c;
  };
  const product = new Map<number, bigint>();
  for (const [t1, c1] of one(d, 1)) {
    for (const [t2, c2] of one(sd, m)) product.set(t1 + t2, (product.get(t1 + t2) ?? 0n) + c1 * c2);
  }
  return [...product].filter(([, c]) => c !== 0n).map(([t, c]) => [t, Number(c)]);
}

/**
 * SNARIMAX (River's `time_series.SNARIMAX`): (S)easonal (N)on-linear (A)uto(R)egressive
 * (I)ntegrated (M)oving-(A)verage with e(X)ogenous inputs. The series is differenced
 * (order `d`, seasonal order `sd` with season length `m`), and an online regressor (by default
 * `StandardScaler | LinearRegression`) learns the differenced value from lag features: the last
 * `p` differenced values (`y-1`..), every m-th one up to `m * sp` (`sy-m`, `sy-2m`, ...), the
 * last `q` errors (`e-1`..) and every m-th error up to `m * sq` (`se-m`, ...), added to the
 * exogenous features x. Learning starts once enough raw values are known to difference.
 *
 * Forecasting feeds each step's prediction back as the next lag (with error 0) and undoes the
 * differencing with the forecasts made so far. Feature order, summation order and the points
 * where history runs out follow River exactly; when no `xs` are given, one feature map is shared
 * by all steps, as River's `[{}] * horizon` is.
 */
export class SNARIMAX extends Forecaster<SNARIMAXParams> {
  static readonly kind = "SNARIMAX";
  static readonly schema: Schema = [
    {
      name: "p",
      type: { type: "number", integer: true, min: 0 },
      default: () => undefined,
      doc: "Order of the autoregressive part: the number of past (differenced) values used (required).",
    },
    {
      name: "d",
      type: { type: "number", integer: true, min: 0, max: 20 },
      default: () => undefined,
      doc: "Differencing order (required).",
    },
    {
      name: "q",
      type: { type: "number", integer: true, min: 0 },
      default: () => undefined,
      doc: "Order of the moving-average part: the number of past errors used (required).",
    },
    {
      name: "m",
      type: { type: "number", integer: true, min: 1 },
      default: () => 1,
      doc: "Season length for the seasonal parts (e.g. 12 for monthly data with a yearly cycle).",
    },
    {
      name: "sp",
      type: { type: "number", integer: true, min: 0 },
      default: () => 0,
      doc: "Seasonal autoregressive order.",
    },
    {
      name: "sd",
      type: { type: "number", integer: true, min: 0, max: 20 },
      default: () => 0,
      doc: "Seasonal differencing order.",
    },
    {
      name: "sq",
      type: { type: "number", integer: true, min: 0 },
      default: () => 0,
      doc: "Seasonal moving-average order.",
    },
    {
      name: "regressor",
      type: { type: "component", families: ["regressor"] },
      default: () => new Pipeline({ steps: [new StandardScaler(), new LinearRegression()] }),
      doc: "The online regressor that learns the differenced series (default StandardScaler | LinearRegression).",
    },
  ];

  private readonly coeffs: [number, number][];
  /** River's `differencer.n_required_past_values`. */
  private readonly required: number;
  private yHist: RecentFirst;
  private yDiff: RecentFirst;
  private errors: RecentFirst;

  constructor(params?: Partial<SNARIMAXParams>) {
    super(SNARIMAX.kind, SNARIMAX.schema, params);
    const { p, d, q, m, sp, sd, sq } = this.params;
    this.coeffs = differencingCoefficients(d, sd, m);
    this.required = Math.max(...this.coeffs.map(([t]) => t));
    this.yHist = new RecentFirst(d + m * sd);
    this.yDiff = new RecentFirst(Math.max(p, m * sp));
    this.errors = new RecentFirst(Math.max(q, m * sq));
  }

  private get regressor(): Regressor {
    return this.params.regressor as Regressor;
  }

  /** Adds the lag features to `x` in River's order (AR, seasonal AR, MA, seasonal MA). */
  private addLags(x: Map<string, FeatureValue>, yDiff: RecentFirst, errors: RecentFirst): void {
    const { p, q, m, sp, sq } = this.params;
    for (let t = 0; t < p && t < yDiff.length; t++) x.set(`y-${t + 1}`, yDiff.at(t)!);
    for (let t = m - 1; t < m * sp && t < yDiff.length; t += m) x.set(`sy-${t + 1}`, yDiff.at(t)!);
    for (let t = 0; t < q && t < errors.length; t++) x.set(`e-${t + 1}`, errors.at(t)!);
    for (let t = m - 1; t < m * sq && t < errors.length; t += m) x.set(`se-${t + 1}`, errors.at(t)!);
  }

  /** River's `Differencer.diff`: y plus the lagged terms, stopping where the history ends. */
  private diff(y: number, hist: RecentFirst): number {
    let total = 0;
    for (const [t, c] of this.coeffs) {
      if (t === 0) {
        total += y;
        continue;
      }
      const v = hist.at(t - 1);
      if (v === undefined) break;
      total += c * v;
    }
    return total;
  }

  /** River's `Differencer.undiff`. */
  private undiff(y: number, hist: RecentFirst): number {
    let total = y;
    for (const [t, c] of this.coeffs) {
      if (t === 0) continue;
      const v = hist.at(t - 1);
      if (v === undefined) break;
      total -= c * v;
    }
    return total;
  }

  learnOne(y: number, x?: RawFeatures): void {
    checkTarget(this.kind, y);
    if (this.yHist.length >= this.required) {
      const features = new Map<string, FeatureValue>(x ?? []);
      this.addLags(features, this.yDiff, this.errors);
      const yDiff = this.diff(y, this.yHist);
      this.yDiff.appendLeft(yDiff);
      const yPred = this.regressor.predictOne(features);
      this.errors.appendLeft(yDiff - yPred);
      this.regressor.learnOne(features, yDiff);
    }
    this.yHist.appendLeft(y);
  }

  forecast(horizon: number, xs?: RawFeatures[]): number[] {
    checkHorizon(horizon);
    if (xs !== undefined && xs.length !== horizon) {
      throw new LearnError(
        "BROOK_INVALID_REQUEST",
        `SNARIMAX needs one feature map per forecast step: got ${xs.length} for a horizon of ${horizon}`,
      );
    }
    const yHist = this.yHist.copy();
    const yDiff = this.yDiff.copy();
    const errors = this.errors.copy();
    const shared = new Map<string, FeatureValue>();
    const out = new Array<number>(horizon);
    for (let t = 0; t < horizon; t++) {
      const x = xs === undefined ? shared : new Map(xs[t]!);
      this.addLags(x, yDiff, errors);
      const yPred = this.regressor.predictOne(x);
      yDiff.appendLeft(yPred);
      out[t] = this.undiff(yPred, yHist);
      yHist.appendLeft(out[t]!);
      errors.appendLeft(0);
    }
    return out;
  }

  /** The histories River keeps (most recent first): raw values, differenced values, errors. */
  get history(): { y_hist: number[]; y_diff: number[]; errors: number[] } {
    return { y_hist: this.yHist.toArray(), y_diff: this.yDiff.toArray(), errors: this.errors.toArray() };
  }

  exportState(): Json {
    return {
      y_hist: encodeNumbers(this.yHist.toArray()),
      y_diff: encodeNumbers(this.yDiff.toArray()),
      errors: encodeNumbers(this.errors.toArray()),
      regressor: this.regressor.exportState(),
    };
  }

  importState(data: Json): void {
    const r = new StateReader(data, this.kind);
    const read = (key: string, like: RecentFirst): RecentFirst => {
      const values = r.numbers(key);
      if (values.length > like.maxlen) {
        throw new StateError(`${this.kind}.${key} holds at most ${like.maxlen} values, got ${values.length}`);
      }
      return RecentFirst.from(like.maxlen, Array.from(values));
    };
    const yHist = read("y_hist", this.yHist);
    const yDiff = read("y_diff", this.yDiff);
    const errors = read("errors", this.errors);
    const regressorState = r.raw("regressor");
    // Validate the regressor's state on a clone first so that a bad state changes nothing.
    this.regressor.clone().importState(regressorState);
    this.regressor.importState(regressorState);
    this.yHist = yHist;
    this.yDiff = yDiff;
    this.errors = errors;
  }
}
