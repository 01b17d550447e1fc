/**
 * A route, defined once: method, path, schemas and handler. Everything else is derived from
 * this table: the lean dispatcher and the Fastify routes that serve it, body validation,
 * problem bodies, request logs, the API documentation.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import type { Static, TSchema } from "@sinclair/typebox";

export type Method = "GET" | "POST" | "PUT" | "DELETE";

/**
 * Who may call a route: anyone (`public`), or a client allowed to predict, to learn, or to
 * administer models.
 */
export type Scope = "public" | "predict" | "learn" | "admin";

/**
 * A response that stays open (server-sent events, static files): the pipeline admits it
 * (`--max-streams` counts the ones that stay open), writes the status and headers, then
 * hands the raw response over to `stream`, which writes until it ends it or the client goes.
 * The pipeline ends every open stream when the server shuts down.
 */
export interface StreamAnswer {
  status?: number;
  headers: Record<string, string>;
  /** Counted against `--max-streams` (a long-lived stream; a file is not). */
  lasting: boolean;
  stream(res: ServerResponse, req: IncomingMessage): void;
}

/**
 * What a handler answers: JSON, text (as the original app did), a page or exposition of its
 * own type, nothing, or a stream of its own.
 */
export type Answer =
  | { status?: number; json: unknown; headers?: Record<string, string> }
  | { status?: number; text: string; headers?: Record<string, string> }
  | { status?: number; body: string; type: string }
  | { status: 204; empty: true }
  | StreamAnswer;

/**
 * How a route's failures are shown: Brook's problem JSON (the default), or the Open Inference
 * Protocol's `{"error": "..."}` (the code then travels in the `x-brook-error-code` header).
 */
export type ErrorStyle = "problem" | "oip";

/**
 * Who is calling, as the pipeline admitted them: an API key's id (or `local`, `anonymous`
 * without keys) and the models it may touch (undefined: every model). Routes that list
 * models show only those.
 */
export interface Caller {
  readonly id: string;
  readonly models: ReadonlySet<string> | undefined;
}

/** What a handler gets: path parameters, the query string, the checked body, the request's headers, the caller. */
export interface RouteRequest<Body> {
  params: Record<string, string>;
  /** Query parameters (checked against the route's `query` schema; values are strings). */
  query: Record<string, string>;
  body: Body;
  headers: IncomingHttpHeaders;
  caller: Caller;
}

export interface RouteDef<S extends TSchema | undefined = TSchema | undefined> {
  method: Method;
  /** With `:name` parameters, as Fastify writes them. */
  path: string;
  /** One line for the documentation. */
  summary: string;
  /** The documentation's group. */
  tag: string;
  scope: Scope;
  /**
   * The model a route without a `:name` parameter touches (the original routes serve
   * `default`): what a key limited to some models is checked against.
   */
  model?: string;
  /**
   * Served by the lean dispatcher in front of Fastify: the routes whose throughput is the
   * product (predict and learn). The answers are the same either way; see app.ts.
   */
  hot?: boolean;
  /** The request body's schema; a route without one takes no body. */
  body?: S;
  /** The query string's schema (an object of string values); a route without one ignores the query. */
  query?: TSchema;
  /**
   * A body of another media type that the route reads as a stream instead of a JSON document
   * (e.g. `application/x-ndjson`: a stream of examples of any length, never held in memory).
   */
  streamed?: StreamedBody;
  /** The success answer's status (200 unless said), schema and media type (JSON unless said), for the documentation. */
  response?: {
    status?: number;
    /** Other success statuses with the same answer (e.g. 200 next to a 201). */
    otherStatuses?: number[];
    schema?: TSchema;
    description?: string;
    type?: string;
  };
  /** How failures are shown (Brook's problem JSON unless said). */
  errors?: ErrorStyle;
  handle(request: RouteRequest<S extends TSchema ? Static<S> : undefined>): Answer | Promise<Answer>;
}

/** Defines a route (the identity, typed: the handler's body is the schema's type). */
export function route<S extends TSchema | undefined = undefined>(def: RouteDef<S>): RouteDef<S> {
  return def;
}

/** A route's streamed body: its media type, what one line may hold, and the handler that reads it. */
export interface StreamedBody {
  type: string;
  /** The schema of one line (documentation, and the structural check of every line). */
  line: TSchema;
  handle(request: RouteRequest<Readable>): Answer | Promise<Answer>;
}

/** Any route, for tables. */
export type AnyRoute = RouteDef<TSchema | undefined>;
