/** One place that turns any error into the problem body and status a client sees. */
import type { FastifyError } from "fastify";
import { JsonDepthError, JsonSyntaxError } from "../../codec/ordered-json.js";
import { BrookError, brookError, isClientError, learnErrorStatus } from "../../errors.js";

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
};

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
    const details = e instanceof BrookError ? e.details : undefined;
    return { ...details, error: e.message, code: e.code, status };
  }
  const status = (e as FastifyError)?.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    return { error: (e as Error).message, code: "BROOK_INVALID_REQUEST", status };
  }
  const problem: Problem = { error: "internal error", code: "BROOK_INTERNAL", status: 500 };
  if (requestId !== undefined) problem.request_id = requestId;
  return problem;
}
