/**
 * Brook's online-learning library: River's semantics and numerics in TypeScript, no I/O and
 * no dependencies.
 */
export { Component, type Family, type ParamDef, type ParamType, type Schema } from "./base/component.js";
export { LearnError, ParamError, SpecError, StateError } from "./base/errors.js";
export { argmax, Classifier, Regressor, Transformer } from "./base/estimator.js";
export { asModel, type Model } from "./base/model.js";
export { STATE_FORMAT, STATE_VERSION, type StateEnvelope } from "./base/state.js";
export type {
  Features,
  FeatureValue,
  Json,
  JsonObject,
  Label,
  Proba,
  RawFeatures,
  Task,
} from "./base/types.js";
export { Pipeline } from "./compose/pipeline.js";
export {
  type Example,
  predictFor,
  progressiveValidation,
  progressiveValScore,
  progressLine,
  scorePrediction,
} from "./evaluate/progressive-validation.js";
export { LinearRegression } from "./linear-model/linear-regression.js";
export { LogisticRegression } from "./linear-model/logistic-regression.js";
export { Accuracy, F1, FBeta, Precision, Recall } from "./metrics/classification.js";
export { ExactROCAUC } from "./metrics/exact-roc-auc.js";
export { LogLoss } from "./metrics/log-loss.js";
export { Metric, type Prediction } from "./metrics/metric.js";
export { MAE, MSE, R2, RMSE } from "./metrics/regression.js";
export { ROCAUC } from "./metrics/roc-auc.js";
export { AdaGrad } from "./optim/adagrad.js";
export { Adam } from "./optim/adam.js";
export { ConstantInit, Zeros } from "./optim/initializers.js";
export * from "./optim/losses.js";
export { Constant, InverseScaling, Optimal } from "./optim/schedulers.js";
export { SGD } from "./optim/sgd.js";
export { StandardScaler } from "./preprocessing/standard-scaler.js";
export { build, describe, restore, type Spec, specStringToJson } from "./spec/build.js";
export { kinds, lookup } from "./spec/registry.js";
