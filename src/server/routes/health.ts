import type { FastifyInstance } from "fastify";
import type { Engine } from "../../runtime/engine.js";

/** Liveness (`/healthz`: the process answers) and readiness (`/readyz`: models are loaded). */
export function healthRoutes(engine: Engine) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get("/healthz", async () => ({ status: "ok" }));
    app.get("/readyz", async () => ({ status: "ready", models: engine.list().length }));
  };
}
