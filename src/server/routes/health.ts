/**
 * Liveness (`/healthz`, `/livez`: the process answers) and readiness (`/readyz`: the models
 * are loaded and the server is not shutting down).
 */
import { Type } from "@sinclair/typebox";
import { brookError } from "../../errors.js";
import type { Backend } from "../backend.js";
import type { Readiness } from "../lifecycle.js";
import { type AnyRoute, route } from "./route.js";

const Live = Type.Object({ status: Type.Literal("ok") }, { additionalProperties: false });
const Ready = Type.Object(
  { status: Type.Literal("ready"), models: Type.Integer({ minimum: 0, description: "models served" }) },
  { additionalProperties: false },
);

export function healthRoutes(backend: Backend, readiness: Readiness): AnyRoute[] {
  const live = (path: string) =>
    route({
      method: "GET",
      path,
      summary: "Liveness: the process answers",
      tag: "health",
      scope: "public",
      response: { schema: Live },
      handle: () => ({ json: { status: "ok" } }),
    });
  return [
    live("/healthz"),
    live("/livez"),
    route({
      method: "GET",
      path: "/readyz",
      summary:
        "Readiness: the models are loaded and the server is not shutting down (503 BROOK_NOT_READY otherwise)",
      tag: "health",
      scope: "public",
      response: { schema: Ready },
      handle: async () => {
        const why = await readiness.notReady(backend);
        if (why) throw brookError("NOT_READY", why);
        return { json: { status: "ready", models: backend.modelCount() } };
      },
    }),
  ];
}
