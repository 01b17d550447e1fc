import type { Command } from "commander";
import { splitMetrics } from "../../config/config.js";
import { type LoadedStream, loadRawStream, type RawRow } from "../../data/datasets.js";
import { BrookError, UsageError } from "../../errors.js";
import {
  asModel,
  build,
  buildMetrics,
  evaluateForecaster,
  HorizonMetric,
  type Label,
  type Metric,
  type Model,
  progressiveValScore,
  progressLine,
  type SupervisedModel,
} from "../../learn/index.js";
import { normalizeTarget } from "../../models/targets.js";
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
  checkFits(stream, model, options);
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

/** `StandardScaler | LinearRegression`, trimmed for a message. */
function short(spec: string): string {
  return spec.length > 60 ? `${spec.slice(0, 57)}...` : spec;
}

/**
 * Refuses a stream the model cannot take, before any arithmetic turns the mismatch into
 * `MAE: nan`: targets of the wrong kind for the task (the checks the server applies to a
 * learn), and text features for a model that takes only numbers.
 */
function checkFits(stream: LoadedStream<RawRow>, model: Model, options: EvaluateOptions): void {
  const spec = short(options.model);
  for (const [i, row] of stream.rows.entries()) {
    try {
      normalizeTarget(model.task, row.y, `the target "${stream.target}" of row ${i + 1}`);
    } catch (err) {
      if (!(err instanceof BrookError)) throw err;
      throw new UsageError(
        `${stream.name}: ${err.message}, so "${spec}" cannot learn from it (a ${model.task} model; use another --model or --target)`,
      );
    }
  }
  const featuresUsed = model.family !== "forecaster" || options.exogenous;
  if (!featuresUsed || model.acceptsRaw) return;
  for (const [i, row] of stream.rows.entries()) {
    for (const [name, value] of row.x) {
      if (typeof value === "number") continue;
      throw new UsageError(
        `${stream.name}: column "${name}" holds text (${JSON.stringify(value)} on row ${i + 1}), but "${spec}" takes only numbers: put an encoder first (OneHotEncoder), leave the column out (Discard(${name}) | ...), or choose another --target`,
      );
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
