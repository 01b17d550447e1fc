import type { ComponentClass } from "../registry.js";

/** Naive Bayes, perceptron, passive-aggressive and softmax models. */
export const linearAndBayes: readonly ComponentClass[] = [];
