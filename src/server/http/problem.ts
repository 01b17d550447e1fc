/** One place that turns any error into the problem body and status a client sees. */
import type { FastifyError } from "fastify";
import { JsonDepthError, JsonSyntaxError } from "../../codec/ordered-json.js";
import { BrookError, brookError, clip, isClientError, learnErrorStatus } from "../../errors.js";

/** The JSON body of every error response. */
export interface Problem {
  error: string;
  code: string;
  status: number;
  [detail: string]: unknown;
}

const FASTIFY_CODES: Record<string, () => BrookError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () =>
    brookError("BODY_TOO_LARGE", "the request body is larger than the server accepts"),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
    brookError(
      "UNSUPPORTED_MEDIA_TYPE",
      "send the body as JSON with the header Content-Type: application/json",
    ),
  FST_ERR_CTP_EMPTY_JSON_BODY: () =>
    brookError("INVALID_JSON", "the request body is empty: send a JSON object"),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () =>
    brookError("INVALID_REQUEST", "the Content-Length header does not match the body"),
  FST_ERR_BAD_URL: () => brookError("INVALID_REQUEST", "the path is not valid percent-encoding"),
  FST_ERR_MAX_PARAM_LENGTH: () =>
    brookError("URI_TOO_LONG", "a part of the path (a model name?) is longer than the server accepts"),
};

/** The reason a refusal by a limit is counted under (the setting's name), by error code. */
const LIMIT_REASONS: Record<string, string> = {
  BROOK_BODY_TOO_LARGE: "body-limit",
  FST_ERR_CTP_BODY_TOO_LARGE: "body-limit",
  BROOK_BATCH_TOO_LARGE: "max-batch",
  BROOK_TOO_MANY_STREAMS: "max-streams",
  BROOK_HEADERS_TOO_LARGE: "headers-too-large",
  BROOK_REQUEST_TIMEOUT: "body-timeout",
  BROOK_OVERLOADED: "body-memory",
};

/**
 * Which limit refused the request (`brook_requests_refused_total{reason}`), if one did: the
 * setting a limit error names in its details, or the one its code stands for.
 */
export function refusalReason(err: unknown): string | undefined {
  if (err instanceof JsonDepthError) return "max-depth";
  const setting = (err as BrookError | undefined)?.details?.setting;
  if (typeof setting === "string") return setting;
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? LIMIT_REASONS[code] : undefined;
}

/** Longest message and string detail a problem body carries (a safety net: messages clip input themselves). */
const MAX_MESSAGE = 1000;
const MAX_DETAIL = 200;

/** The details with long strings cut, so that a problem never echoes unbounded input. */
function boundedDetails(details: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (details === undefined) return undefined;
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(details)) {
    if (typeof v === "string" && v.length > MAX_DETAIL) {
      out ??= { ...details };
      out[k] = clip(v, MAX_DETAIL);
    }
  }
  return out ?? details;
}

/**
 * Maps any error to a problem body and status. Ours (and the learning library's) say what
 * went wrong; anything else is a generic 500 whose message stays in the logs, found there by
 * the request id the body carries.
 */
export function toProblem(err: unknown, requestId?: string): Problem {
  let e: unknown = err;
  if (e instanceof JsonSyntaxError)
    e = brookError("INVALID_JSON", `the body is not valid JSON: ${e.message}`);
  if (e instanceof JsonDepthError)
    e = brookError("INVALID_JSON", `${e.message} (the limit is --max-depth)`, { limit: e.limit });
  const fastifyCode = (e as FastifyError)?.code;
  if (fastifyCode && FASTIFY_CODES[fastifyCode]) e = FASTIFY_CODES[fastifyCode]();
  if (isClientError(e)) {
    const status = e instanceof BrookError ? e.statusCode : learnErrorStatus(e);
    const details = e instanceof BrookError ? boundedDetails(e.details) : undefined;
    return { ...details, error: clip(e.message, MAX_MESSAGE), code: e.code, status };
  }
  const status = (e as FastifyError)?.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    return { error: clip((e as Error).message, MAX_DETAIL), code: "BROOK_INVALID_REQUEST", status };
  }
  const problem: Problem = { error: "internal error", code: "BROOK_INTERNAL", status: 500 };
  if (requestId !== undefined) problem.request_id = requestId;
  return problem;
}
