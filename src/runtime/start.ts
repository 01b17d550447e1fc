import type { FastifyInstance } from "fastify";
import type { Config } from "../config/config.js";
import { ModelHost } from "../models/model-host.js";
import { ModelRegistry } from "../models/registry.js";
import { buildApp } from "../server/app.js";
import { type Engine, MemoryEngine } from "./engine.js";

/** The name of the model created at start from the configured spec. */
export const DEFAULT_MODEL = "default";

export interface Brook {
  app: FastifyInstance;
  engine: Engine;
  /** The address the server listens on, e.g. `http://127.0.0.1:8080`. */
  url: string;
  close(): Promise<void>;
}

/** Creates the engine with the default model and builds the app (not listening). */
export function createBrook(config: Config): { app: FastifyInstance; engine: Engine } {
  const registry = new ModelRegistry();
  registry.add(new ModelHost(DEFAULT_MODEL, config.model, config.metrics));
  const engine = new MemoryEngine(registry);
  return { app: buildApp({ config, engine }), engine };
}

/** Starts Brook and listens on the configured host and port. */
export async function startBrook(config: Config): Promise<Brook> {
  const { app, engine } = createBrook(config);
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
  return {
    app,
    engine,
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    close: () => app.close(),
  };
}
