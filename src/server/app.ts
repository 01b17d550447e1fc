import { createServer, STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import type { Config } from "../config/config.js";
import { brookError, clip } from "../errors.js";
import type { Backend } from "./backend.js";
import { AllowedMethods } from "./http/allowed-methods.js";
import { BodyReads } from "./http/body.js";
import { Dispatcher } from "./http/dispatcher.js";
import { registerRoutes, reply, routeOf } from "./http/fastify-routes.js";
import { Pipeline } from "./http/pipeline.js";
import { refusalReason, toProblem } from "./http/problem.js";
import { Readiness } from "./lifecycle.js";
import { noTelemetry, type Telemetry } from "./observability/telemetry.js";
import { compatRoutes } from "./routes/compat.js";
import { dashboardRoutes } from "./routes/dashboard.js";
import { docsRoutes } from "./routes/docs.js";
import { healthRoutes } from "./routes/health.js";
import { liveRoutes } from "./routes/live.js";
import { metricsRoutes } from "./routes/metrics.js";
import { modelRoutes } from "./routes/models.js";
import { oipRoutes } from "./routes/oip.js";
import type { AnyRoute, ErrorStyle } from "./routes/route.js";
import { Gate } from "./security/gate.js";
import { KeySource } from "./security/key-source.js";

export interface AppOptions {
  config: Config;
  backend: Backend;
  logger?: FastifyBaseLogger;
  /** Headers added to every response (e.g. which cluster worker answered). */
  headers?: Record<string, string>;
  /** Prefix of the request ids this process makes (e.g. the cluster worker's number). */
  requestIdPrefix?: string;
  /** What this process measures for Prometheus (nothing unless given). */
  telemetry?: Telemetry;
  /** Whether the server takes traffic (readiness probes). */
  readiness?: Readiness;
  /** The API keys (read from the configuration unless given); watched while the app is open. */
  keys?: KeySource;
}

/** What the route tables are built from, besides the backend and the configuration. */
export interface RouteContext {
  telemetry: Telemetry;
  readiness: Readiness;
}

/** Every route of the API, in one table. */
export function routeTable(
  backend: Backend,
  config: Config,
  { telemetry, readiness }: RouteContext = { telemetry: noTelemetry(), readiness: new Readiness() },
): AnyRoute[] {
  const table: AnyRoute[] = [
    ...compatRoutes(backend, config, telemetry),
    ...modelRoutes(backend, config, telemetry),
    ...liveRoutes(backend, config),
    ...oipRoutes(backend, config, telemetry, readiness),
    ...healthRoutes(backend, readiness),
    ...metricsRoutes(telemetry),
    ...dashboardRoutes(),
    ...docsRoutes(() => table),
  ];
  return table;
}

/** Paths under /v2 belong to the Open Inference Protocol, whose errors are `{"error": "..."}` even for unknown routes. */
function styleOf(url: string): ErrorStyle {
  return url === "/v2" || url.startsWith("/v2/") || url.startsWith("/v2?") ? "oip" : "problem";
}

/**
 * Builds the HTTP app (not listening yet) from the route table: the hot routes on the lean
 * dispatcher in front of Fastify (or on Fastify too, with `--http-dispatch fastify`, to
 * measure the difference), everything else on Fastify, all through one pipeline.
 */
export function buildApp({
  config,
  backend,
  logger,
  headers = {},
  requestIdPrefix = "",
  telemetry = noTelemetry(),
  readiness = new Readiness(),
  keys = KeySource.fromConfig(config, logger),
}: AppOptions): FastifyInstance {
  keys.watch();
  const gate = new Gate(keys, config, telemetry.http);
  const pipeline = new Pipeline(config, logger, headers, requestIdPrefix, telemetry.http, gate);
  const table = routeTable(backend, config, { telemetry, readiness });
  const routes = table.map((def) => pipeline.prepare(def));
  const allowed = new AllowedMethods(table);
  const lean = config.httpDispatch === "lean" ? routes.filter((r) => r.def.hot) : [];
  const bodies = new BodyReads(config.bodyLimit, config.bodyMemory, config.bodyTimeout * 1000);
  const dispatcher = new Dispatcher(lean, pipeline, bodies);
  const refused = (reason: string) => telemetry.http?.refused(reason);
  const app = Fastify({
    serverFactory: (handler) => {
      const headersTimeout = config.bodyTimeout * 1000;
      const server = createServer(
        {
          // Slow clients: headers must arrive within --body-timeout (checked this often); the
          // buffered bodies are timed by BodyReads, so that streams of examples may last.
          headersTimeout,
          requestTimeout: Math.max(300_000, headersTimeout),
          connectionsCheckingInterval: Math.min(30_000, Math.max(100, headersTimeout / 4)),
        },
        (req, res) => dispatcher.handle(req, res) || handler(req, res),
      );
      // Load generators and replays keep connections open for a long time.
      server.keepAliveTimeout = 72_000;
      server.maxConnections = config.maxConnections;
      server.on("drop", () => refused("max-connections"));
      return server;
    },
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    // The pipeline logs requests (at debug), the same way for both dispatchers.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimit,
    // The pipeline answers 503 while closing, with a problem body.
    return503OnClosing: false,
    // And so are the ones node:http raises on a malformed request (400, 408, 431).
    clientErrorHandler: (err, socket) => clientError(err as NodeJS.ErrnoException, socket, refused),
    // Errors Fastify raises before a route runs (a malformed URL) are problems like the rest.
    frameworkErrors: (err, request, res) =>
      reply(pipeline, pipeline.renderProblem(err, request.headers, request.method, request.url), res),
  });

  // Every body is read by the pipeline's reader, whatever its type: the routes decide what they take.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", (_request, payload, done) => bodies.read(payload, done));
  // A streamed body (a stream of examples) reaches its route unread: the route reads it line by line.
  for (const type of new Set(routes.flatMap((r) => (r.def.streamed ? [r.def.streamed.type] : [])))) {
    app.addContentTypeParser(type, (_request, payload, done) => done(null, payload));
  }

  app.setErrorHandler((err, request, res) => {
    const style = routeOf(request)?.def.errors ?? styleOf(request.url);
    return reply(
      pipeline,
      pipeline.renderProblem(err, request.headers, request.method, request.url, style),
      res,
    );
  });
  app.setNotFoundHandler((request, res) => {
    const path = request.url.split("?")[0];
    const methods = allowed.at(request.url);
    const err =
      methods.length > 0
        ? brookError(
            "METHOD_NOT_ALLOWED",
            `${clip(path ?? "", 200)} does not take ${request.method}: it takes ${methods.filter((m) => m !== "HEAD").join(", ")}`,
            { allow: methods },
          )
        : brookError("ROUTE_NOT_FOUND", `there is no route ${request.method} ${clip(path ?? "", 200)}`);
    const style = styleOf(request.url);
    return reply(
      pipeline,
      pipeline.renderProblem(err, request.headers, request.method, request.url, style),
      res,
    );
  });

  app.addHook("onRequest", async (request) => {
    (request as { started?: number }).started = pipeline.started();
  });
  app.addHook("onResponse", async (request, res) => {
    pipeline.finished(
      routeOf(request),
      request.headers,
      request.method,
      request.url,
      res.statusCode,
      (request as { started?: number }).started ?? 0,
    );
  });

  registerRoutes(
    app,
    pipeline,
    routes.filter((r) => !lean.includes(r)),
  );
  app.addHook("preClose", async () => pipeline.close());
  app.addHook("onClose", async () => {
    bodies.close();
    await backend.close();
  });
  return app;
}

/** Node's own refusals (bad syntax, headers too large, timeouts), as problem JSON on a closing connection. */
function clientError(err: NodeJS.ErrnoException, socket: Duplex, refused: (reason: string) => void): void {
  if (!socket.writable || err.code === "ECONNRESET") {
    socket.destroy();
    return;
  }
  const error =
    err.code === "HPE_HEADER_OVERFLOW"
      ? brookError("HEADERS_TOO_LARGE", "the request headers are larger than the server accepts")
      : err.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? brookError("REQUEST_TIMEOUT", "the request took too long to arrive")
        : brookError("INVALID_REQUEST", "the request is not valid HTTP");
  const reason = refusalReason(error);
  if (reason !== undefined) refused(reason);
  const problem = toProblem(error);
  const body = JSON.stringify(problem);
  socket.end(
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\ncontent-type: application/problem+json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
