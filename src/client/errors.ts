/**
 * The two ways a call to Brook fails: the server answered no (`BrookApiError`, with the status
 * and stable code of its problem body), or no usable answer came (`BrookConnectionError`).
 */
import type { Problem } from "./types.js";

/**
 * Brook answered with an error: a problem body `{"error", "code", "status"}`. `code` is
 * `BROOK_...`, or `HTTP_<status>` when the answer was not a Brook problem (a proxy's page).
 */
export class BrookApiError extends Error {
  /** The HTTP status. */
  readonly status: number;
  /** The stable code: `BROOK_MODEL_NOT_FOUND`, `BROOK_INVALID_FEATURES`, ... */
  readonly code: string;
  /** The JSON path of the offending field, when the problem names one. */
  readonly path: string | undefined;
  /** The problem body as answered (undefined when the body was not a problem). */
  readonly problem: Problem | undefined;
  /** How long the server asked to wait before trying again (its `Retry-After`, in ms). */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, status: number, code: string, problem?: Problem, retryAfterMs?: number) {
    super(message);
    this.name = "BrookApiError";
    this.status = status;
    this.code = code;
    this.problem = problem;
    this.path = typeof problem?.path === "string" ? problem.path : undefined;
    this.retryAfterMs = retryAfterMs;
  }

  /** Whether trying again later may succeed (503: shutting down, a replica behind, a log failing). */
  get retryable(): boolean {
    return this.status === 503;
  }

  /** Reads a failed response as an error, whatever its body is. */
  static async from(res: Response): Promise<BrookApiError> {
    const text = await res.text().catch(() => "");
    // Retry-After in seconds (the date form is not worth parsing for a retry delay).
    const after = Number(res.headers.get("retry-after") ?? Number.NaN);
    const retryAfterMs = Number.isFinite(after) && after >= 0 ? after * 1000 : undefined;
    try {
      const body = JSON.parse(text) as Partial<Problem>;
      if (typeof body.error === "string" && typeof body.code === "string") {
        return new BrookApiError(body.error, res.status, body.code, body as Problem, retryAfterMs);
      }
    } catch {
      // Not JSON: the status line says what there is to say.
    }
    const line = `HTTP ${res.status} ${res.statusText}`.trim();
    return new BrookApiError(line, res.status, `HTTP_${res.status}`, undefined, retryAfterMs);
  }
}

/** Why a call got no usable answer. */
export type ConnectionFailure =
  /** Nothing answered: refused, unknown host, reset, dropped mid-answer. */
  | "unreachable"
  /** No answer within the client's `timeoutMs`. */
  | "timeout"
  /** Something answered, but not with Brook's JSON (another service, a login page). */
  | "not-brook";

/** No usable answer from Brook at `url`. */
export class BrookConnectionError extends Error {
  readonly url: string;
  readonly reason: ConnectionFailure;

  constructor(message: string, url: string, reason: ConnectionFailure, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BrookConnectionError";
    this.url = url;
    this.reason = reason;
  }

  /** Whether trying again may succeed (the server may be back, or the answer may come in time). */
  get retryable(): boolean {
    return this.reason !== "not-brook";
  }
}

/** A fetch failure as a connection error naming why (fetch itself says only "fetch failed"). */
export function connectionError(err: unknown, base: string): BrookConnectionError {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError") {
    return new BrookConnectionError(`no answer from Brook at ${base} in time`, base, "timeout", {
      cause: err,
    });
  }
  const why = e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
  return new BrookConnectionError(`cannot reach Brook at ${base} (${why})`, base, "unreachable", {
    cause: err,
  });
}
