import { readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import type { ModelDetails } from "../../client/index.js";
import { splitMetrics } from "../../config/config.js";
import { UsageError } from "../../errors.js";
import { API_KEY_HELP, clientFor, defaultUrl } from "../client.js";
import { numberOption } from "../numbers.js";
import { table } from "../table.js";

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** `1 version`, `3 versions`. */
const count = (n: number, noun: string): string =>
  `${n.toLocaleString("en-US")} ${noun}${n === 1 ? "" : "s"}`;

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
export function specBody(spec: string): string | Record<string, unknown> | unknown[] {
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

/**
 * A model's details for a person: one labelled line per aspect (continuation lines indented
 * under the value), params last as indented JSON.
 */
export function detailsText(m: ModelDetails): string {
  const lines: [string, string[]][] = [];
  const add = (label: string, ...values: string[]): void => {
    if (values.length > 0) lines.push([label, values]);
  };
  add("model", m.name);
  add("task", m.task);
  add("spec", m.spec);
  add("version", `${m.version} (log seq ${m.seq}, ${count(m.learned, "example")} learned)`);
  const texts = m.metrics_text ?? Object.entries(m.metrics).map(([k, v]) => `${k}: ${v}`);
  add("metrics", ...(texts.length ? texts : ["none"]));
  if (m.pending) {
    const p = m.pending;
    add(
      "late labels",
      `${p.waiting} waiting (${p.remembered} remembered, ${p.labelled} labelled, ${p.expired} expired, ${p.evicted} evicted)`,
    );
  }
  if (m.checkpoints) {
    const c = m.checkpoints.latest;
    add(
      "checkpoints",
      c
        ? `${m.checkpoints.count}, the newest at version ${c.version} (seq ${c.seq}, ${count(c.bytes, "byte")}, ${c.created_at})`
        : "none yet",
    );
  }
  if (m.drift) {
    const recent = (m.drift.recent ?? []) as { version?: number; at?: string }[];
    const last = recent[recent.length - 1];
    add(
      "drift",
      `${m.drift.detector}: ${count(m.drift.detections, "detection")}${last ? `, the last at version ${last.version} (${last.at})` : ""}`,
    );
  }
  const replicas = m.replicas as
    | { worker: number; replica_lag_events: number; replica_lag_seconds: number }[]
    | undefined;
  if (Array.isArray(replicas)) {
    add(
      "replicas",
      ...replicas.map(
        (r) =>
          `worker ${r.worker}: ${count(r.replica_lag_events, "event")} behind (${r.replica_lag_seconds} s)`,
      ),
    );
  }
  if (m.created_at) add("created", m.created_at);
  if (m.updated_at) add("updated", m.updated_at);
  if (m.params !== undefined) add("params", specText({ kind: m.kind, params: m.params }));
  const width = Math.max(...lines.map(([label]) => label.length)) + 2;
  return lines
    .flatMap(([label, values]) => values.map((v, i) => `${(i === 0 ? label : "").padEnd(width)}${v}`))
    .map((line) => `${line.trimEnd()}\n`)
    .join("");
}

/**
 * A component's JSON (`{kind, params}`, every default filled in) as River-like text:
 * `StandardScaler(with_std=True) | LogisticRegression(optimizer=SGD(lr=0.01), ...)`.
 */
export function specText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(specText).join(", ")}]`;
  if (value === null) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value !== "object") return String(value);
  const { kind, params } = value as { kind?: unknown; params?: Record<string, unknown> };
  if (typeof kind !== "string") {
    const fields = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${specText(v)}`);
    return `{${fields.join(", ")}}`;
  }
  const p = params ?? {};
  const nested = (c: unknown, wrap: readonly string[]) => {
    const text = specText(c);
    return wrap.includes((c as { kind?: string }).kind ?? "") ? `(${text})` : text;
  };
  if (kind === "Pipeline" && Array.isArray(p.steps))
    return p.steps.map((c) => nested(c, ["Pipeline"])).join(" | ");
  if (kind === "TransformerUnion" && Array.isArray(p.transformers)) {
    return p.transformers.map((c) => nested(c, ["Pipeline", "TransformerUnion"])).join(" + ");
  }
  const args = Object.entries(p).map(([k, v]) => `${k}=${specText(v)}`);
  return args.length ? `${kind}(${args.join(", ")})` : kind;
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

