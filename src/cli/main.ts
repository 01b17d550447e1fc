#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { BrookApiError, BrookConnectionError } from "../client/index.js";
import { BrookError, UsageError } from "../errors.js";
import { LearnError } from "../learn/index.js";
import { connectionMessage } from "./client.js";
import { addDoctorCommand } from "./commands/doctor.js";
import { addEvaluateCommand } from "./commands/evaluate.js";
import { addKeysCommand } from "./commands/keys.js";
import { addModelsCommand } from "./commands/models.js";
import { addRepairCommand } from "./commands/repair.js";
import { addReplayCommand } from "./commands/replay.js";
import { addRestoreCommand } from "./commands/restore.js";
import { addServeCommand } from "./commands/serve.js";

/** The package's version: the same file from src/cli/ and from dist/cli/. */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
  return String(pkg.version);
}

/** The `brook` command line. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name("brook")
    .description(
      "Stateful online machine learning: serve predictions and learn from ground truth in one model.",
    )
    .version(version(), "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    // `brook models rollback --version 3` is the subcommand's own option, not the program's.
    .enablePositionalOptions()
    .showHelpAfterError()
    .exitOverride();
  addServeCommand(program);
  addReplayCommand(program);
  addEvaluateCommand(program);
  addModelsCommand(program);
  addDoctorCommand(program);
  addRepairCommand(program);
  addRestoreCommand(program);
  addKeysCommand(program);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    // The server said no (unknown model, bad spec...): its message and code, exit 1, so that
    // scripts can tell a refused request from a usage mistake or an unreachable server (2).
    if (err instanceof BrookApiError) {
      console.error(`brook: ${err.message} (${err.code})`);
      process.exit(1);
    }
    if (err instanceof BrookConnectionError) {
      console.error(`brook: ${connectionMessage(err)}`);
      process.exit(2);
    }
    // Our own errors (bad config, bad spec) are user-facing: no stack trace.
    if (err instanceof BrookError || err instanceof LearnError || err instanceof UsageError) {
      console.error(`brook: ${(err as Error).message}`);
      process.exit(2);
    }
    throw err;
  }
}

await main(process.argv);
