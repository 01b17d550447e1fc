import { Component } from "../../base/component.js";
import type { Value } from "../../base/py-values.js";
import { StateReader } from "../../base/state.js";
import type { FeatureValue, Json, Label } from "../../base/types.js";
import type { Var } from "../../stats/var.js";
import type { ClassCriterion, ClassDist, VarianceReductionCriterion } from "../split-criteria.js";

/**
 * A split candidate (River's `BranchFactory`). The default one, with no feature and a merit of
 * -∞, is the "null split" that pre-pruning compares against.
 */
export interface Suggestion<S> {
  merit: number;
  feature: string | null;
  /** Threshold (numeric), the value tested (nominal binary) or the values (nominal multiway). */
  info: number | Value | Value[] | null;
  /** Target statistics of each resulting branch. */
  children: S[] | null;
  numeric: boolean;
  multiway: boolean;
}

/** The null split. */
export function nullSuggestion<S>(): Suggestion<S> {
  return { merit: -Infinity, feature: null, info: null, children: null, numeric: true, multiway: false };
}

/** What a classification leaf keeps per feature: class-conditional statistics of its values. */
export interface ClassObserver {
  readonly type: string;
  update(value: FeatureValue, y: Label, w: number): void;
  /**
   * P(value | class) for naive Bayes. With `insert`, a nominal observer records the pair with
   * weight 0 as River's defaultdicts do (only done while learning, never while predicting).
   */
  condProba(value: FeatureValue, y: Label, insert: boolean): number;
  bestSplit(
    criterion: ClassCriterion,
    pre: ClassDist,
    feature: string,
    binaryOnly: boolean,
  ): Suggestion<ClassDist>;
  toJson(): Json;
}

/** What a regression leaf keeps per feature: target statistics by feature value. */
export interface RegObserver {
  readonly type: string;
  update(value: FeatureValue, y: number, w: number): void;
  bestSplit(
    criterion: VarianceReductionCriterion,
    pre: Var,
    feature: string,
    binaryOnly: boolean,
  ): Suggestion<Var>;
  toJson(): Json;
}

/**
 * A numeric-feature splitter, named in specs (`HoeffdingTreeClassifier(splitter=GaussianSplitter(n_splits=5))`).
 * The component is a stateless factory: every leaf gets its own observer for each numeric feature.
 */
export abstract class Splitter<P extends object = object> extends Component<P> {
  static readonly family = "splitter";
  readonly family = "splitter" as const;
  /** Whether it observes class labels (classification) or numeric targets (regression). */
  abstract readonly targetIsClass: boolean;

  /** The splitter holds no learned state (its observers live in the tree's state). */
  exportState(): Json {
    return {};
  }

  importState(data: Json): void {
    new StateReader(data, this.kind);
  }
}

/** A splitter for classification trees. */
export abstract class ClassSplitter<P extends object = object> extends Splitter<P> {
  readonly targetIsClass = true;
  abstract newObserver(): ClassObserver;
  /** Rebuilds an observer from `toJson()` output. */
  abstract observerFromJson(data: Json, path: string): ClassObserver;
}

/** A splitter for regression trees. */
export abstract class RegSplitter<P extends object = object> extends Splitter<P> {
  readonly targetIsClass = false;
  abstract newObserver(): RegObserver;
  abstract observerFromJson(data: Json, path: string): RegObserver;
}