/** Adds a subcommand of `brook models` with the `--url` and `--api-key` options every one of them takes. */
function sub(group: Command, name: string, description: string): Command {
  return group
    .command(name)
    .description(description)
    .option("--url <url>", "server address (env BROOK_URL)", defaultUrl())
    .option("--api-key <key>", API_KEY_HELP);
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
    .action(async (opts: { url: string; apiKey?: string; json?: boolean }) => {
      const models = await clientFor(opts.url, opts.apiKey).listModels();
      printListing(
        opts.json,
        { models },
        ["NAME", "TASK", "VERSION", "SPEC"],
        models.map((m) => [m.name, m.task, m.version, m.spec]),
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
    .action(
      async (
        name: string,
        opts: { url: string; apiKey?: string; spec: string; metrics?: string; drift?: string },
      ) => {
        const { created, model: m } = await clientFor(opts.url, opts.apiKey).createModel(name, {
          spec: specBody(opts.spec),
          metrics: opts.metrics === undefined ? undefined : splitMetrics(opts.metrics),
          drift: opts.drift,
        });
        const metrics = Object.keys(m.metrics).join(", ");
        out(
          created
            ? `created model "${m.name}": ${m.task}, ${m.spec}, metrics ${metrics}`
            : `model "${m.name}" already exists with this spec (${m.task}, version ${m.version}): unchanged`,
        );
      },
    );

  sub(group, "show", "show a model: spec, version, metrics, late labels, checkpoints, drift, params")
    .argument("<name>", "model name")
    .option("--json", "print the server's JSON as is")
    .action(async (name: string, opts: { url: string; apiKey?: string; json?: boolean }) => {
      const details = await clientFor(opts.url, opts.apiKey).getModel(name);
      if (opts.json) out(JSON.stringify(details, null, 2));
      else process.stdout.write(detailsText(details));
    });

  sub(group, "delete", "delete a model and everything stored about it")
    .argument("<name>", "model name")
    .option("-y, --yes", "do not ask for confirmation")
    .action(async (name: string, opts: { url: string; apiKey?: string; yes?: boolean }) => {
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
      await clientFor(opts.url, opts.apiKey).deleteModel(name);
      out(`deleted model "${name}"`);
    });

  sub(group, "checkpoint", "write a checkpoint of a model now")
    .argument("<name>", "model name")
    .action(async (name: string, opts: { url: string; apiKey?: string }) => {
      const c = await clientFor(opts.url, opts.apiKey).checkpoint(name);
      out(`checkpoint of "${name}" at version ${c.version} (seq ${c.seq}, ${c.bytes} bytes)`);
    });

  sub(group, "checkpoints", "list a model's checkpoints")
    .argument("<name>", "model name")
    .option("--json", "print the server's JSON as is")
    .action(async (name: string, opts: { url: string; apiKey?: string; json?: boolean }) => {
      const body = await clientFor(opts.url, opts.apiKey).checkpoints(name);
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
    .option("-y, --yes", "do not ask for confirmation on a terminal")
    .action(async (name: string, opts: { url: string; apiKey?: string; version: number; yes?: boolean }) => {
      const client = clientFor(opts.url, opts.apiKey);
      // On a terminal, say what would be lost and ask first; a script (no terminal) is not
      // asked: the answer says what was discarded, and the rollback is in the log.
      if (!opts.yes && process.stdin.isTTY) {
        const [details, { checkpoints }] = await Promise.all([
          client.getModel(name),
          client.checkpoints(name),
        ]);
        const target = checkpoints.filter((c) => c.version <= opts.version).at(-1);
        // No checkpoint that early: the server's answer says so below.
        if (target && details.version > target.version) {
          const discarded = details.version - target.version;
          const question = `Roll "${name}" back to its checkpoint of version ${target.version}, discarding ${count(discarded, "version")} (${target.version + 1} to ${details.version})?`;
          if (!(await confirm(question))) {
            out("not rolled back");
            return;
          }
        }
      }
      const r = await client.rollback(name, opts.version);
      // The rollback is itself the next version: the one before it is what was discarded from.
      const discarded = Math.max(0, r.version - 1 - r.restored.version);
      out(
        `rolled "${name}" back to its checkpoint of version ${r.restored.version}, discarding ${count(discarded, "version")}: now version ${r.version}, ${r.learned} learned`,
      );
    });

  sub(group, "export", "export a model's learned state (JSON), to stdout or a file")
    .argument("<name>", "model name")
    .option("-o, --out <file>", "write to this file instead of stdout")
    .action(async (name: string, opts: { url: string; apiKey?: string; out?: string }) => {
      // Kept as the server's exact text: the state envelope is bit-exact through JSON as sent.
      const text = await clientFor(opts.url, opts.apiKey).exportText(name);
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
    .action(async (name: string, file: string, opts: { url: string; apiKey?: string }) => {
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch (err) {
        throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
      }
      const r = await clientFor(opts.url, opts.apiKey).importModel(name, text);
      out(`imported ${file} into "${name}": now version ${r.version}, ${r.learned} learned`);
    });
}
