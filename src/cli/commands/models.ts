import { readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import { splitMetrics } from "../../config/config.js";
import { UsageError } from "../../errors.js";
import { BrookClient, defaultUrl } from "../client.js";
import { numberOption } from "../numbers.js";
import { table } from "../table.js";

/** What the commands read back from `/v1/models...` (only the fields they show). */
interface ModelSummary {
  name: string;
  task: string;
  version: number;
  spec: string;
}

interface ModelDetails extends ModelSummary {
  learned: number;
  metrics: Record<string, number>;
}

interface CheckpointJson {
  seq: number;
  version: number;
  created_at: string;
  bytes: number;
}

const path = BrookClient.modelPath;
const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** Prints a listing: the server's JSON as is with `--json`, else a table. */
function printListing(
  asJson: boolean | undefined,
  body: unknown,
  headers: string[],
  rows: unknown[][],
): void {
  if (asJson) out(JSON.stringify(body, null, 2));
  else process.stdout.write(table(headers, rows));
}

/** A spec as sent to the server: JSON when it looks like JSON (the API takes both forms), else the string. */
export function specBody(spec: string): unknown {
  const s = spec.trim();
  if (s.startsWith("{") || s.startsWith("[")) {
    try {
      return JSON.parse(s);
    } catch {
      // Not JSON after all: the server's spec parser says what is wrong with it.
    }
  }
  return spec;
}

/** Asks a yes/no question on the terminal; anything but y/yes is a no. */
async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** Adds a subcommand of `brook models` with the `--url` option every one of them takes. */
function sub(group: Command, name: string, description: string): Command {
  return group
    .command(name)
    .description(description)
    .option("--url <url>", "server address (env BROOK_URL)", defaultUrl());
}

/** `brook models ...`: manage the named models of a running server through its HTTP API. */
export function addModelsCommand(program: Command): void {
  const group = program
    .command("models")
    .description(
      "list, create, inspect, delete, checkpoint, roll back, export and import models of a running server",
    );

  sub(group, "list", "list the models: name, task, version, spec")
    .option("--json", "print the server's JSON as is")
    .action(async (opts: { url: string; json?: boolean }) => {
      const { body } = await new BrookClient(opts.url).json<{ models: ModelSummary[] }>("GET", "/v1/models");
      printListing(
        opts.json,
        body,
        ["NAME", "TASK", "VERSION", "SPEC"],
        body.models.map((m) => [m.name, m.task, m.version, m.spec]),
      );
    });

  sub(group, "create", "create a model (nothing changes if it exists with the same spec and metrics)")
    .argument("<name>", "model name")
    .requiredOption(
      "-s, --spec <spec>",
      'model spec, e.g. "StandardScaler | LogisticRegression", or its JSON',
    )
    .option("--metrics <specs>", 'comma-separated metrics, e.g. "ROCAUC, Accuracy" (default by task)')
    .option("--drift <spec>", 'a drift detector watching the model\'s errors, e.g. "ADWIN"')
    .action(async (name: string, opts: { url: string; spec: string; metrics?: string; drift?: string }) => {
      const body: Record<string, unknown> = { spec: specBody(opts.spec) };
      if (opts.metrics !== undefined) body.metrics = splitMetrics(opts.metrics);
      if (opts.drift !== undefined) body.drift = opts.drift;
      const res = await new BrookClient(opts.url).json<ModelDetails>("PUT", path(name), body);
      const m = res.body;
      const metrics = Object.keys(m.metrics).join(", ");
      out(
        res.status === 201
          ? `created model "${m.name}": ${m.task}, ${m.spec}, metrics ${metrics}`
          : `model "${m.name}" already exists with this spec (${m.task}, version ${m.version}): unchanged`,
      );
    });

  sub(group, "show", "show a model: spec, params, version, metrics, pending labels, checkpoints")
    .argument("<name>", "model name")
    .action(async (name: string, opts: { url: string }) => {
      const { body } = await new BrookClient(opts.url).json("GET", path(name));
      out(JSON.stringify(body, null, 2));
    });

  sub(group, "delete", "delete a model and everything stored about it")
    .argument("<name>", "model name")
    .option("-y, --yes", "do not ask for confirmation")
    .action(async (name: string, opts: { url: string; yes?: boolean }) => {
      if (!opts.yes) {
        // Deleting loses the model's log and checkpoints: never do it unasked, and never guess
        // an answer when nobody can give one (a script, a pipe).
        if (!process.stdin.isTTY) {
          throw new UsageError(`deleting model "${name}" needs --yes when not run from a terminal`);
        }
        if (!(await confirm(`Delete model "${name}" with its log and checkpoints?`))) {
          out("not deleted");
          return;
        }
      }
      await new BrookClient(opts.url).json("DELETE", path(name));
      out(`deleted model "${name}"`);
    });

  sub(group, "checkpoint", "write a checkpoint of a model now")
    .argument("<name>", "model name")
    .action(async (name: string, opts: { url: string }) => {
      const { body } = await new BrookClient(opts.url).json<{ checkpoint: CheckpointJson }>(
        "POST",
        path(name, "/checkpoints"),
      );
      const c = body.checkpoint;
      out(`checkpoint of "${name}" at version ${c.version} (seq ${c.seq}, ${c.bytes} bytes)`);
    });

  sub(group, "checkpoints", "list a model's checkpoints")
    .argument("<name>", "model name")
    .option("--json", "print the server's JSON as is")
    .action(async (name: string, opts: { url: string; json?: boolean }) => {
      const { body } = await new BrookClient(opts.url).json<{ checkpoints: CheckpointJson[] }>(
        "GET",
        path(name, "/checkpoints"),
      );
      printListing(
        opts.json,
        body,
        ["SEQ", "VERSION", "BYTES", "CREATED"],
        body.checkpoints.map((c) => [c.seq, c.version, c.bytes, c.created_at]),
      );
    });

  sub(group, "rollback", "return a model to its newest checkpoint at or before a version")
    .argument("<name>", "model name")
    .requiredOption(
      "--version <n>",
      "version to go back to (at or after a checkpoint)",
      numberOption("version", { min: 0, integer: true }),
    )
    .action(async (name: string, opts: { url: string; version: number }) => {
      const { body } = await new BrookClient(opts.url).json<{
        version: number;
        learned: number;
        restored: CheckpointJson;
      }>("POST", path(name, "/rollback"), { version: opts.version });
      out(
        `rolled "${name}" back to its checkpoint of version ${body.restored.version}: now version ${body.version}, ${body.learned} learned`,
      );
    });

  sub(group, "export", "export a model's learned state (JSON), to stdout or a file")
    .argument("<name>", "model name")
    .option("-o, --out <file>", "write to this file instead of stdout")
    .action(async (name: string, opts: { url: string; out?: string }) => {
      // Kept as the server's exact text: the state envelope is bit-exact through JSON as sent.
      const { text } = await new BrookClient(opts.url).text("GET", path(name, "/export"));
      if (opts.out === undefined) return out(text);
      try {
        writeFileSync(opts.out, `${text}\n`);
      } catch (err) {
        throw new UsageError(`cannot write ${opts.out}: ${(err as Error).message}`);
      }
      const version = (JSON.parse(text) as { version: number }).version;
      out(`exported "${name}" at version ${version} to ${opts.out} (${Buffer.byteLength(text)} bytes)`);
    });

  sub(group, "import", "load an exported state into a model with the same spec (a warm start)")
    .argument("<name>", "model name")
    .argument("<file>", "a file written by brook models export (or GET /v1/models/{name}/export)")
    .action(async (name: string, file: string, opts: { url: string }) => {
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch (err) {
        throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
      }
      const { body } = await new BrookClient(opts.url).json<{ version: number; learned: number }>(
        "POST",
        path(name, "/import"),
        text,
      );
      out(`imported ${file} into "${name}": now version ${body.version}, ${body.learned} learned`);
    });
}
