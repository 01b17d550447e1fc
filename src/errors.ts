/**
 * Brook's error registry: every error a client can see has a stable code and an HTTP status.
 * The HTTP layer turns any `BrookError` (and the learning library's `LearnError`) into a
 * problem body `{"error": message, "code": "BROOK_...", "status": n}`.
 */
import { LearnError } from "./learn/base/errors.js";

export class BrookError extends Error {
  readonly code: string;
  readonly statusCode: number;
  /** Extra machine-readable context (e.g. the JSON path of the offending field). */
  readonly details: Record<string, unknown> | undefined;
  constructor(code: string, statusCode: number, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "BrookError";
    this.code = code;
    this.statusCode = statusCode;
    this.details = details;
  }
}

/** Codes and statuses, in one place. */
export const codes = {
  INVALID_JSON: ["BROOK_INVALID_JSON", 400],
  UNSUPPORTED_MEDIA_TYPE: ["BROOK_UNSUPPORTED_MEDIA_TYPE", 415],
  BODY_TOO_LARGE: ["BROOK_BODY_TOO_LARGE", 413],
  /** A streamed body (JSON lines) that broke off before its end: what was acknowledged stays learned. */
  STREAM_CUT: ["BROOK_STREAM_CUT", 400],
  HEADERS_TOO_LARGE: ["BROOK_HEADERS_TOO_LARGE", 431],
  REQUEST_TIMEOUT: ["BROOK_REQUEST_TIMEOUT", 408],
  INVALID_REQUEST: ["BROOK_INVALID_REQUEST", 400],
  /** A path segment (a model name) longer than the router takes. */
  URI_TOO_LONG: ["BROOK_URI_TOO_LONG", 414],
  INVALID_FEATURES: ["BROOK_INVALID_FEATURES", 400],
  INVALID_TARGET: ["BROOK_INVALID_TARGET", 400],
  BATCH_TOO_LARGE: ["BROOK_BATCH_TOO_LARGE", 413],
  MODEL_NOT_FOUND: ["BROOK_MODEL_NOT_FOUND", 404],
  MODEL_EXISTS: ["BROOK_MODEL_EXISTS", 409],
  INVALID_NAME: ["BROOK_INVALID_NAME", 400],
  ID_NOT_FOUND: ["BROOK_ID_NOT_FOUND", 404],
  ID_EXPIRED: ["BROOK_ID_EXPIRED", 404],
  ALREADY_LABELLED: ["BROOK_ALREADY_LABELLED", 409],
  ID_CONFLICT: ["BROOK_ID_CONFLICT", 409],
  NO_CHECKPOINT: ["BROOK_NO_CHECKPOINT", 404],
  /** A learn that would make a weight, mean or metric of the model non-finite: refused, nothing logged. */
  NON_FINITE: ["BROOK_NON_FINITE", 422],
  ROUTE_NOT_FOUND: ["BROOK_ROUTE_NOT_FOUND", 404],
  METHOD_NOT_ALLOWED: ["BROOK_METHOD_NOT_ALLOWED", 405],
  /** No API key, or one the server does not know (answered with `WWW-Authenticate: Bearer`). */
  UNAUTHORIZED: ["BROOK_UNAUTHORIZED", 401],
  /** A known key without the route's scope or model, or a remote client in protected mode. */
  FORBIDDEN: ["BROOK_FORBIDDEN", 403],
  /** A key's learn requests over `--learn-rate` (answered with `Retry-After`). */
  RATE_LIMITED: ["BROOK_RATE_LIMITED", 429],
  UNAVAILABLE: ["BROOK_UNAVAILABLE", 503],
  NOT_READY: ["BROOK_NOT_READY", 503],
  TOO_MANY_STREAMS: ["BROOK_TOO_MANY_STREAMS", 503],
  /**
   * A configured limit refused the request (a name or value too long, a model that would grow
   * past its features, too many models, a forecast too costly): `details.setting` names the
   * setting, `details.limit` its value. Nothing was applied or logged.
   */
  LIMIT_EXCEEDED: ["BROOK_LIMIT_EXCEEDED", 422],
  /** Unfinished request bodies hold as many bytes as the process allows (`--body-memory`): try again soon. */
  OVERLOADED: ["BROOK_OVERLOADED", 503],
  /** The disk is full (ENOSPC, EDQUOT): writes are refused until space is freed. */
  DISK_FULL: ["BROOK_DISK_FULL", 507],
  /** The disk refused a write or sync (EROFS, EIO, EMFILE...): writes are refused until it works. */
  STORAGE_UNAVAILABLE: ["BROOK_STORAGE_UNAVAILABLE", 503],
  /** The events a replay or rollback needs were deleted by retention (`--retain checkpoints`). */
  HISTORY_PRUNED: ["BROOK_HISTORY_PRUNED", 409],
  /** Another process owns the data folder (its LOCK file). Never an HTTP answer: a start refused. */
  DATA_DIR_LOCKED: ["BROOK_DATA_DIR_LOCKED", 409],
  /** A damaged log record with valid ones after it. Never an HTTP answer: a start refused. */
  LOG_CORRUPT: ["BROOK_LOG_CORRUPT", 500],
  /** registry.json is missing or damaged and cannot be rebuilt from the model folders. */
  REGISTRY_DAMAGED: ["BROOK_REGISTRY_DAMAGED", 500],
  INVALID_CONFIG: ["BROOK_INVALID_CONFIG", 500],
  INTERNAL: ["BROOK_INTERNAL", 500],
} as const satisfies Record<string, readonly [string, number]>;

