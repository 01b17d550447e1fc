import type { Component, Family, Schema } from "../base/component.js";
import { Pipeline } from "../compose/pipeline.js";
import { LinearRegression } from "../linear-model/linear-regression.js";
import { LogisticRegression } from "../linear-model/logistic-regression.js";
import { Accuracy, F1, FBeta, Precision, Recall } from "../metrics/classification.js";
import { ExactROCAUC } from "../metrics/exact-roc-auc.js";
import { LogLoss } from "../metrics/log-loss.js";
import { MAE, MSE, R2, RMSE } from "../metrics/regression.js";
import { ROCAUC } from "../metrics/roc-auc.js";
import { AdaGrad } from "../optim/adagrad.js";
import { Adam } from "../optim/adam.js";
import { ConstantInit, Zeros } from "../optim/initializers.js";
import {
  Absolute,
  BinaryFocalLoss,
  Cauchy,
  EpsilonInsensitiveHinge,
  Hinge,
  Huber,
  Log,
  Poisson,
  Quantile,
  Squared,
} from "../optim/losses.js";
import { Constant, InverseScaling, Optimal } from "../optim/schedulers.js";
import { SGD } from "../optim/sgd.js";
import { StandardScaler } from "../preprocessing/standard-scaler.js";

/** A class that a spec can name. */
export interface ComponentClass {
  readonly kind: string;
  readonly schema: Schema;
  /** Undefined for Pipeline, whose family is its last step's. */
  readonly family?: Family;
  new (params?: Record<string, unknown>): Component;
}

const classes: ComponentClass[] = [
  Pipeline,
  StandardScaler,
  LogisticRegression,
  LinearRegression,
  SGD,
  Adam,
  AdaGrad,
  Constant,
  InverseScaling,
  Optimal,
  Zeros,
  ConstantInit,
  Log,
  Hinge,
  BinaryFocalLoss,
  Squared,
  Absolute,
  Cauchy,
  Huber,
  Quantile,
  Poisson,
  EpsilonInsensitiveHinge,
  Accuracy,
  Precision,
  Recall,
  F1,
  FBeta,
  LogLoss,
  ROCAUC,
  ExactROCAUC,
  MAE,
  MSE,
  RMSE,
  R2,
] as unknown as ComponentClass[];

const byKind = new Map<string, ComponentClass>(classes.map((c) => [c.kind, c]));

/** The class registered under `kind`, if any. */
export function lookup(kind: string): ComponentClass | undefined {
  return byKind.get(kind);
}

/** Every registered kind, in registration order. */
export function kinds(): string[] {
  return [...byKind.keys()];
}

/** The registered kind closest to `name` (for "did you mean" hints). */
export function closestKind(name: string): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const kind of byKind.keys()) {
    const d = editDistance(name.toLowerCase(), kind.toLowerCase());
    if (d < bestD) {
      best = kind;
      bestD = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
