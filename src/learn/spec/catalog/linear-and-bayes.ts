import { PAClassifier, PARegressor } from "../../linear-model/passive-aggressive.js";
import { Perceptron } from "../../linear-model/perceptron.js";
import { SoftmaxRegression } from "../../linear-model/softmax-regression.js";
import { GaussianNB } from "../../naive-bayes/gaussian-nb.js";
import { CrossEntropyLoss } from "../../optim/cross-entropy.js";
import type { ComponentClass } from "../registry.js";

/** Naive Bayes, perceptron, passive-aggressive and softmax models (and the multiclass loss). */
export const linearAndBayes = [
  GaussianNB,
  Perceptron,
  PAClassifier,
  PARegressor,
  SoftmaxRegression,
  CrossEntropyLoss,
] as unknown as readonly ComponentClass[];
