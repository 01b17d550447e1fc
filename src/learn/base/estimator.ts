import { Component } from "./component.js";
import type { Features, Label, Proba, RawFeatures, Task } from "./types.js";

/** An unsupervised step that learns statistics from `x` and transforms it. */
export abstract class Transformer<P extends object = object> extends Component<P> {
  static readonly family = "transformer";
  readonly family = "transformer" as const;
  /** Updates the statistics with `x` (a no-op for stateless transformers). */
  abstract learnOne(x: RawFeatures): void;
  /** Transforms `x` with the current statistics; never changes them. */
  abstract transformOne(x: RawFeatures): Features;

  /** `learnOne(x)` then `transformOne(x)` (what a pipeline does while learning); override to do it in one pass. */
  learnTransformOne(x: RawFeatures): Features {
    this.learnOne(x);
    return this.transformOne(x);
  }
}

/** A classifier: probabilities per class, and the most probable class as its prediction. */
export abstract class Classifier<P extends object = object> extends Component<P> {
  static readonly family = "classifier";
  readonly family = "classifier" as const;
  abstract readonly task: "binary" | "multiclass";
  /** Learns from one example; `w` is the sample weight. */
  abstract learnOne(x: RawFeatures, y: Label, w?: number): void;
  /** Class probabilities; an empty map before anything was learned (where River gives `{}`). */
  abstract predictProbaOne(x: RawFeatures): Proba;

  /** The most probable class; on a tie the first class in the map wins; `undefined` if no class is known. */
  predictOne(x: RawFeatures): Label | undefined {
    return argmax(this.predictProbaOne(x));
  }
}

/** A regressor: a real-valued prediction. */
export abstract class Regressor<P extends object = object> extends Component<P> {
  static readonly family = "regressor";
  readonly family = "regressor" as const;
  readonly task = "regression" as const;
  abstract learnOne(x: RawFeatures, y: number, w?: number): void;
  abstract predictOne(x: RawFeatures): number;
}

/** River's `max(proba, key=proba.get)`: strict `>` so the first key wins ties (and NaN never wins). */
export function argmax(proba: Proba): Label | undefined {
  let best: Label | undefined;
  let bestP = 0;
  for (const [label, p] of proba) {
    if (best === undefined || p > bestP) {
      best = label;
      bestP = p;
    }
  }
  return best;
}

export type { Task };

/** An unsupervised anomaly detector: learns from `x` alone, scores how unusual an `x` is. */
export abstract class AnomalyDetector<P extends object = object> extends Component<P> {
  static readonly family = "anomaly";
  readonly family = "anomaly" as const;
  readonly task = "anomaly" as const;
  abstract learnOne(x: RawFeatures): void;
  /** The anomaly score of `x` (higher is more anomalous, as in River); never changes the model. */
  abstract scoreOne(x: RawFeatures): number;
}

/** A time-series forecaster: learns one observed value at a time, forecasts the next steps. */
export abstract class Forecaster<P extends object = object> extends Component<P> {
  static readonly family = "forecaster";
  readonly family = "forecaster" as const;
  readonly task = "forecasting" as const;
  /** Learns the next observation `y` (with optional exogenous features `x`). */
  abstract learnOne(y: number, x?: RawFeatures): void;
  /** Forecasts the next `horizon` values (with optional exogenous features per step); never changes the model. */
  abstract forecast(horizon: number, xs?: RawFeatures[]): number[];
}

/** A concept-drift detector fed one value at a time (typically a model's error). */
export abstract class DriftDetector<P extends object = object> extends Component<P> {
  static readonly family = "drift";
  readonly family = "drift" as const;
  abstract update(x: number): void;
  /** Whether the last update detected a drift. */
  abstract get driftDetected(): boolean;
}
