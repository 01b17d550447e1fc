/**
 * Watching models learn: the metric history, the live event streams (server-sent events) and
 * the largest weights of linear models.
 */
import { Type } from "@sinclair/typebox";
import type { Config } from "../../config/config.js";
import { brookError } from "../../errors.js";
import { linearWeights } from "../../models/weights.js";
import type { FeedEvent } from "../../runtime/events/feed-event.js";
import type { Backend } from "../backend.js";
import { streamFeed } from "../streams/feed-stream.js";
import { SSE_HEADERS, SseStream } from "../streams/sse.js";
import { type AnyRoute, type RouteRequest, route, type StreamAnswer } from "./route.js";

const MODEL = "/v1/models/:name";

/** A query parameter that must be an integer in [min, max] when given. */
function intParam(query: Record<string, string>, name: string, min: number, max: number, fallback: number) {
  const v = query[name];
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw brookError("INVALID_REQUEST", `${name} must be an integer from ${min} to ${max}, got "${v}"`, {
      path: name,
    });
  }
  return n;
}

/** A comma-separated list in the query, or `undefined` when absent. */
function listParam(query: Record<string, string>, name: string): Set<string> | undefined {
  const v = query[name];
  if (v === undefined || v.trim() === "") return undefined;
  return new Set(
    v
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== ""),
  );
}

/** The id a client resumes from: the Last-Event-ID header (EventSource sends it), or `?last_event_id=`. */
function lastEventId(req: RouteRequest<unknown>): string | undefined {
  const h = req.headers["last-event-id"];
  return (typeof h === "string" ? h : undefined) ?? req.query.last_event_id;
}

const FEED_TYPES = new Set([
  "learn",
  "drift",
  "checkpoint",
  "rollback",
  "import",
  "model-created",
  "model-deleted",
]);

/** The query of the routes here: documented and checked; values are strings (`intParam` reads numbers). */
const digits = (description: string) => Type.Optional(Type.String({ pattern: "^[0-9]{1,16}$", description }));
const resumeFrom = Type.Optional(
  Type.String({
    maxLength: 64,
    description: "resume after this event id (EventSource sends Last-Event-ID instead)",
  }),
);
const HistoryQuery = Type.Object(
  { since: digits("only points and marks after this version") },
  { additionalProperties: false },
);
const WeightsQuery = Type.Object(
  { k: digits("how many weights (1 to 10000, default 20)") },
  { additionalProperties: false },
);
const StreamQuery = Type.Object({ last_event_id: resumeFrom }, { additionalProperties: false });
const EventsQuery = Type.Object(
  {
    model: Type.Optional(Type.String({ description: "only these models (comma-separated)" })),
    types: Type.Optional(Type.String({ description: "only these event types (comma-separated)" })),
    last_event_id: resumeFrom,
  },
  { additionalProperties: false },
);
const SSE_RESPONSE = {
  type: "text/event-stream",
  description: "server-sent events (`id:`, `event:`, JSON `data:`), heartbeats as comments",
};

