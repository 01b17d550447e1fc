import { Component } from "./component.js";
import type { Features, Label, Proba, Task } from "./types.js";

/** An unsupervised step that learns statistics from `x` and transforms it. */
export abstract class Transformer<P extends object = object> extends Component<P> {
  static readonly family = "transformer";
  readonly family = "transformer" as const;
  /** Updates the statistics with `x` (a no-op for stateless transformers). */
  abstract learnOne(x: Features): void;
  /** Transforms `x` with the current statistics; never changes them. */
  abstract transformOne(x: Features): Features;
}

/** A classifier: probabilities per class, and the most probable class as its prediction. */
export abstract class Classifier<P extends object = object> extends Component<P> {
  static readonly family = "classifier";
  readonly family = "classifier" as const;
  abstract readonly task: "binary" | "multiclass";
  /** Learns from one example; `w` is the sample weight. */
  abstract learnOne(x: Features, y: Label, w?: number): void;
  /** Class probabilities; an empty map before anything was learned (where River gives `{}`). */
  abstract predictProbaOne(x: Features): Proba;

  /** The most probable class; on a tie the first class in the map wins; `undefined` if no class is known. */
  predictOne(x: Features): Label | undefined {
    return argmax(this.predictProbaOne(x));
  }
}

/** A regressor: a real-valued prediction. */
export abstract class Regressor<P extends object = object> extends Component<P> {
  static readonly family = "regressor";
  readonly family = "regressor" as const;
  readonly task = "regression" as const;
  abstract learnOne(x: Features, y: number, w?: number): void;
  abstract predictOne(x: Features): number;
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
