import type { Component } from "./component.js";
import { ParamError } from "./errors.js";
import type { Label, Proba, RawFeatures, Task } from "./types.js";

/**
 * What the server and the evaluators need from a model: a classifier, a regressor, or a
 * pipeline ending in one.
 */
export interface Model extends Component {
  readonly family: "classifier" | "regressor";
  readonly task: Task;
  learnOne(x: RawFeatures, y: Label | number, w?: number): void;
  predictOne(x: RawFeatures): Label | number | undefined;
  /** Classifiers only. */
  predictProbaOne(x: RawFeatures): Proba;
}

/** Narrows a built component to a model that learns from `(x, y)` and predicts. */
export function asModel(component: Component): Model {
  if (component.family !== "classifier" && component.family !== "regressor") {
    throw new ParamError(
      `${component.kind} cannot serve as a model: it must be a classifier, a regressor or a pipeline ending in one`,
    );
  }
  return component as unknown as Model;
}