const Weight = Type.Union([Type.Number(), Type.Null()], { description: "null when not finite" });
const WeightsResponse = Type.Object(
  {
    model: Type.String(),
    version: Type.Integer(),
    kind: Type.String({ description: "the linear model's kind" }),
    intercept: Weight,
    features: Type.Integer({ minimum: 0, description: "how many weights the model has" }),
    top: Type.Array(Type.Object({ feature: Type.String(), weight: Weight }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

const Point = Type.Object({
  version: Type.Integer(),
  learned: Type.Integer(),
  at: Type.String(),
  metrics: Type.Record(Type.String(), Type.Union([Type.Number(), Type.Null()])),
});
const Mark = Type.Object({
  version: Type.Integer(),
  kind: Type.Union([Type.Literal("drift"), Type.Literal("rollback"), Type.Literal("import")]),
  at: Type.String(),
  restored: Type.Optional(Type.Integer()),
});

export function liveRoutes(backend: Backend, config: Config): AnyRoute[] {
  const heartbeatMs = config.streamHeartbeat * 1000;
  const sse = (start: (s: SseStream) => void): StreamAnswer => ({
    headers: SSE_HEADERS,
    lasting: true,
    stream: (res) => start(new SseStream(res, heartbeatMs)),
  });
  return [
    route({
      method: "GET",
      path: `${MODEL}/metrics/history`,
      query: HistoryQuery,
      summary:
        "The metric values every `every` versions (the resolution halves when the history is full), with drift, rollback and import marks",
      tag: "live",
      scope: "predict",
      response: {
        schema: Type.Object({
          model: Type.String(),
          version: Type.Integer(),
          every: Type.Integer(),
          points: Type.Array(Point),
          marks: Type.Array(Mark),
        }),
      },
      handle({ params, query }) {
        const model = backend.model(params.name!);
        const since = intParam(query, "since", 0, Number.MAX_SAFE_INTEGER, 0);
        return { json: { model: model.name, version: model.version, ...model.history.view(since) } };
      },
    }),
    route({
      method: "GET",
      path: `${MODEL}/weights`,
      query: WeightsQuery,
      response: { schema: WeightsResponse },
      summary: "The k largest weights (by absolute value) of a linear model, and its intercept",
      tag: "live",
      scope: "predict",
      handle({ params, query }) {
        const model = backend.model(params.name!);
        const k = intParam(query, "k", 1, 10_000, 20);
        const w = linearWeights(model, k);
        if (!w) {
          throw brookError(
            "INVALID_REQUEST",
            `model "${model.name}" (${model.estimator.kind}) is not a linear model: it has no weights to show`,
            { model: model.name },
          );
        }
        return { json: { model: model.name, version: model.version, ...w } };
      },
    }),
    route({
      method: "GET",
      path: `${MODEL}/stream`,
      summary:
        "Server-sent events of one model: its state, then its learns (about 10 a second, with metrics), drifts, checkpoints, rollbacks, imports",
      tag: "live",
      scope: "predict",
      query: StreamQuery,
      response: SSE_RESPONSE,
      handle(req) {
        const model = backend.model(req.params.name!);
        const name = model.name;
        return sse((s) =>
          streamFeed(s, backend.events, {
            filter: (e) => e.model === name,
            lastEventId: lastEventId(req),
            endsWith: (e) => e.type === "model-deleted",
            first: (send) =>
              send("state", {
                type: "state",
                model: name,
                version: model.version,
                seq: model.seq,
                learned: model.learned,
                predicted: model.predicted,
                metrics: model.metricValues(),
                at: new Date().toISOString(),
              }),
          }),
        );
      },
    }),
    route({
      method: "GET",
      path: "/v1/events",
      summary:
        "Server-sent events of every model: learns (coalesced per tick, with a count), drifts, checkpoints, rollbacks, imports, models created and deleted",
      tag: "live",
      scope: "predict",
      query: EventsQuery,
      response: SSE_RESPONSE,
      handle(req) {
        const asked = listParam(req.query, "model");
        // A key limited to some models hears only of those.
        const mine = req.caller.models;
        const models = mine ? new Set([...(asked ?? mine)].filter((m) => mine.has(m))) : asked;
        const types = listParam(req.query, "types");
        for (const t of types ?? []) {
          if (!FEED_TYPES.has(t)) {
            throw brookError(
              "INVALID_REQUEST",
              `types: unknown event type "${t}" (one of ${[...FEED_TYPES].join(", ")})`,
              { path: "types" },
            );
          }
        }
        const filter = (e: FeedEvent) => (!models || models.has(e.model)) && (!types || types.has(e.type));
        return sse((s) => streamFeed(s, backend.events, { filter, lastEventId: lastEventId(req) }));
      },
    }),
  ];
}
