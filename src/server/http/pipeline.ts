/**
 * The one HTTP pipeline every route goes through, however it is served: refusals before the
 * body is read (shutting down, not JSON, too large), the body parsed with its key order and
 * checked against the route's schema, the handler, the answer's bytes, problem bodies for
 * every failure, and request logs. The lean dispatcher and the Fastify routes both call these
 * steps, in the same order, so a route answers the same whichever serves it.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { FastifyBaseLogger } from "fastify";
import { parseOrderedJson } from "../../codec/ordered-json.js";
import type { Config } from "../../config/config.js";
import { type BrookError, brookError } from "../../errors.js";
import type { Answer, AnyRoute, StreamAnswer } from "../routes/route.js";
import { type BodyCheck, compileCheck } from "../validation/schema-check.js";
import { declaredTooLarge, isJson, tooLarge } from "./body.js";
import { toProblem } from "./problem.js";

/** A route with what the pipeline compiled for it. */
export interface PreparedRoute {
  def: AnyRoute;
  check: BodyCheck | undefined;
}

/** An answer as bytes on the wire. */
export interface Rendered {
  status: number;
  type: string | undefined;
  payload: string;
  /** Close the connection after it (the rest of a refused body is not read). */
  close?: boolean;
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

  constructor(
    private readonly config: Config,
    private readonly log: FastifyBaseLogger | undefined,
    /** Added to every response (e.g. which cluster worker answered). */
    readonly headers: Readonly<Record<string, string>>,
    private readonly idPrefix = "",
  ) {
    this.debug =
      (log as { isLevelEnabled?(level: string): boolean } | undefined)?.isLevelEnabled?.("debug") ?? false;
  }

  prepare(def: AnyRoute): PreparedRoute {
    return { def, check: def.body ? compileCheck(def.body) : undefined };
  }

  /** From now on, every request is answered 503 (the server is shutting down); open streams end. */
  close(): void {
    this.closing = true;
    for (const res of this.streams) res.end();
  }

  /** The request's id: the client's `X-Request-Id` when it is a sane one, else this process's next. */
  requestId(headers: IncomingHttpHeaders): string {
    const given = headers["x-request-id"];
    if (typeof given === "string" && CLIENT_REQUEST_ID.test(given)) return given;
    return `${this.idPrefix}${(++this.counter).toString(36)}`;
  }

  /** Refusals before the body is read; `undefined` when the request may go on. */
  admit(route: PreparedRoute, headers: IncomingHttpHeaders): BrookError | undefined {
    if (this.closing) return brookError("UNAVAILABLE", "the server is shutting down");
    if (route.def.body === undefined) return undefined;
    if (!isJson(headers["content-type"])) {
      return brookError(
        "UNSUPPORTED_MEDIA_TYPE",
        "send the body as JSON with the header Content-Type: application/json",
      );
    }
    if (declaredTooLarge(headers, this.config.bodyLimit)) return tooLarge();
    return undefined;
  }

  /** Parses and checks the body (routes that take one), then runs the handler. Throws problems. */
  execute(
    route: PreparedRoute,
    text: string | undefined,
    params: Record<string, string>,
    headers: IncomingHttpHeaders,
    query: Record<string, string> = {},
  ): Answer | Promise<Answer> {
    let body: unknown;
    if (route.check) {
      if (!text) throw brookError("INVALID_JSON", "the request body is empty: send a JSON object");
      body = parseOrderedJson(text);
      route.check(body);
    }
    return route.def.handle({ params, query, body: body as never, headers });
  }

  render(answer: Exclude<Answer, StreamAnswer>): Rendered {
    const status = answer.status ?? 200;
    if ("json" in answer) return { status, type: JSON_TYPE, payload: JSON.stringify(answer.json) };
    if ("text" in answer) return { status, type: TEXT_TYPE, payload: answer.text };
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
  startStream(answer: StreamAnswer, req: IncomingMessage, res: ServerResponse, started: number): void {
    const status = answer.status ?? 200;
    res.writeHead(status, { ...answer.headers, ...this.headers });
    this.streams.add(res);
    if (answer.lasting) this.lasting++;
    res.once("close", () => {
      this.streams.delete(res);
      if (answer.lasting) this.lasting--;
    });
    this.logged(req.headers, req.method ?? "GET", req.url ?? "", status, started);
    answer.stream(res, req);
  }

  /** The problem answer for `err`; server errors are logged with the request's id, which the body gives. */
  renderProblem(err: unknown, headers: IncomingHttpHeaders, method: string, url: string): Rendered {
    let problem = toProblem(err);
    if (problem.status === 500) {
      const reqId = this.requestId(headers);
      problem = toProblem(err, reqId);
      this.log?.error({ err, reqId, method, url }, "request failed");
    }
    // A refused body is not read: close the connection rather than drain it.
    const close = (err as BrookError)?.code === "BROOK_BODY_TOO_LARGE" || this.closing;
    return { status: problem.status, type: PROBLEM_TYPE, payload: JSON.stringify(problem), close };
  }

  /** The time a request started, when request logs are on (0 otherwise: no clock read). */
  started(): number {
    return this.debug ? performance.now() : 0;
  }

  /** Logs a finished request at debug level (`--log-level debug`). */
  logged(headers: IncomingHttpHeaders, method: string, url: string, status: number, started: number): void {
    if (!this.debug) return;
    const ms = Math.round((performance.now() - started) * 1000) / 1000;
    this.log!.debug({ reqId: this.requestId(headers), method, url, status, ms }, "request");
  }
}
