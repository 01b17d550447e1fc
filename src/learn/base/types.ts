/**
 * Core data types of the learning library.
 *
 * Features are ordered maps: River iterates dicts in insertion order and its float sums follow
 * that order, while plain JS objects move integer-like keys ("1", "2") to the front. Any
 * `Map<string, number>` is one; estimators may also pass each other the lighter
 * `DenseFeatures` (see dense-features.ts). Estimators never modify the features they get.
 */
export type Features = ReadonlyMap<string, number>;

/** A feature value as clients send it: numbers, and strings or booleans for categorical data. */
export type FeatureValue = number | string | boolean;

/**
 * Features that may hold strings or booleans. Only estimators whose `acceptsRaw` is true
 * (encoders, selectors, unions, trees with nominal splits) take them; they output `Features`.
 */
export type RawFeatures = ReadonlyMap<string, FeatureValue>;

/** A class label: booleans for binary tasks, strings or numbers for multiclass tasks. */
export type Label = boolean | string | number;

/** Class probabilities in the estimator's own label order (it decides ties). */
export type Proba = Map<Label, number>;

/** What a final estimator predicts, which decides the request shapes the server accepts. */
export type Task = "binary" | "multiclass" | "regression" | "anomaly" | "forecasting";

/** A JSON value, as produced by `getParams()` and state envelopes. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };
