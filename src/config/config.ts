import { brookError } from "../errors.js";

/** Brook's settings, parsed once at start and frozen. */
export interface Config {
  /** TCP port of the HTTP server (8080 like the original app). */
  readonly port: number;
  readonly host: string;
  /** Spec of the `default` model created at start. */
  readonly model: string;
  /** Metric specs of the default model; empty means the task's default (ROCAUC, Accuracy or MAE). */
  readonly metrics: readonly string[];
  /** Largest accepted request body, in bytes. */
  readonly bodyLimit: number;
  /** Most instances in one batch request. */
  readonly maxBatch: number;
  /** Most features in one instance. */
  readonly maxFeatures: number;
  readonly logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
}

/** Every setting's default, in one place. */
export const defaults: Config = Object.freeze({
  port: 8080,
  host: "0.0.0.0",
  model: "StandardScaler | LogisticRegression",
  metrics: [],
  bodyLimit: 1024 * 1024,
  maxBatch: 10_000,
  maxFeatures: 10_000,
  logLevel: "info",
});

/** Environment variable of each setting. */
export const envNames: Record<keyof Config, string> = {
  port: "BROOK_PORT",
  host: "BROOK_HOST",
  model: "BROOK_MODEL",
  metrics: "BROOK_METRICS",
  bodyLimit: "BROOK_BODY_LIMIT",
  maxBatch: "BROOK_MAX_BATCH",
  maxFeatures: "BROOK_MAX_FEATURES",
  logLevel: "BROOK_LOG_LEVEL",
};

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

type Raw = string | number | readonly string[] | undefined;

function integer(v: Raw, source: string, min: number, max: number): number {
  const n = typeof v === "number" ? v : Number(String(v).trim());
  if (!Number.isInteger(n) || n < min || n > max) {
    throw brookError(
      "INVALID_CONFIG",
      `${source} must be an integer from ${min} to ${max}, got "${String(v)}"`,
    );
  }
  return n;
}

/** Splits a metrics list at top-level commas ("ROCAUC, ROCAUC(n_thresholds=1000)"). */
export function splitMetrics(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = "";
  for (const c of text) {
    if (c === "(" || c === "[") depth++;
    if (c === ")" || c === "]") depth--;
    if (c === "," && depth === 0) {
      out.push(current);
      current = "";
    } else {
      current += c;
    }
  }
  out.push(current);
  return out.map((s) => s.trim()).filter((s) => s !== "");
}

function parseValue(key: keyof Config, v: Raw, source: string): Config[keyof Config] {
  switch (key) {
    case "port":
      return integer(v, source, 0, 65535);
    case "bodyLimit":
      return integer(v, source, 1024, 1024 ** 3);
    case "maxBatch":
      return integer(v, source, 1, 1_000_000);
    case "maxFeatures":
      return integer(v, source, 1, 10_000_000);
    case "host":
    case "model": {
      const s = String(v).trim();
      if (s === "") throw brookError("INVALID_CONFIG", `${source} must not be empty`);
      return s;
    }
    case "metrics":
      return Array.isArray(v) ? v.map(String) : splitMetrics(String(v));
    case "logLevel": {
      const s = String(v).trim().toLowerCase();
      if (!(LOG_LEVELS as readonly string[]).includes(s)) {
        throw brookError(
          "INVALID_CONFIG",
          `${source} must be one of ${LOG_LEVELS.join(", ")}, got "${String(v)}"`,
        );
      }
      return s as Config["logLevel"];
    }
  }
}

/**
 * Resolves the configuration: command-line flags win over environment variables, which win
 * over {@link defaults}. Invalid values throw a `BROOK_INVALID_CONFIG` error naming the flag or
 * variable.
 */
export function loadConfig(
  flags: Partial<Record<keyof Config, Raw>> = {},
  env: Record<string, string | undefined> = process.env,
): Config {
  const out: Record<string, unknown> = { ...defaults };
  for (const key of Object.keys(defaults) as (keyof Config)[]) {
    const flag = flags[key];
    const fromEnv = env[envNames[key]];
    if (flag !== undefined) out[key] = parseValue(key, flag, `--${kebab(key)}`);
    else if (fromEnv !== undefined && fromEnv !== "") out[key] = parseValue(key, fromEnv, envNames[key]);
  }
  out.metrics = Object.freeze([...(out.metrics as string[])]);
  return Object.freeze(out) as unknown as Config;
}

/** `bodyLimit` → `body-limit`, the flag spelling. */
export function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
