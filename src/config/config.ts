import { availableParallelism } from "node:os";
import { brookError } from "../errors.js";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
const FSYNC = ["always", "interval", "never"] as const;
const STORES = ["file", "memory"] as const;
const ROLES = ["all", "serve", "learn"] as const;

/** `file`, `memory`, or the URL of a Redis shared by every node (`redis://host:port/db`, `rediss://` for TLS). */
export type StoreSetting = (typeof STORES)[number] | `redis://${string}` | `rediss://${string}`;

/** Whether the store setting names a Redis. */
export function isRedisStore(store: StoreSetting): store is `redis://${string}` | `rediss://${string}` {
  return store.startsWith("redis://") || store.startsWith("rediss://");
}
const DISPATCH = ["lean", "fastify"] as const;
const LOG_FORMATS = ["auto", "pretty", "json"] as const;
const ON_OFF = ["on", "off"] as const;
const RETAIN = ["checkpoints", "all"] as const;

/** Brook's settings, parsed once at start and frozen. */
export interface Config {
  /** TCP port of the HTTP server (8080 like the original app). */
  readonly port: number;
  readonly host: string;
  /** Spec of the `default` model created on first start. */
  readonly model: string;
  /** Metric specs of the default model; empty means the task's default (ROCAUC, Accuracy or MAE). */
  readonly metrics: readonly string[];
  /** Where models, logs and checkpoints live (`store: file`). */
  readonly dataDir: string;
  /** `file` (durable, the default), `memory` (nothing survives a restart), or a Redis URL (many nodes). */
  readonly store: StoreSetting;
  /** A Redis URL that selects the Redis store when `store` is not set (`BROOK_REDIS_URL`). */
  readonly redisUrl: string;
  /** Put before every Redis key (several deployments can share one Redis). */
  readonly redisPrefix: string;
  /** With Redis: `all` (serve and hold leases), `serve` (never a checkpointer), `learn` (leases, no predictions). */
  readonly role: (typeof ROLES)[number];
  /** With Redis: how long a checkpointer's lease lasts unless renewed (ms). */
  readonly leaseTtlMs: number;
  /** Where lease holders back checkpoints up: a folder, or `s3://bucket/prefix` (empty: nowhere). */
  readonly backup: string;
  /** Seconds between backups of a model's newest checkpoint. */
  readonly backupInterval: number;
  /** Backups kept per model. */
  readonly backupKeep: number;
  /** An S3-compatible endpoint for `s3://` backups (path-style), e.g. http://127.0.0.1:9000 (empty: AWS). */
  readonly s3Endpoint: string;
  /** When logged events reach the disk before a learn is answered. */
  readonly fsync: (typeof FSYNC)[number];
  readonly fsyncIntervalMs: number;
  /** Size at which a log segment file is closed and a new one started. */
  readonly segmentBytes: number;
  /** Checkpoint every this many events... */
  readonly checkpointEvery: number;
  /** ...or every this many seconds when something was learned. */
  readonly checkpointInterval: number;
  /** Checkpoints kept per model. */
  readonly checkpointKeep: number;
  /** Which log segments are kept: what the oldest kept checkpoint needs (`checkpoints`), or `all`. */
  readonly retain: (typeof RETAIN)[number];
  /** Most log segment files open at once (idle logs close theirs and reopen on their next write). */
  readonly maxOpenLogs: number;
  /** After a disk error, how long before a model's log tries the disk again (ms). */
  readonly diskRetryMs: number;
  /** Seconds a remembered prediction waits for its label. */
  readonly pendingTtl: number;
  /** Most remembered predictions per model. */
  readonly pendingCapacity: number;
  /** Event ids remembered per model for idempotent retries. */
  readonly eventIdCapacity: number;
  /** The metric history keeps a point every this many versions (the finest resolution). */
  readonly historyEvery: number;
  /** Most points of a metric history (when full, its resolution halves). */
  readonly historyPoints: number;
  /** Most live event streams (SSE) open at once, per HTTP process. */
  readonly maxStreams: number;
  /** Seconds between heartbeats (comment lines) on an idle event stream. */
  readonly streamHeartbeat: number;
  /** Recent events kept for streams that resume with Last-Event-ID. */
  readonly eventBuffer: number;
  /** HTTP worker processes (node:cluster); 1 serves from this one process. */
  readonly workers: number;
  /** Seconds a shutdown waits for requests in flight before it cuts their connections. */
  readonly drainTimeout: number;
  /** How long a predict with `min_version` waits for the model to reach it (ms). */
  readonly readWaitMs: number;
  /** Largest accepted request body, in bytes. */
  readonly bodyLimit: number;
  /** Most instances in one batch request. */
  readonly maxBatch: number;
  /** Most features in one instance. */
  readonly maxFeatures: number;
  /** Deepest nesting of arrays and objects a request body may have. */
  readonly maxDepth: number;
  /** Longest feature name, in characters. */
  readonly maxNameLength: number;
  /** Longest string value (a categorical feature, a class label), in characters. */
  readonly maxStringLength: number;
  /** Most distinct feature names a model learns (a learn that would add more is refused). */
  readonly maxModelFeatures: number;
  /** Most models a server holds. */
  readonly maxModels: number;
  /** Most lags a forecaster may look at (SNARIMAX: p + q + m·sp + m·sq), checked at creation. */
  readonly maxForecastOrder: number;
  /** Most work in one forecast: its horizon times the forecaster's lags. */
  readonly maxForecastWork: number;
  /** Seconds a request's headers, and then its (buffered) body, may take to arrive. */
  readonly bodyTimeout: number;
  /** Bytes all unfinished request bodies of a process may hold together. */
  readonly bodyMemory: number;
  /** Most open connections per HTTP process (more are closed at once). */
  readonly maxConnections: number;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /** `json` lines, readable `pretty` lines, or `auto`: pretty when stdout is a terminal. */
  readonly logFormat: (typeof LOG_FORMATS)[number];
  /** Prometheus metrics (`GET /metrics` and the per-request counting behind it). */
  readonly prometheus: (typeof ON_OFF)[number];
  /** After SIGTERM, how long readiness is false while requests are still served (ms). */
  readonly shutdownDelayMs: number;
  /** Who serves the hot routes: the lean dispatcher in front of Fastify, or Fastify itself (to measure). */
  readonly httpDispatch: (typeof DISPATCH)[number];
  /** The API keys file (hashes; empty: `<data-dir>/keys.json` if it exists, with the file store). */
  readonly keysFile: string;
  /** API keys given in the environment: the keys file's JSON (hashes, never secrets). */
  readonly apiKeys: string;
  /** Without keys, clients off loopback may learn and administer too (protected mode off). */
  readonly insecure: boolean;
  /** Learn requests per second allowed per key (or per client address without keys); 0: no limit. */
  readonly learnRate: number;
  /** How many learn requests a key may send at once above its rate (0: the rate, at least 1). */
  readonly learnBurst: number;
}

