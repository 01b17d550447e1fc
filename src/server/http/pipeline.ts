/**
 * The one HTTP pipeline every route goes through, however it is served: refusals before the
 * body is read (shutting down, not JSON, too large), the body parsed with its key order and
 * checked against the route's schema, the handler, the answer's bytes, problem bodies for
 * every failure, and request logs. The lean dispatcher and the Fastify routes both call these
 * steps, in the same order, so a route answers the same whichever serves it.
 */

import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import type { FastifyBaseLogger } from "fastify";
import { parseOrderedJson } from "../../codec/ordered-json.js";
import type { Config } from "../../config/config.js";
import { type BrookError, brookError } from "../../errors.js";
import type { HttpMetrics, RouteStats } from "../observability/http-metrics.js";
import type { Answer, AnyRoute, Caller, ErrorStyle, StreamAnswer } from "../routes/route.js";
import { ANYONE, Gate } from "../security/gate.js";
import { type BodyCheck, compileCheck } from "../validation/schema-check.js";
import { declaredTooLarge, isJson, tooLarge } from "./body.js";
import { refusalReason, toProblem } from "./problem.js";

/** Refusals whose body is left unread (too large, too slow, no room for it): the connection closes. */
const CLOSING_CODES = new Set(["BROOK_BODY_TOO_LARGE", "BROOK_REQUEST_TIMEOUT", "BROOK_OVERLOADED"]);

/** A route with what the pipeline compiled for it. */
export interface PreparedRoute {
  def: AnyRoute;
  check: BodyCheck | undefined;
  queryCheck: BodyCheck | undefined;
  /** Its request counts and latencies (metrics on). */
  stats: RouteStats | undefined;
}

/** `/v1/models/:name` → `/v1/models/{name}`: the path template as the documentation and metrics write it. */
export function pathTemplate(path: string): string {
  return path.replace(/:(\w+)/g, "{$1}");
}

/** Where a request's id is kept once made, on the request's own headers object (one id per request). */
const REQUEST_ID: unique symbol = Symbol("brook.requestId");
/** Where the caller the gate admitted is kept, on the request's own headers object, for the handler. */
const CALLER: unique symbol = Symbol("brook.caller");

function callerOf(headers: IncomingHttpHeaders): Caller {
  return (headers as { [CALLER]?: Caller })[CALLER] ?? ANYONE;
}

/** An answer as bytes on the wire. */
export interface Rendered {
  status: number;
  type: string | undefined;
  payload: string;
  /** Close the connection after it (the rest of a refused body is not read). */
  close?: boolean;
  /** Headers of this answer only (e.g. `Allow` on a 405). */
  headers?: Record<string, string>;
}

const JSON_TYPE = "application/json; charset=utf-8";
const TEXT_TYPE = "text/plain; charset=utf-8";
const PROBLEM_TYPE = "application/problem+json; charset=utf-8";

/** What a client may send as its own request id (`X-Request-Id`): short and printable. */
const CLIENT_REQUEST_ID = /^[\w.:-]{1,64}$/;

export class Pipeline {
  private closing = false;
  /** Responses handed to their route's stream and still open (ended at shutdown). */
  private readonly streams = new Set<ServerResponse>();
  private lasting = 0;
  private counter = 0;
  private readonly debug: boolean;
  /** Whether a request's start is timed (request logs or metrics). */
  private readonly timed: boolean;

  constructor(
    private readonly config: Config,
    private readonly log: FastifyBaseLogger | undefined,
    /** Added to every response (e.g. which cluster worker answered). */
    readonly headers: Readonly<Record<string, string>>,
    private readonly idPrefix = "",
    private readonly metrics: HttpMetrics | undefined = undefined,
    /** Who may call what (API keys, protected mode, learn rate); without one, protected mode. */
    readonly gate: Gate = Gate.protectedMode(config),
  ) {
    this.debug =
      (log as { isLevelEnabled?(level: string): boolean } | undefined)?.isLevelEnabled?.("debug") ?? false;
    this.timed = this.debug || metrics !== undefined;
  }

