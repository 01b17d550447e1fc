import type { Command } from "commander";
import { splitMetrics } from "../../config/config.js";
import { loadRawStream } from "../../data/datasets.js";
import { UsageError } from "../../errors.js";
import {
  asModel,
  build,
  buildMetrics,
  evaluateForecaster,
  HorizonMetric,
  type Label,
  type Metric,
  progressiveValScore,
  progressLine,
  type SupervisedModel,
} from "../../learn/index.js";
import { numberOption } from "../numbers.js";

export interface EvaluateOptions {
  model: string;
  metrics?: string;
  printEvery: number;
  target?: string;
  horizon: number;
  exogenous?: boolean;
}

/**
 * Offline evaluation, no server:
 * - classifiers and regressors: River's progressive validation (predict, score, learn), with
 *   `[step] metrics` lines every `printEvery` rows, exactly as `progressive_val_score` prints;
 * - anomaly detectors: score, then learn; the scores are scored against the target as labels;
 * - forecasters: River's `time_series.evaluate` over `horizon` steps, one `+h MAE: ...` line each.
 */
export function evaluate(source: string, options: EvaluateOptions, print: (line: string) => void): void {
  const stream = loadRawStream(source, options.target);
  const model = asModel(build(options.model));
  const metrics = buildMetrics(options.metrics ? splitMetrics(options.metrics) : [], model.task);
  switch (model.family) {
    case "classifier":
    case "regressor":
      progressiveValScore(model as SupervisedModel, metrics, stream.rows, {
        printEvery: options.printEvery,
        print,
      });
      return;
    case "anomaly": {
      let step = 0;
      for (const { x, y } of stream.rows) {
        const score = model.scoreOne(x);
        for (const m of metrics) m.update(y === true || y === 1, score);
        model.learnOne(x);
        step++;
        if (options.printEvery > 0 && step % options.printEvery === 0) print(progressLine(step, metrics));
      }
      if (options.printEvery > 0 && step % options.printEvery !== 0) print(progressLine(step, metrics));
      return;
    }
    case "forecaster": {
      const series = stream.rows.map((r) => ({ x: options.exogenous ? r.x : undefined, y: r.y as number }));
      if (series.some((o) => typeof o.y !== "number"))
        throw new UsageError(`the target of ${stream.name} is not numeric`);
      const result = evaluateForecaster(
        series,
        model,
        new HorizonMetric(metrics[0] as Metric),
        options.horizon,
      );
      for (const line of result.toString().split("\n")) print(line);
      return;
    }
  }
}

/** Target values of anomaly streams are labels only. */
export type AnomalyLabel = Label;

export function addEvaluateCommand(program: Command): void {
  program
    .command("evaluate")
    .description(
      "evaluate a model spec on a stream, offline (progressive validation, or horizon evaluation for forecasters)",
    )
    .argument(
      "<source>",
      "bundled dataset (phishing, trump_approval, airline_passengers) or path to a CSV file",
    )
    .option("-m, --model <spec>", "model spec", "StandardScaler | LogisticRegression")
    .option("--metrics <specs>", "comma-separated metrics (default by task: ROCAUC, Accuracy or MAE)")
    .option(
      "--print-every <n>",
      "print the metrics every n rows",
      numberOption("print-every", { min: 1, integer: true }),
      200,
    )
    .option("--target <column>", "target column (default: the dataset's, or the last CSV column)")
    .option(
      "--horizon <n>",
      "forecasters: steps ahead to evaluate",
      numberOption("horizon", { min: 1, integer: true }),
      12,
    )
    .option("--exogenous", "forecasters: pass the other columns as exogenous features")
    .action((source: string, opts: EvaluateOptions) => {
      evaluate(source, opts, (line) => process.stdout.write(`${line}\n`));
    });
}
