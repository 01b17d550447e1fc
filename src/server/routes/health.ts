/** Liveness (`/healthz`: the process answers) and readiness (`/readyz`: models are loaded). */
import { Type } from "@sinclair/typebox";
import type { Backend } from "../backend.js";
import { type AnyRoute, route } from "./route.js";

export function healthRoutes(backend: Backend): AnyRoute[] {
  return [
    route({
      method: "GET",
      path: "/healthz",
      summary: "Liveness: the process answers",
      tag: "health",
      scope: "public",
      response: { schema: Type.Object({ status: Type.Literal("ok") }) },
      handle: () => ({ json: { status: "ok" } }),
    }),
    route({
      method: "GET",
      path: "/readyz",
      summary: "Readiness: the models are loaded",
      tag: "health",
      scope: "public",
      response: { schema: Type.Object({ status: Type.Literal("ready"), models: Type.Integer() }) },
      handle: () => ({ json: { status: "ready", models: backend.modelCount() } }),
    }),
  ];
}
