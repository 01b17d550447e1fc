import type { FastifyInstance } from "fastify";
import type { Backend } from "../../runtime/backend.js";

/** Liveness (`/healthz`: the process answers) and readiness (`/readyz`: models are loaded). */
export function healthRoutes(backend: Backend) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get("/healthz", async () => ({ status: "ok" }));
    app.get("/readyz", async () => ({ status: "ready", models: backend.modelCount() }));
  };
}
