import type { Component } from "./component.js";
import { ParamError } from "./errors.js";
import type { Label, Proba, RawFeatures } from "./types.js";

/** A classifier or regressor (or a pipeline ending in one): learns from `(x, y)`, predicts `y`. */
export interface SupervisedModel extends Component {
  readonly family: "classifier" | "regressor";
  readonly task: "binary" | "multiclass" | "regression";
  learnOne(x: RawFeatures, y: Label | number, w?: number): void;
  predictOne(x: RawFeatures): Label | number | undefined;
  /** Classifiers only. */
  predictProbaOne(x: RawFeatures): Proba;
}

/** An anomaly detector (or a pipeline ending in one): learns from `x` alone, scores `x`. */
export interface AnomalyModel extends Component {
  readonly family: "anomaly";
  readonly task: "anomaly";
  learnOne(x: RawFeatures): void;
  scoreOne(x: RawFeatures): number;
}

/** A forecaster: learns one observation at a time, forecasts the next steps. */
export interface ForecastModel extends Component {
  readonly family: "forecaster";
  readonly task: "forecasting";
  learnOne(y: number, x?: RawFeatures): void;
  forecast(horizon: number, xs?: RawFeatures[]): number[];
}

/** Anything a server can serve. */
export type Model = SupervisedModel | AnomalyModel | ForecastModel;

/** Narrows a built component to a model that can be served (everything but a bare transformer or a metric). */
export function asModel(component: Component): Model {
  const f = component.family;
  if (f !== "classifier" && f !== "regressor" && f !== "anomaly" && f !== "forecaster") {
    throw new ParamError(
      `${component.kind} cannot serve as a model: it must be a classifier, a regressor, an anomaly detector, a forecaster, or a pipeline ending in one`,
    );
  }
  return component as unknown as Model;
}

/** Narrows to a classifier or regressor (for offline progressive validation). */
export function asSupervised(component: Component): SupervisedModel {
  const m = asModel(component);
  if (m.family !== "classifier" && m.family !== "regressor") {
    throw new ParamError(
      `${component.kind} is a${m.family === "anomaly" ? "n anomaly detector" : " forecaster"}, not a classifier or regressor`,
    );
  }
  return m;
}
