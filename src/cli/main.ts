#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { BrookError, UsageError } from "../errors.js";
import { LearnError } from "../learn/index.js";
import { ServerError } from "./client.js";
import { addDoctorCommand } from "./commands/doctor.js";
import { addEvaluateCommand } from "./commands/evaluate.js";
import { addModelsCommand } from "./commands/models.js";
import { addRepairCommand } from "./commands/repair.js";
import { addReplayCommand } from "./commands/replay.js";
import { addServeCommand } from "./commands/serve.js";

/** The `brook` command line. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name("brook")
    .description(
      "Stateful online machine learning: serve predictions and learn from ground truth in one model.",
    )
    .showHelpAfterError()
    .exitOverride();
  addServeCommand(program);
  addReplayCommand(program);
  addEvaluateCommand(program);
  addModelsCommand(program);
  addDoctorCommand(program);
  addRepairCommand(program);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    // The server said no (unknown model, bad spec...): its message and code, exit 1, so that
    // scripts can tell a refused request from a usage mistake or an unreachable server (2).
    if (err instanceof ServerError) {
      console.error(`brook: ${err.message} (${err.code})`);
      process.exit(1);
    }
    // Our own errors (bad config, bad spec, unreachable server) are user-facing: no stack trace.
    if (err instanceof BrookError || err instanceof LearnError || err instanceof UsageError) {
      console.error(`brook: ${(err as Error).message}`);
      process.exit(2);
    }
    throw err;
  }
}

await main(process.argv);
