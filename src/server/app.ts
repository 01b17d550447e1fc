import { createServer } from "node:http";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import type { Config } from "../config/config.js";
import { brookError } from "../errors.js";
import type { Backend } from "../runtime/backend.js";
import { FastLane } from "./fast-lane.js";
import { parseJsonBody } from "./json-body.js";
import { sendProblem } from "./problem.js";
import { healthRoutes } from "./routes/health.js";
import { modelRoutes } from "./routes/models.js";
import { seedRoutes } from "./routes/seed.js";

export interface AppOptions {
  config: Config;
  backend: Backend;
  logger?: FastifyBaseLogger;
  /** Headers added to every response (e.g. which cluster worker answered). */
  headers?: Record<string, string>;
}

/**
 * Builds the HTTP app (not listening yet): the original routes, the `/v1` JSON API, health
 * checks, and one error handler that answers every failure with a problem body.
 */
export function buildApp({ config, backend, logger, headers = {} }: AppOptions): FastifyInstance {
  const lane = new FastLane(backend, config, logger, headers);
  const app = Fastify({
    // The hot routes skip the framework (see fast-lane.ts); everything else is Fastify's.
    serverFactory: (handler) => {
      const server = createServer((req, res) => lane.handle(req, res) || handler(req, res));
      // Load generators and replays keep connections open for a long time.
      server.keepAliveTimeout = 72_000;
      return server;
    },
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    // One log line per request is too much for a service answering thousands per second.
    logController: new LogController({
      disableRequestLogging: !["debug", "trace"].includes(config.logLevel),
    }),
    bodyLimit: config.bodyLimit,
    return503OnClosing: true,
  });

  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
    if (body === "") return done(brookError("INVALID_JSON", "the request body is empty: send a JSON object"));
    try {
      done(null, parseJsonBody(body as string));
    } catch (err) {
      done(err as Error);
    }
  });

  if (Object.keys(headers).length > 0) {
    app.addHook("onSend", async (_request, reply) => {
      reply.headers(headers);
    });
  }

  app.setErrorHandler((err, request, reply) => sendProblem(err, request, reply));
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      brookError("ROUTE_NOT_FOUND", `there is no route ${request.method} ${request.url.split("?")[0]}`),
      request,
      reply,
    ),
  );

  app.register(seedRoutes(backend, config));
  app.register(modelRoutes(backend, config), { prefix: "/v1/models" });
  app.register(healthRoutes(backend));
  app.addHook("preClose", async () => lane.close());
  app.addHook("onClose", async () => backend.close());
  return app;
}