  prepare(def: AnyRoute): PreparedRoute {
    return {
      def,
      check: def.body ? compileCheck(def.body) : undefined,
      queryCheck: def.query ? compileCheck(def.query) : undefined,
      stats: this.metrics?.route(def.method, pathTemplate(def.path)),
    };
  }

  /** From now on, every request is answered 503 (the server is shutting down); open streams end. */
  close(): void {
    this.closing = true;
    this.gate.close();
    for (const res of this.streams) res.end();
  }

  /**
   * The request's id: the client's `X-Request-Id` when it is a sane one, else this process's
   * next. Made once per request (kept on its headers object), so every line logged about a
   * request and its problem body carry the same id.
   */
  requestId(headers: IncomingHttpHeaders): string {
    const kept = (headers as { [REQUEST_ID]?: string })[REQUEST_ID];
    if (kept !== undefined) return kept;
    const given = headers["x-request-id"];
    const id =
      typeof given === "string" && CLIENT_REQUEST_ID.test(given)
        ? given
        : `${this.idPrefix}${(++this.counter).toString(36)}`;
    (headers as { [REQUEST_ID]?: string })[REQUEST_ID] = id;
    return id;
  }

  /**
   * Refusals before the body is read; `undefined` when the request may go on. `remote` is the
   * socket's address (protected mode trusts loopback), `params` the path's (the model a key
   * may be limited to).
   */
  admit(
    route: PreparedRoute,
    headers: IncomingHttpHeaders,
    remote: string | undefined,
    params: Record<string, string | undefined>,
  ): BrookError | undefined {
    if (this.closing) return brookError("UNAVAILABLE", "the server is shutting down");
    const caller = this.gate.admit(route.def.scope, headers, remote, params.name ?? route.def.model);
    if (caller instanceof Error) return caller;
    (headers as { [CALLER]?: Caller })[CALLER] = caller;
    if (route.def.body === undefined) return undefined;
    if (this.streamed(route, headers)) return undefined; // read line by line, bounded per line
    if (!isJson(headers["content-type"])) {
      const also = route.def.streamed ? ` (or ${route.def.streamed.type}, one JSON object per line)` : "";
      return brookError(
        "UNSUPPORTED_MEDIA_TYPE",
        `send the body as JSON with the header Content-Type: application/json${also}`,
      );
    }
    if (declaredTooLarge(headers, this.config.bodyLimit)) return tooLarge();
    return undefined;
  }

  /** Whether the request's body is the route's streamed media type (read by the handler, not buffered). */
  streamed(route: PreparedRoute, headers: IncomingHttpHeaders): boolean {
    const type = route.def.streamed?.type;
    if (type === undefined) return false;
    const given = headers["content-type"];
    return given !== undefined && given.split(";")[0]!.trim().toLowerCase() === type;
  }

  /** Runs a streamed-body route's handler on the request stream itself. */
  executeStreamed(
    route: PreparedRoute,
    body: Readable,
    params: Record<string, string>,
    headers: IncomingHttpHeaders,
    query: Record<string, string> = {},
  ): Answer | Promise<Answer> {
    route.queryCheck?.(query);
    return route.def.streamed!.handle({ params, query, body, headers, caller: callerOf(headers) });
  }

  /** Parses and checks the body (routes that take one), then runs the handler. Throws problems. */
  execute(
    route: PreparedRoute,
    text: string | undefined,
    params: Record<string, string>,
    headers: IncomingHttpHeaders,
    query: Record<string, string> = {},
  ): Answer | Promise<Answer> {
    route.queryCheck?.(query);
    let body: unknown;
    if (route.check) {
      if (!text) throw brookError("INVALID_JSON", "the request body is empty: send a JSON object");
      body = parseOrderedJson(text, this.config.maxDepth);
      route.check(body);
    }
    return route.def.handle({ params, query, body: body as never, headers, caller: callerOf(headers) });
  }

  render(answer: Exclude<Answer, StreamAnswer>): Rendered {
    const status = answer.status ?? 200;
    if ("json" in answer) {
      const r: Rendered = { status, type: JSON_TYPE, payload: JSON.stringify(answer.json) };
      if (answer.headers) r.headers = answer.headers;
      return r;
    }
    if ("text" in answer) {
      const r: Rendered = { status, type: TEXT_TYPE, payload: answer.text };
      if (answer.headers) r.headers = answer.headers;
      return r;
    }
    if ("body" in answer) return { status, type: answer.type, payload: answer.body };
    return { status, type: undefined, payload: "" };
  }

