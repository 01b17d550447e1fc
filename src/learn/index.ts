/**
 * Brook's online-learning library: River's semantics and numerics in TypeScript, no I/O and
 * no dependencies.
 */

export { HalfSpaceTrees } from "./anomaly/half-space-trees.js";
export { Component, type Family, type ParamDef, type ParamType, type Schema } from "./base/component.js";
export { DenseFeatures } from "./base/dense-features.js";
export { LearnError, ParamError, SpecError, StateError, StateValueError } from "./base/errors.js";
export {
  AnomalyDetector,
  argmax,
  Classifier,
  DriftDetector,
  Forecaster,
  Regressor,
  Transformer,
} from "./base/estimator.js";
export {
  type AnomalyModel,
  asModel,
  asSupervised,
  type ForecastModel,
  type Model,
  type SupervisedModel,
} from "./base/model.js";
export { nonFinitePath, STATE_FORMAT, STATE_VERSION, type StateEnvelope } from "./base/state.js";
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
export { Discard, Select, SelectType } from "./compose/select.js";
export { TransformerUnion } from "./compose/union.js";
export { ADWIN } from "./drift/adwin.js";
export { PageHinkley } from "./drift/page-hinkley.js";
export {
  type Example,
  predictFor,
  progressiveValidation,
  progressiveValScore,
  progressLine,
  scorePrediction,
} from "./evaluate/progressive-validation.js";
export {
  buildDrift,
  buildMetrics,
  DEFAULT_METRICS,
  metricFits,
  TaskMismatchError,
} from "./evaluate/task-metrics.js";
export { LinearRegression } from "./linear-model/linear-regression.js";
export { LogisticRegression } from "./linear-model/logistic-regression.js";
export { PAClassifier, PARegressor } from "./linear-model/passive-aggressive.js";
export { Perceptron } from "./linear-model/perceptron.js";
export { SoftmaxRegression } from "./linear-model/softmax-regression.js";
export { Accuracy, F1, FBeta, Precision, Recall } from "./metrics/classification.js";
export { CrossEntropy } from "./metrics/cross-entropy.js";
export { ExactROCAUC } from "./metrics/exact-roc-auc.js";
export { LogLoss } from "./metrics/log-loss.js";
export { Metric, type Prediction } from "./metrics/metric.js";
export { ConfusionMatrixMetric, MacroF1, MicroF1 } from "./metrics/multiclass.js";
export { MAE, MSE, R2, RMSE } from "./metrics/regression.js";
export { ROCAUC } from "./metrics/roc-auc.js";
export { Rolling } from "./metrics/rolling.js";
export { GaussianNB } from "./naive-bayes/gaussian-nb.js";
export { AdaGrad } from "./optim/adagrad.js";
export { Adam } from "./optim/adam.js";
export { CrossEntropyLoss } from "./optim/cross-entropy.js";
export { ConstantInit, Zeros } from "./optim/initializers.js";
export * from "./optim/losses.js";
export { Constant, InverseScaling, Optimal } from "./optim/schedulers.js";
export { SGD } from "./optim/sgd.js";
export { FeatureHasher } from "./preprocessing/feature-hasher.js";
export { MinMaxScaler } from "./preprocessing/min-max-scaler.js";
export { OneHotEncoder } from "./preprocessing/one-hot-encoder.js";
export { StandardScaler } from "./preprocessing/standard-scaler.js";
export { build, describe, restore, type Spec, specStringToJson } from "./spec/build.js";
export { kinds, lookup } from "./spec/registry.js";
export { drawSeeds, type Seeds, unseededPaths, withSeeds } from "./spec/seeds.js";
export {
  evaluate as evaluateForecaster,
  HorizonMetric,
  iterEvaluate as iterEvaluateForecaster,
} from "./time-series/evaluate.js";
export { HoltWinters } from "./time-series/holt-winters.js";
export { SNARIMAX } from "./time-series/snarimax.js";
export { HoeffdingTreeClassifier } from "./tree/hoeffding-tree-classifier.js";
export { HoeffdingTreeRegressor } from "./tree/hoeffding-tree-regressor.js";
export { EBSTSplitter, TEBSTSplitter } from "./tree/splitters/ebst.js";
export { GaussianSplitter } from "./tree/splitters/gaussian.js";
