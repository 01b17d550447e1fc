/**
 * A declarative start-up file (`brook serve --config brook.yaml`): server settings (any
 * setting of config.ts, camelCase or kebab-case) and the models to create at start if missing.
 * JSON, or YAML for `.yaml`/`.yml`. Read and checked here (shapes, names, types), before
 * anything starts; each mistake names the file and the key.
 */
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { parse as parseYaml } from "yaml";
import { brookError } from "../errors.js";
import { type Config, type FileSettings, kebab, type RawSetting, settings, splitMetrics } from "./config.js";

/** A model the file declares: created at start unless a model of that name exists. */
export interface DeclaredModel {
  name: string;
  /** A spec string or its JSON, as `PUT /v1/models/{name}` takes it. */
  spec: string | Record<string, unknown> | unknown[];
  metrics?: string[];
  drift?: string;
  /** Where it is declared, for messages: `brook.yaml: models[1]`. */
  where: string;
}

/** What a config file says: settings by their Config key (with the file's spelling, for messages), and models. */
export interface ConfigFile extends FileSettings {
  models: DeclaredModel[];
}

const MODEL_KEYS = ["name", "spec", "metrics", "drift"];

/** Reads and checks a config file. */
export function readConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw invalid(
      `cannot read the config file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  return parseConfigFile(text, path);
}

/** Checks the text of a config file; `path` names it in messages and chooses JSON or YAML. */
export function parseConfigFile(text: string, path: string): ConfigFile {
  const ext = extname(path).toLowerCase();
  if (ext !== ".json" && ext !== ".yaml" && ext !== ".yml") {
    throw invalid(`${path}: a config file must be .json, .yaml or .yml`);
  }
  let doc: unknown;
  try {
    doc = ext === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    // YAML's messages end with a snippet of the file: the first line says what and where.
    const message = (err as Error).message.split("\n")[0]!.replace(/:$/, "");
    throw invalid(`${path} is not valid ${ext === ".json" ? "JSON" : "YAML"}: ${message}`);
  }
  if (doc === null || doc === undefined) return { path, settings: {}, models: [] };
  if (!isObject(doc)) throw invalid(`${path}: the file must hold an object of settings (and "models")`);

  const out: ConfigFile = { path, settings: {}, models: [] };
  const known = Object.keys(settings) as (keyof Config)[];
  for (const [key, value] of Object.entries(doc)) {
    if (key === "models") {
      out.models = declaredModels(value, path);
      continue;
    }
    const name = known.find((k) => k === key || kebab(k) === key);
    if (!name) {
      const hint = suggestion(key, ["models", ...known.map(kebab)]);
      throw invalid(`${path}: unknown setting "${key}"${hint ? ` (did you mean "${hint}"?)` : ""}`);
    }
    const seen = out.settings[name];
    if (seen) throw invalid(`${path}: "${key}" and "${seen.key}" are the same setting: keep one`);
    out.settings[name] = { value: settingValue(value, `${path}: ${key}`, name === "metrics"), key };
  }
  return out;
}

function settingValue(value: unknown, where: string, list: boolean): RawSetting {
  if (typeof value === "number" || typeof value === "string") return value;
  if (typeof value === "boolean") return String(value);
  if (list && Array.isArray(value) && value.every((v) => typeof v === "string")) return value as string[];
  if (value === null) throw invalid(`${where} has no value`);
  const expected = list ? "a list of strings or one comma-separated string" : "a number or a string";
  throw invalid(`${where} must be ${expected}, got ${describe(value)}`);
}

/** `models`: a list of `{name, spec, metrics?, drift?}`, or a map of name → `{spec, ...}` or spec string. */
function declaredModels(value: unknown, path: string): DeclaredModel[] {
  let entries: [string, unknown, string][];
  if (Array.isArray(value)) {
    entries = value.map((m, i) => {
      const where = `${path}: models[${i}]`;
      if (!isObject(m)) throw invalid(`${where} must be an object {"name", "spec", "metrics"?, "drift"?}`);
      if (typeof m.name !== "string" || m.name === "") throw invalid(`${where}.name must be a model name`);
      return [m.name, m, where];
    });
  } else if (isObject(value)) {
    entries = Object.entries(value).map(([name, m]) => {
      const where = `${path}: models.${name}`;
      return [name, typeof m === "string" ? { spec: m } : m, where];
    });
  } else {
    throw invalid(`${path}: models must be a list of {"name", "spec", ...} or a map of name to spec`);
  }
  const names = new Set<string>();
  return entries.map(([name, m, where]) => {
    if (!isObject(m))
      throw invalid(`${where} must be a spec string or an object {"spec", "metrics"?, "drift"?}`);
    for (const key of Object.keys(m)) {
      if (!MODEL_KEYS.includes(key) || (key === "name" && !Array.isArray(value))) {
        throw invalid(
          `${where}: unknown key "${key}" (a model has ${MODEL_KEYS.slice(Array.isArray(value) ? 0 : 1).join(", ")})`,
        );
      }
    }
    if (names.has(name)) throw invalid(`${where}: model "${name}" is declared twice`);
    names.add(name);
    if (name === "default") {
      throw invalid(
        `${where}: the model "default" is the one of the "model" and "metrics" settings: set those instead`,
      );
    }
    const spec = m.spec;
    if (!(typeof spec === "string" && spec.trim() !== "") && !isObject(spec) && !Array.isArray(spec)) {
      throw invalid(
        `${where}.spec must be a spec string ("StandardScaler | LogisticRegression") or its JSON`,
      );
    }
    const declared: DeclaredModel = { name, spec: spec as DeclaredModel["spec"], where };
    if (m.metrics !== undefined) declared.metrics = metricList(m.metrics, `${where}.metrics`);
    if (m.drift !== undefined) {
      if (typeof m.drift !== "string" || m.drift.trim() === "") {
        throw invalid(`${where}.drift must be a drift detector spec, e.g. "ADWIN"`);
      }
      declared.drift = m.drift;
    }
    return declared;
  });
}

function metricList(value: unknown, where: string): string[] {
  if (typeof value === "string") return splitMetrics(value);
  if (Array.isArray(value) && value.every((v) => typeof v === "string" && v.trim() !== "")) return value;
  throw invalid(
    `${where} must be a list of metric specs (["ROCAUC", "Accuracy"]) or one comma-separated string`,
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "an object";
  return `${typeof v} ${JSON.stringify(v)}`;
}

function invalid(message: string) {
  return brookError("INVALID_CONFIG", message);
}

/** The known name closest to `key` (at most 2 edits, separators and case ignored), if any. */
function suggestion(key: string, names: string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_]/g, "");
  let best: string | undefined;
  let bestDistance = 3;
  for (const n of names) {
    const d = distance(norm(key), norm(n));
    if (d < bestDistance) {
      best = n;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}
