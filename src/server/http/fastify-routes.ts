/**
 * The table's routes registered in Fastify, each one going through the pipeline: Fastify
 * routes and reads the body (with the same reader as the lean dispatcher), the pipeline does
 * the rest, so the answers are the same as the dispatcher's.
 */
import type { Readable } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { queryOf } from "./dispatcher.js";
import type { Pipeline, PreparedRoute, Rendered } from "./pipeline.js";

/** The table's route a Fastify request was routed to (undefined: no route matched). */
export function routeOf(request: FastifyRequest): PreparedRoute | undefined {
  return (request.routeOptions?.config as { brook?: PreparedRoute } | undefined)?.brook;
}

/** Sends a rendered answer through Fastify. */
export function reply(pipeline: Pipeline, r: Rendered, res: FastifyReply) {
  res.code(r.status).headers(pipeline.headers);
  if (r.headers) res.headers(r.headers);
  if (r.type) res.type(r.type);
  if (r.close) res.header("connection", "close");
  return res.send(r.status === 204 ? undefined : r.payload);
}

export function registerRoutes(
  app: FastifyInstance,
  pipeline: Pipeline,
  routes: readonly PreparedRoute[],
): void {
  for (const route of routes) {
    app.route({
      method: route.def.method,
      url: route.def.path,
      // The app's hooks find the route here (metrics, error style).
      config: { brook: route },
      onRequest: async (request) => {
        const refusal = pipeline.admit(
          route,
          request.headers,
          request.raw.socket.remoteAddress,
          request.params as Record<string, string>,
        );
        if (refusal) throw refusal;
      },
      handler: async (request, res) => {
        const params = request.params as Record<string, string>;
        const query = queryOf(request.url);
        const answer = await (pipeline.streamed(route, request.headers)
          ? pipeline.executeStreamed(route, request.body as Readable, params, request.headers, query)
          : pipeline.execute(route, request.body as string | undefined, params, request.headers, query));
        if (!("stream" in answer)) return reply(pipeline, pipeline.render(answer), res);
        const refusal = pipeline.admitStream(answer);
        if (refusal) throw refusal;
        // The route writes the response itself from here on.
        res.hijack();
        pipeline.startStream(answer, request.raw, res.raw, pipeline.started(), route);
        return res;
      },
    });
  }
}
