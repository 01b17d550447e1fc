import { Pipeline } from "../../compose/pipeline.js";
import { LinearRegression } from "../../linear-model/linear-regression.js";
import { LogisticRegression } from "../../linear-model/logistic-regression.js";
import { Accuracy, F1, FBeta, Precision, Recall } from "../../metrics/classification.js";
import { ExactROCAUC } from "../../metrics/exact-roc-auc.js";
import { LogLoss } from "../../metrics/log-loss.js";
import { MAE, MSE, R2, RMSE } from "../../metrics/regression.js";
import { ROCAUC } from "../../metrics/roc-auc.js";
import { AdaGrad } from "../../optim/adagrad.js";
import { Adam } from "../../optim/adam.js";
import { ConstantInit, Zeros } from "../../optim/initializers.js";
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
} from "../../optim/losses.js";
import { Constant, InverseScaling, Optimal } from "../../optim/schedulers.js";
import { SGD } from "../../optim/sgd.js";
import { StandardScaler } from "../../preprocessing/standard-scaler.js";
import type { ComponentClass } from "../registry.js";

/** The core components: pipeline, scaler, linear models, optimizers, losses, metrics. */
export const core = [
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
] as unknown as readonly ComponentClass[];
