import type { Command } from "commander";
import { splitMetrics } from "../../config/config.js";
import { loadStream } from "../../data/datasets.js";
import { asModel, build, progressiveValScore } from "../../learn/index.js";
import { buildMetrics } from "../../models/model-host.js";

export interface EvaluateOptions {
  model: string;
  metrics?: string;
  printEvery: number;
  target?: string;
}

/**
 * Offline progressive validation (River's `evaluate.progressive_val_score`): predict, score,
 * learn, row by row, printing `[step] metrics` every `printEvery` rows. Returns the lines.
 */
export function evaluate(source: string, options: EvaluateOptions, print: (line: string) => void): void {
  const stream = loadStream(source, options.target);
  const model = asModel(build(options.model));
  const metrics = buildMetrics(options.metrics ? splitMetrics(options.metrics) : [], model.task);
  progressiveValScore(model, metrics, stream.rows, { printEvery: options.printEvery, print });
}

export function addEvaluateCommand(program: Command): void {
  program
    .command("evaluate")
    .description("progressive validation of a model spec on a stream, offline (no server)")
    .argument("<source>", "bundled dataset (phishing, trump_approval) or path to a CSV file")
    .option("-m, --model <spec>", "model spec", "StandardScaler | LogisticRegression")
    .option("--metrics <specs>", "comma-separated metrics (default by task: ROCAUC, Accuracy or MAE)")
    .option("--print-every <n>", "print the metrics every n rows", (v) => Number(v), 200)
    .option("--target <column>", "target column (default: the dataset's, or the last CSV column)")
    .action((source: string, opts: EvaluateOptions) => {
      evaluate(source, opts, (line) => process.stdout.write(`${line}\n`));
    });
}