export type ErrorName = keyof typeof codes;

/** Creates the registered error `name` with a message (and optional details). */
export function brookError(name: ErrorName, message: string, details?: Record<string, unknown>): BrookError {
  const [code, status] = codes[name];
  return new BrookError(code, status, message, details);
}

/**
 * A refusal by the limit `setting` (its flag without dashes, e.g. `max-name-length`), with the
 * limit in the problem's details: answered 422 unless another code fits better.
 */
export function limitError(
  setting: string,
  limit: number,
  message: string,
  details: Record<string, unknown> = {},
  name: ErrorName = "LIMIT_EXCEEDED",
): BrookError {
  return brookError(name, message, { ...details, setting, limit });
}

/**
 * `text` cut to `max` characters (with "…" when cut): what error messages and details quote
 * of a client's input, so that an error body never echoes unbounded input.
 */
export function clip(text: string, max = 64): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** errno codes that mean "no space left": answered 507. */
const FULL = new Set(["ENOSPC", "EDQUOT"]);

/** The errno code of a system error (`ENOSPC`, `EIO`...), if it has one. */
export function errnoOf(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/**
 * A disk fault as the client sees it: `BROOK_DISK_FULL` (507) for ENOSPC/EDQUOT,
 * `BROOK_STORAGE_UNAVAILABLE` (503) for any other errno; the message names the cause (and ends
 * with `after`). An error that is already one of ours is returned as is.
 */
export function diskFault(err: unknown, what: string, after = ""): BrookError {
  if (err instanceof BrookError) return err;
  const errno = errnoOf(err) ?? errnoOf((err as { cause?: unknown } | undefined)?.cause);
  const cause = errno ?? "I/O error";
  const name: ErrorName = errno && FULL.has(errno) ? "DISK_FULL" : "STORAGE_UNAVAILABLE";
  const why = name === "DISK_FULL" ? "the disk is full" : `the disk failed (${cause})`;
  return brookError(name, `${what}: ${why}${after}`, { cause });
}

/** The status of errors raised by the learning library (bad specs, params, states, labels). */
export const LEARN_ERROR_STATUS = 400;

/** A learning library error's status: 422 for a well-formed state with impossible values, else 400. */
export function learnErrorStatus(err: LearnError): number {
  return err.code === "BROOK_INVALID_STATE_VALUE" ? 422 : LEARN_ERROR_STATUS;
}

/**
 * Whether `err` is one of ours and meant for the client (safe to show as is): a 4xx, or a 503
 * (shutting down, a replica behind, a log that cannot be written). An internal error (500)
 * never is: its message is for the logs.
 */
export function isClientError(err: unknown): err is BrookError | LearnError {
  if (err instanceof BrookError) return err.statusCode !== 500;
  return err instanceof LearnError;
}

/** A mistake in what a command-line user asked for: printed as is, without a stack trace. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
