/**
 * `brook keys create | list | delete`: the API keys file a server checks requests against
 * (`--keys-file`, or `<data-dir>/keys.json`). A new key is printed once, on stdout, alone on
 * its line (`KEY=$(brook keys create ...)`); only its SHA-256 is written. A running server
 * notices the file's changes within about a second.
 */
import { chmodSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { checkModelName } from "../../models/names.js";
import { keysFilePath, readKeysFile } from "../../server/security/key-source.js";
import { formatKeys, generateKey, type KeyRecord, parseScopes } from "../../server/security/keys.js";
import { table } from "../table.js";

interface FileOptions {
  keysFile?: string;
  dataDir?: string;
}

/** The keys file the options name, as the server would find it (with the file store). */
export function keysFileOf(opts: FileOptions): string {
  return keysFilePath({
    keysFile: opts.keysFile ?? process.env.BROOK_KEYS_FILE ?? "",
    store: "file",
    dataDir: opts.dataDir ?? (process.env.BROOK_DATA_DIR || "./data"),
  })!;
}

/**
 * Writes the keys file whole: a temporary file then a rename, so that a server polling it
 * never reads half of one; readable by its owner only.
 */
export function writeKeysFile(path: string, records: readonly KeyRecord[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, formatKeys(records), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** Creates a key, stores its record in `path`, returns the key (the only time it exists in full). */
export function createKey(
  path: string,
  scopes: string,
  options: { models?: string; label?: string } = {},
): { key: string; record: KeyRecord } {
  const records = readKeysFile(path);
  const models =
    options.models === undefined
      ? undefined
      : options.models
          .split(",")
          .map((m) => m.trim())
          .filter((m) => m !== "");
  if (models !== undefined) {
    if (models.length === 0) throw new UsageError("--models: give at least one model name");
    for (const m of models) checkModelName(m);
  }
  const made = generateKey(parseScopes(scopes, "--scopes"), {
    ...(models !== undefined && { models }),
    ...(options.label !== undefined && { label: options.label }),
  });
  writeKeysFile(path, [...records, made.record]);
  return made;
}

function fileOptions(cmd: Command): Command {
  return cmd
    .option("--keys-file <path>", "the keys file (env BROOK_KEYS_FILE; default <data-dir>/keys.json)")
    .option("--data-dir <dir>", "the server's data folder (env BROOK_DATA_DIR, default ./data)");
}

export function addKeysCommand(program: Command): void {
  const group = program
    .command("keys")
    .description("create, list and delete the API keys a server accepts (see SECURITY.md)");

  fileOptions(
    group
      .command("create")
      .description("make a key, print it once (stdout), store its hash in the keys file")
      .requiredOption("--scopes <list>", "comma-separated: predict, learn, admin (none implies another)")
      .option("--models <list>", "comma-separated models the key may use (default: every model)")
      .option("--label <text>", "a note for people: who holds the key"),
  ).action((opts: FileOptions & { scopes: string; models?: string; label?: string }) => {
    const path = keysFileOf(opts);
    const { key, record } = createKey(path, opts.scopes, opts);
    const where = record.models ? ` for the models ${record.models.join(", ")}` : " for every model";
    process.stderr.write(
      `key ${record.id} created with the scopes ${record.scopes.join(", ")}${where}, stored (hashed) in ${path}.\nIt is shown once, here; keep it secret:\n`,
    );
    process.stdout.write(`${key}\n`);
  });

  fileOptions(
    group.command("list").description("the keys of the keys file (ids, scopes, models; never the keys)"),
  )
    .option("--json", "print the records (hashes included) as JSON")
    .action((opts: FileOptions & { json?: boolean }) => {
      const records = readKeysFile(keysFileOf(opts));
      if (opts.json) {
        process.stdout.write(formatKeys(records));
        return;
      }
      process.stdout.write(
        table(
          ["ID", "SCOPES", "MODELS", "CREATED", "LABEL"],
          records.map((r) => [
            r.id,
            r.scopes.join(","),
            r.models?.join(",") ?? "*",
            r.created ?? "",
            r.label ?? "",
          ]),
        ),
      );
    });

  fileOptions(
    group
      .command("delete")
      .description(
        "revoke a key: remove it from the keys file (a running server stops accepting it within a second)",
      )
      .argument("<id>", "the key's id (brk_<id>_...), as brook keys list shows it"),
  ).action((id: string, opts: FileOptions) => {
    const path = keysFileOf(opts);
    const records = readKeysFile(path);
    const kept = records.filter((r) => r.id !== id);
    if (kept.length === records.length) throw new UsageError(`there is no key ${id.slice(0, 40)} in ${path}`);
    writeKeysFile(path, kept);
    process.stderr.write(`key ${id} deleted from ${path}\n`);
  });
}
