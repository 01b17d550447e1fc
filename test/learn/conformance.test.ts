import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadStream } from "../../src/data/datasets.js";
import { asSupervised, build, type Metric, predictFor, scorePrediction } from "../../src/learn/index.js";
import { close, closeMap, closeProba, closeState, num, readCombo, riverState } from "../helpers/river.js";
import { sameMetricText } from "./metric-text.js";

const COMBOS = [
  { file: "a_phishing_scaler_logreg.json", dataset: "phishing", spec: "StandardScaler | LogisticRegression" },
  { file: "b_phishing_logreg.json", dataset: "phishing", spec: "LogisticRegression" },
  {
    file: "f_trump_scaler_linreg.json",
    dataset: "trump_approval",
    spec: "StandardScaler | LinearRegression",
  },
];

/** The metric names of the reference files are valid Brook specs ("ROCAUC(n_thresholds=10)"). */
function metricsOf(names: string[]): Metric[] {
  return names.map((n) => build(n) as Metric);
}

describe("River conformance, row by row (progressive validation)", () => {
  for (const { file, dataset, spec } of COMBOS) {
    it(`${file}: ${spec}`, () => {
      const combo = readCombo(file);
      const { rows } = loadStream(dataset);
      assert.equal(rows.length, combo.rows.length);
      const model = asSupervised(build(spec));
      const metrics = metricsOf(combo.metrics);
      rows.forEach((row, i) => {
        const ref = combo.rows[i];
        assert.equal(row.y, ref.y, `row ${i} target`);
        const pred = predictFor(model, row.x, metrics);
        assert.ok(pred !== undefined);
        if (model.task === "regression") {
          close(pred as number, num(ref.y_pred), `row ${i} y_pred`);
        } else {
          const proba = pred as Map<unknown, number>;
          closeProba(proba, ref.y_pred_proba, `row ${i}`);
          assert.equal(model.predictOne(row.x), ref.y_pred_label, `row ${i} label`);
        }
        scorePrediction(metrics, row.y, pred);
        const values = Object.fromEntries(metrics.map((m, k) => [combo.metrics[k], m.get()]));
        closeMap(values, ref.metrics, `row ${i} metrics`);
        model.learnOne(row.x, row.y);
        if (ref.state) closeState(riverState(model), ref.state, `row ${i} state`);
      });
      closeState(riverState(model), combo.final.state, "final state");
      metrics.forEach((m, k) => {
        const name = combo.metrics[k];
        close(m.get(), num(combo.final.metrics[name]), `final ${name}`);
        // River's text: percent and fixed formats exactly, a full repr (LogLoss) to the last ulp or so.
        sameMetricText(m.toString(), combo.final.metrics_repr[name], `final text of ${name}`);
      });
    });
  }
});

describe("the original blog loop (predict_proba, learn, metric update)", () => {
  it("reaches ROCAUC: 95.07% with River's value on every row", () => {
    const combo = readCombo("i_blog_loop_phishing.json");
    const model = asSupervised(build("StandardScaler | LogisticRegression"));
    const metric = build("ROCAUC") as Metric;
    loadStream("phishing").rows.forEach((row, i) => {
      const proba = model.predictProbaOne(row.x);
      close(proba.get(true)!, num(combo.rows[i].y_pred_proba.true), `row ${i} P(true)`);
      model.learnOne(row.x, row.y);
      metric.update(row.y, proba);
      close(metric.get(), num(combo.rows[i].metrics["ROCAUC(n_thresholds=10)"]), `row ${i} ROCAUC`);
    });
    assert.equal(metric.toString(), "ROCAUC: 95.07%");
    assert.equal(metric.toString(), combo.final.metrics_repr["ROCAUC(n_thresholds=10)"]);
    closeState(riverState(model), combo.final.state, "final state");
  });
});
