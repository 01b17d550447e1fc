import { createServer } from "node:http";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import type { Config } from "../config/config.js";
import { brookError } from "../errors.js";
import type { Backend } from "./backend.js";
import { readBody } from "./http/body.js";
import { Dispatcher } from "./http/dispatcher.js";
import { registerRoutes, reply } from "./http/fastify-routes.js";
import { Pipeline } from "./http/pipeline.js";
import { compatRoutes } from "./routes/compat.js";
import { dashboardRoutes } from "./routes/dashboard.js";
import { healthRoutes } from "./routes/health.js";
import { liveRoutes } from "./routes/live.js";
import { modelRoutes } from "./routes/models.js";
import type { AnyRoute } from "./routes/route.js";

export interface AppOptions {
  config: Config;
  backend: Backend;
  logger?: FastifyBaseLogger;
  /** Headers added to every response (e.g. which cluster worker answered). */
  headers?: Record<string, string>;
  /** Prefix of the request ids this process makes (e.g. the cluster worker's number). */
  requestIdPrefix?: string;
}

/** Every route of the API, in one table. */
export function routeTable(backend: Backend, config: Config): AnyRoute[] {
  return [
    ...compatRoutes(backend, config),
    ...modelRoutes(backend, config),
    ...liveRoutes(backend, config),
    ...healthRoutes(backend),
    ...dashboardRoutes(),
  ];
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
}: AppOptions): FastifyInstance {
  const pipeline = new Pipeline(config, logger, headers, requestIdPrefix);
  const routes = routeTable(backend, config).map((def) => pipeline.prepare(def));
  const lean = config.httpDispatch === "lean" ? routes.filter((r) => r.def.hot) : [];
  const dispatcher = new Dispatcher(lean, pipeline, config.bodyLimit);
  const app = Fastify({
    serverFactory: (handler) => {
      const server = createServer((req, res) => dispatcher.handle(req, res) || handler(req, res));
      // Load generators and replays keep connections open for a long time.
      server.keepAliveTimeout = 72_000;
      return server;
    },
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    // The pipeline logs requests (at debug), the same way for both dispatchers.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimit,
    // The pipeline answers 503 while closing, with a problem body.
    return503OnClosing: false,
  });

  // Every body is read by the pipeline's reader, whatever its type: the routes decide what they take.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", (_request, payload, done) => readBody(payload, config.bodyLimit, done));

  app.setErrorHandler((err, request, res) =>
    reply(pipeline, pipeline.renderProblem(err, request.headers, request.method, request.url), res),
  );
  app.setNotFoundHandler((request, res) => {
    const err = brookError(
      "ROUTE_NOT_FOUND",
      `there is no route ${request.method} ${request.url.split("?")[0]}`,
    );
    return reply(pipeline, pipeline.renderProblem(err, request.headers, request.method, request.url), res);
  });

  app.addHook("onRequest", async (request) => {
    (request as { started?: number }).started = pipeline.started();
  });
  app.addHook("onResponse", async (request, res) => {
    pipeline.logged(
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
  app.addHook("onClose", async () => backend.close());
  return app;
}