type Raw = string | number | readonly string[] | undefined;

/** A setting's value before parsing: a flag's or variable's text, or a config file's value. */
export type RawSetting = Exclude<Raw, undefined>;

interface Setting {
  env: string;
  default: unknown;
  /** Help text of the flag. */
  help: string;
  /** What the flag's value is, for its help: `--port <port>`, `--data-dir <dir>`. */
  value: string;
  /** The default as help shows it, when it is not simply the value. */
  shownDefault?: string;
  /** A flag without a value (`--insecure`): given means true. */
  flag?: true;
  parse: (v: Raw, source: string) => unknown;
}

function integer(min: number, max: number) {
  return (v: Raw, source: string): number => {
    const n = typeof v === "number" ? v : Number(String(v).trim());
    if (!Number.isInteger(n) || n < min || n > max) {
      throw brookError(
        "INVALID_CONFIG",
        `${source} must be an integer from ${min} to ${max}, got "${String(v)}"`,
      );
    }
    return n;
  };
}

/** A number (not necessarily an integer) in [min, max]. */
function decimal(min: number, max: number) {
  return (v: Raw, source: string): number => {
    const n = typeof v === "number" ? v : Number(String(v).trim());
    if (!Number.isFinite(n) || n < min || n > max || String(v).trim() === "") {
      throw brookError(
        "INVALID_CONFIG",
        `${source} must be a number from ${min} to ${max}, got "${String(v)}"`,
      );
    }
    return n;
  };
}

/** A yes/no setting: a bare flag, or true/false, 1/0, on/off, yes/no. */
function boolean(v: Raw, source: string): boolean {
  const s = String(v).trim().toLowerCase();
  if (["true", "1", "on", "yes"].includes(s)) return true;
  if (["false", "0", "off", "no"].includes(s)) return false;
  throw brookError("INVALID_CONFIG", `${source} must be true or false, got "${String(v)}"`);
}

