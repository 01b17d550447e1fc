import { loadStream } from "../../src/data/datasets.js";
import { checkEstimator } from "../helpers/estimator-checks.js";

const binary = loadStream("phishing").rows.slice(0, 300);
const regression = loadStream("trump_approval").rows.slice(0, 300);

const ESTIMATORS = [
  { spec: "StandardScaler", rows: binary },
  { spec: "StandardScaler(with_std=False)", rows: binary },
  { spec: "LogisticRegression", rows: binary },
  { spec: "StandardScaler | LogisticRegression", rows: binary },
  { spec: "StandardScaler | LogisticRegression(optimizer=Adam(lr=0.01), l2=0.001)", rows: binary },
  { spec: "StandardScaler | LogisticRegression(optimizer=AdaGrad(), l1=0.001)", rows: binary },
  {
    spec: "StandardScaler | LogisticRegression(optimizer=SGD(InverseScaling(0.1)), loss=Hinge(threshold=0))",
    rows: binary,
  },
  {
    spec: "StandardScaler | LogisticRegression(loss=BinaryFocalLoss(), intercept_lr=Optimal(loss=Log()))",
    rows: binary,
  },
  { spec: "StandardScaler | LinearRegression", rows: regression },
  { spec: "StandardScaler | LinearRegression(loss=Huber(), optimizer=Adam(0.05))", rows: regression },
  {
    spec: "StandardScaler | LinearRegression(loss=Quantile(alpha=0.9), initializer=ConstantInit(value=0.5))",
    rows: regression,
  },
  {
    spec: "StandardScaler | LinearRegression(loss=Absolute(), optimizer=AdaGrad(0.5), l2=0.01)",
    rows: regression,
  },
];

for (const { spec, rows } of ESTIMATORS) checkEstimator(spec, rows);