  /** Refuses a lasting stream when `--max-streams` are open already. */
  admitStream(answer: StreamAnswer): BrookError | undefined {
    if (this.closing) return brookError("UNAVAILABLE", "the server is shutting down");
    if (answer.lasting && this.lasting >= this.config.maxStreams) {
      return brookError(
        "TOO_MANY_STREAMS",
        `this server process has ${this.lasting} event streams open, its limit (--max-streams ${this.config.maxStreams}); try again later or on another worker`,
        { limit: this.config.maxStreams },
      );
    }
    return undefined;
  }

  /** Writes a stream's head and hands the response to it (after {@link admitStream}). */
  startStream(
    answer: StreamAnswer,
    req: IncomingMessage,
    res: ServerResponse,
    started: number,
    route?: PreparedRoute,
  ): void {
    const status = answer.status ?? 200;
    res.writeHead(status, { ...answer.headers, ...this.headers });
    this.streams.add(res);
    if (answer.lasting) this.lasting++;
    res.once("close", () => {
      this.streams.delete(res);
      if (answer.lasting) this.lasting--;
    });
    this.finished(route, req.headers, req.method ?? "GET", req.url ?? "", status, started);
    answer.stream(res, req);
  }

  /**
   * The problem answer for `err`, in the route's error style; server errors are logged with
   * the request's id, which the body gives.
   */
  renderProblem(
    err: unknown,
    headers: IncomingHttpHeaders,
    method: string,
    url: string,
    style: ErrorStyle = "problem",
  ): Rendered {
    let problem = toProblem(err);
    const reason = this.metrics ? refusalReason(err) : undefined;
    if (reason !== undefined) this.metrics!.refused(reason);
    if (problem.status === 500) {
      const reqId = this.requestId(headers);
      problem = toProblem(err, reqId);
      this.log?.error({ err, reqId, method, url }, "request failed");
    }
    // A refused body is not read: close the connection rather than drain it.
    const close = CLOSING_CODES.has((err as BrookError)?.code) || this.closing;
    const allow = (err as BrookError)?.details?.allow;
    const extra: Record<string, string> = {};
    if (Array.isArray(allow)) extra.allow = allow.join(", ");
    if (problem.status === 401) extra["www-authenticate"] = 'Bearer realm="brook"';
    const retry = (err as BrookError)?.details?.retry_after;
    if (problem.status === 429 && typeof retry === "number") extra["retry-after"] = String(retry);
    if (style === "oip") {
      // The protocol's error body is {"error": "..."}; the code stays visible in a header.
      extra["x-brook-error-code"] = problem.code;
      const payload = JSON.stringify({ error: problem.error });
      return { status: problem.status, type: JSON_TYPE, payload, close, headers: extra };
    }
    const payload = JSON.stringify(problem);
    return { status: problem.status, type: PROBLEM_TYPE, payload, close, headers: extra };
  }

  /** The time a request started, when request logs or metrics are on (0 otherwise: no clock read). */
  started(): number {
    return this.timed ? performance.now() : 0;
  }

  /**
   * A request was answered: counted and timed under its route (or as unmatched) when metrics
   * are on, logged at debug level (`--log-level debug`) with its id. Both dispatchers end here.
   */
  finished(
    route: PreparedRoute | undefined,
    headers: IncomingHttpHeaders,
    method: string,
    url: string,
    status: number,
    started: number,
  ): void {
    if (!this.timed) return;
    const seconds = (performance.now() - started) / 1000;
    if (this.metrics) (route ? route.stats! : this.metrics.unmatched).observe(status, seconds);
    if (!this.debug) return;
    const ms = Math.round(seconds * 1e6) / 1000;
    // The key's id (never the key) names who asked; `local`/`anonymous` without keys.
    const key = (headers as { [CALLER]?: Caller })[CALLER]?.id;
    this.log!.debug({ reqId: this.requestId(headers), method, url, status, ms, key }, "request");
  }
}