function text(v: Raw, source: string): string {
  const s = String(v).trim();
  if (s === "") throw brookError("INVALID_CONFIG", `${source} must not be empty`);
  return s;
}

/** Text that may be empty (an optional setting). */
function optionalText(v: Raw): string {
  return String(v).trim();
}

/** `file`, `memory`, or a redis:// / rediss:// URL (checked by the Redis adapter when it connects). */
function storeSetting(v: Raw, source: string): StoreSetting {
  const s = String(v).trim();
  if (/^rediss?:\/\//i.test(s)) return s as StoreSetting;
  return oneOf(STORES)(s, source).toLowerCase() as StoreSetting;
}

/** A Redis URL, or empty. */
function redisUrl(v: Raw, source: string): string {
  const s = String(v).trim();
  if (s !== "" && !/^rediss?:\/\//i.test(s))
    throw brookError("INVALID_CONFIG", `${source} must be a redis:// or rediss:// URL, got "${s}"`);
  return s;
}

/** A backup target: a folder, or s3://bucket[/prefix]. */
function backupTarget(v: Raw, source: string): string {
  const s = String(v).trim();
  if (s.startsWith("s3://") && !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(s))
    throw brookError(
      "INVALID_CONFIG",
      `${source} must be s3://bucket/prefix with a valid bucket name, got "${s}"`,
    );
  return s;
}

function oneOf<T extends string>(choices: readonly T[]) {
  return (v: Raw, source: string): T => {
    const s = String(v).trim().toLowerCase();
    if (!(choices as readonly string[]).includes(s)) {
      throw brookError(
        "INVALID_CONFIG",
        `${source} must be one of ${choices.join(", ")}, got "${String(v)}"`,
      );
    }
    return s as T;
  };
}

/** Splits a metrics list at top-level commas ("ROCAUC, ROCAUC(n_thresholds=1000)"). */
export function splitMetrics(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = "";
  for (const c of list) {
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

/** Every setting: its variable, default, help and parser, in one place. */
export const settings: { readonly [K in keyof Config]: Setting } = {
  port: { env: "BROOK_PORT", value: "port", default: 8080, help: "TCP port", parse: integer(0, 65535) },
  host: { env: "BROOK_HOST", value: "host", default: "0.0.0.0", help: "interface to listen on", parse: text },
  model: {
    env: "BROOK_MODEL",
    value: "spec",
    default: "StandardScaler | LogisticRegression",
    help: "spec of the default model (created on first start)",
    parse: text,
  },
  metrics: {
    env: "BROOK_METRICS",
    value: "specs",
    default: [],
    shownDefault: "by task: ROCAUC, Accuracy or MAE",
    help: "comma-separated metrics of the default model",
    parse: (v) => (Array.isArray(v) ? v.map(String) : splitMetrics(String(v))),
  },
  dataDir: {
    env: "BROOK_DATA_DIR",
    value: "dir",
    default: "./data",
    help: "data folder (models, logs, checkpoints)",
    parse: text,
  },
  store: {
    env: "BROOK_STORE",
    value: "kind",
    default: "file",
    help: "file (durable), memory (nothing survives a restart), or redis://host:port/db (many nodes share one Redis; rediss:// for TLS)",
    parse: storeSetting,
  },
  redisUrl: {
    env: "BROOK_REDIS_URL",
    value: "url",
    default: "",
    shownDefault: "none",
    help: "a Redis URL: selects the Redis store when --store is not given",
    parse: redisUrl,
  },
  redisPrefix: {
    env: "BROOK_REDIS_PREFIX",
    value: "prefix",
    default: "brook:",
    help: "put before every Redis key (deployments sharing one Redis use different prefixes)",
    parse: text,
  },
  role: {
    env: "BROOK_ROLE",
    value: "role",
    default: "all",
    help: "with Redis: all (serve and checkpoint), serve (predictions and learns, never a checkpointer) or learn (checkpoints, learns and admin, no predictions)",
    parse: oneOf(ROLES),
  },
  leaseTtlMs: {
    env: "BROOK_LEASE_TTL_MS",
    value: "ms",
    default: 10_000,
    help: "with Redis: how long a model's checkpointer lease lasts unless renewed (another node takes over after it)",
    parse: integer(200, 600_000),
  },
  backup: {
    env: "BROOK_BACKUP",
    value: "target",
    default: "",
    shownDefault: "none",
    help: "with Redis: where checkpoints are backed up, a folder or s3://bucket/prefix",
    parse: backupTarget,
  },
  backupInterval: {
    env: "BROOK_BACKUP_INTERVAL",
    value: "seconds",
    default: 300,
    help: "seconds between backups of each model's newest checkpoint",
    parse: integer(1, 86_400 * 30),
  },
  backupKeep: {
    env: "BROOK_BACKUP_KEEP",
    value: "n",
    default: 10,
    help: "backups kept per model",
    parse: integer(1, 10_000),
  },
  s3Endpoint: {
    env: "BROOK_S3_ENDPOINT",
    value: "url",
    default: "",
    shownDefault: "AWS",
    help: "an S3-compatible endpoint for s3:// backups (path-style), e.g. http://minio:9000",
    parse: optionalText,
  },
  fsync: {
    env: "BROOK_FSYNC",
    value: "mode",
    default: "always",
    help: "always (a learn is answered once on disk; concurrent learns share one fsync), interval, or never",
    parse: oneOf(FSYNC),
  },
  fsyncIntervalMs: {
    env: "BROOK_FSYNC_INTERVAL_MS",
    value: "ms",
    default: 100,
    help: "fsync period with --fsync interval (ms)",
    parse: integer(1, 60_000),
  },
  segmentBytes: {
    env: "BROOK_SEGMENT_BYTES",
    value: "bytes",
    default: 64 * 1024 * 1024,
    help: "log segment size (bytes)",
    parse: integer(64 * 1024, 2 ** 31 - 1),
  },
  checkpointEvery: {
    env: "BROOK_CHECKPOINT_EVERY",
    value: "events",
    default: 50_000,
    help: "checkpoint every N events",
    parse: integer(1, 1e9),
  },
  checkpointInterval: {
    env: "BROOK_CHECKPOINT_INTERVAL",
    value: "seconds",
    default: 60,
    help: "checkpoint every T seconds when something changed",
    parse: integer(1, 86_400 * 365),
  },
  checkpointKeep: {
    env: "BROOK_CHECKPOINT_KEEP",
    value: "n",
    default: 5,
    help: "checkpoints kept per model",
    parse: integer(1, 1000),
  },
  retain: {
    env: "BROOK_RETAIN",
    value: "policy",
    default: "checkpoints",
    help: "log segments kept: checkpoints (what the oldest kept checkpoint needs; older ones are deleted) or all",
    parse: oneOf(RETAIN),
  },
  maxOpenLogs: {
    env: "BROOK_MAX_OPEN_LOGS",
    value: "n",
    default: 128,
    help: "most log segment files open at once, over all models (keep it well under ulimit -n)",
    parse: integer(1, 1_000_000),
  },
  diskRetryMs: {
    env: "BROOK_DISK_RETRY_MS",
    value: "ms",
    default: 1000,
    help: "after a disk error (full, read-only, I/O), how long before a model's log tries again (ms)",
    parse: integer(1, 600_000),
  },
  pendingTtl: {
    env: "BROOK_PENDING_TTL",
    value: "seconds",
    default: 86_400,
    help: "seconds a remembered prediction waits for its label",
    parse: integer(1, 86_400 * 365),
  },
  pendingCapacity: {
    env: "BROOK_PENDING_CAPACITY",
    value: "n",
    default: 100_000,
    help: "most remembered predictions per model (the oldest is evicted)",
    parse: integer(1, 100_000_000),
  },
  eventIdCapacity: {
    env: "BROOK_EVENT_ID_CAPACITY",
    value: "n",
    default: 100_000,
    help: "event ids remembered per model for idempotent retries",
    parse: integer(1, 100_000_000),
  },
  historyEvery: {
    env: "BROOK_HISTORY_EVERY",
    value: "n",
    default: 10,
    help: "the metric history keeps a point every N versions (its finest resolution)",
    parse: integer(1, 1e9),
  },
  historyPoints: {
    env: "BROOK_HISTORY_POINTS",
    value: "n",
    default: 1000,
    help: "most points of a metric history (when full, its resolution halves)",
    parse: integer(2, 1_000_000),
  },
  maxStreams: {
    env: "BROOK_MAX_STREAMS",
    value: "n",
    default: 256,
    help: "most live event streams (SSE) open at once, per HTTP process",
    parse: integer(0, 1_000_000),
  },
  streamHeartbeat: {
    env: "BROOK_STREAM_HEARTBEAT",
    value: "seconds",
    default: 15,
    help: "seconds between heartbeats on an idle event stream",
    parse: integer(1, 3600),
  },
  eventBuffer: {
    env: "BROOK_EVENT_BUFFER",
    value: "n",
    default: 10_000,
    help: "recent events kept so that a stream resuming with Last-Event-ID misses nothing",
    parse: integer(1, 10_000_000),
  },
  workers: {
    env: "BROOK_WORKERS",
    value: "n",
    default: availableParallelism(),
    shownDefault: `the number of cores, ${availableParallelism()} here`,
    help: "HTTP worker processes, each with read replicas of the models (1: one process)",
    parse: integer(1, 256),
  },
  drainTimeout: {
    env: "BROOK_DRAIN_TIMEOUT",
    value: "seconds",
    default: 10,
    help: "seconds a shutdown waits for requests in flight before closing their connections",
    parse: integer(0, 3600),
  },
  readWaitMs: {
    env: "BROOK_READ_WAIT_MS",
    value: "ms",
    default: 1000,
    help: "longest wait of a predict with min_version for the model to reach it (ms)",
    parse: integer(0, 600_000),
  },
  bodyLimit: {
    env: "BROOK_BODY_LIMIT",
    value: "bytes",
    default: 1024 * 1024,
    help: "largest request body (bytes)",
    parse: integer(1024, 1024 ** 3),
  },
  maxBatch: {
    env: "BROOK_MAX_BATCH",
    value: "n",
    default: 10_000,
    help: "most instances per batch request",
    parse: integer(1, 1_000_000),
  },
  maxFeatures: {
    env: "BROOK_MAX_FEATURES",
    value: "n",
    default: 10_000,
    help: "most features per instance",
    parse: integer(1, 10_000_000),
  },
  maxDepth: {
    env: "BROOK_MAX_DEPTH",
    value: "levels",
    default: 256,
    help: "deepest nesting of arrays and objects in a request body (model states of deep trees need more than predictions)",
    parse: integer(2, 1000),
  },
  maxNameLength: {
    env: "BROOK_MAX_NAME_LENGTH",
    value: "chars",
    default: 512,
    help: "longest feature name (characters)",
    parse: integer(1, 1_000_000),
  },
  maxStringLength: {
    env: "BROOK_MAX_STRING_LENGTH",
    value: "chars",
    default: 4096,
    help: "longest string value: a categorical feature or a class label (characters)",
    parse: integer(1, 100_000_000),
  },
  maxModelFeatures: {
    env: "BROOK_MAX_MODEL_FEATURES",
    value: "n",
    default: 100_000,
    help: "most distinct feature names a model learns; a learn that would add more is refused (422)",
    parse: integer(1, 100_000_000),
  },
  maxModels: {
    env: "BROOK_MAX_MODELS",
    value: "n",
    default: 1000,
    help: "most models a server holds",
    parse: integer(1, 1_000_000),
  },
  maxForecastOrder: {
    env: "BROOK_MAX_FORECAST_ORDER",
    value: "lags",
    default: 10_000,
    help: "most past values and errors a forecaster looks at (SNARIMAX: p + q + m*sp + m*sq), checked at creation",
    parse: integer(1, 100_000_000),
  },
  maxForecastWork: {
    env: "BROOK_MAX_FORECAST_WORK",
    value: "n",
    default: 10_000_000,
    help: "most work in one forecast: its horizon times the forecaster's lags",
    parse: integer(1, 1e12),
  },
  bodyTimeout: {
    env: "BROOK_BODY_TIMEOUT",
    value: "seconds",
    default: 30,
    help: "seconds a request's headers, then its body, may take to arrive (408 after); streams of examples are not cut",
    parse: integer(1, 3600),
  },
  bodyMemory: {
    env: "BROOK_BODY_MEMORY",
    value: "bytes",
    default: 128 * 1024 * 1024,
    help: "bytes all unfinished request bodies of a process may hold together (503 past it)",
    parse: integer(1024, 2 ** 40),
  },
  maxConnections: {
    env: "BROOK_MAX_CONNECTIONS",
    value: "n",
    default: 10_000,
    help: "most open connections per HTTP process (more are closed at once)",
    parse: integer(1, 10_000_000),
  },
  logLevel: {
    env: "BROOK_LOG_LEVEL",
    value: "level",
    default: "info",
    help: "fatal, error, warn, info, debug (logs requests), trace or silent",
    parse: oneOf(LOG_LEVELS),
  },
  logFormat: {
    env: "BROOK_LOG_FORMAT",
    value: "format",
    default: "auto",
    help: "json, pretty (readable lines), or auto (pretty when stdout is a terminal)",
    parse: oneOf(LOG_FORMATS),
  },
  prometheus: {
    env: "BROOK_PROMETHEUS",
    value: "on|off",
    default: "on",
    help: "on: GET /metrics in Prometheus text and request counting; off: neither",
    parse: oneOf(ON_OFF),
  },
  shutdownDelayMs: {
    env: "BROOK_SHUTDOWN_DELAY_MS",
    value: "ms",
    default: 0,
    help: "after SIGTERM, ms during which readiness is false but requests are still served (for load balancers to notice)",
    parse: integer(0, 600_000),
  },
  httpDispatch: {
    env: "BROOK_HTTP_DISPATCH",
    value: "kind",
    default: "lean",
    help: "who serves predict and learn: lean (a dispatcher in front of Fastify) or fastify (for comparison)",
    parse: oneOf(DISPATCH),
  },
  keysFile: {
    env: "BROOK_KEYS_FILE",
    value: "path",
    default: "",
    shownDefault: "<data-dir>/keys.json if it exists",
    help: "API keys file (brook keys create writes it; hashes only), reloaded when it changes",
    parse: optionalText,
  },
  apiKeys: {
    env: "BROOK_API_KEYS",
    value: "json",
    default: "",
    shownDefault: "none",
    help: "API keys as the keys file's JSON (hashes only, for containers), in addition to the file",
    parse: optionalText,
  },
  insecure: {
    env: "BROOK_INSECURE",
    value: "",
    flag: true,
    default: false,
    help: "with no API keys, let clients off loopback learn and administer too (protected mode off)",
    parse: boolean,
  },
  learnRate: {
    env: "BROOK_LEARN_RATE",
    value: "per-second",
    default: 0,
    shownDefault: "0, no limit",
    help: "learn requests per second per API key (per client address without keys), per process; over it: 429",
    parse: decimal(0, 1e9),
  },
  learnBurst: {
    env: "BROOK_LEARN_BURST",
    value: "n",
    default: 0,
    shownDefault: "the rate, at least 1",
    help: "learn requests a key may send at once above --learn-rate",
    parse: integer(0, 1e9),
  },
};

/** Every setting's default, in one place. */
export const defaults: Config = Object.freeze(
  Object.fromEntries(Object.entries(settings).map(([k, s]) => [k, s.default])),
) as unknown as Config;

/** `bodyLimit` → `body-limit`, the flag spelling. */
export function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** A config file's settings, by key, with the spelling the file used (see file.ts). */
export interface FileSettings {
  path: string;
  settings: Partial<Record<keyof Config, { value: RawSetting; key: string }>>;
}

/**
 * Resolves the configuration: command-line flags win over environment variables, which win
 * over a config file's settings, which win over {@link defaults}. Invalid values throw a
 * `BROOK_INVALID_CONFIG` error naming the flag, the variable, or the file and key.
 */
export function loadConfig(
  flags: Partial<Record<keyof Config, Raw>> = {},
  env: Record<string, string | undefined> = process.env,
  file?: FileSettings,
): Config {
  const out: Record<string, unknown> = {};
  const given = new Set<keyof Config>();
  for (const [key, s] of Object.entries(settings) as [keyof Config, Setting][]) {
    const flag = flags[key];
    const fromEnv = env[s.env];
    const fromFile = file?.settings[key];
    if (flag !== undefined) out[key] = s.parse(flag, `--${kebab(key)}`);
    else if (fromEnv !== undefined && fromEnv !== "") out[key] = s.parse(fromEnv, s.env);
    else if (fromFile !== undefined) out[key] = s.parse(fromFile.value, `${file!.path}: ${fromFile.key}`);
    else out[key] = s.default;
    if (flag !== undefined || (fromEnv !== undefined && fromEnv !== "") || fromFile !== undefined)
      given.add(key);
  }
  // BROOK_REDIS_URL selects Redis unless the store is set explicitly.
  if (out.redisUrl !== "" && !given.has("store")) out.store = out.redisUrl;
  out.metrics = Object.freeze([...(out.metrics as string[])]);
  return Object.freeze(out) as unknown as Config;
}
