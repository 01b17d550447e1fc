import type { FastifyInstance } from "fastify";
import { pino } from "pino";
import type { Config } from "../config/config.js";
import { buildApp } from "../server/app.js";
import { FileStorage } from "../store/file/storage.js";
import { MemoryStorage } from "../store/memory/memory-storage.js";
import type { Storage } from "../store/ports.js";
import { type Backend, LocalBackend } from "./backend.js";
import { Engine, type EngineOptions } from "./engine.js";

/** The name of the model created on first start from the configured spec. */
export const DEFAULT_MODEL = "default";

export interface Brook {
  app: FastifyInstance;
  backend: Backend;
  /** The address the server listens on, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** Graceful shutdown: stop accepting requests, drain, checkpoint, close the logs. */
  close(): Promise<void>;
}

export function storageFor(config: Config): Storage {
  if (config.store === "memory") return new MemoryStorage();
  return new FileStorage(config.dataDir, {
    fsync: config.fsync,
    fsyncIntervalMs: config.fsyncIntervalMs,
    segmentBytes: config.segmentBytes,
  });
}

export function engineOptions(config: Config, logger?: EngineOptions["logger"]): EngineOptions {
  return {
    defaultModel: { name: DEFAULT_MODEL, spec: config.model, metrics: config.metrics },
    checkpointEvery: config.checkpointEvery,
    checkpointIntervalMs: config.checkpointInterval * 1000,
    checkpointKeep: config.checkpointKeep,
    pendingTtlMs: config.pendingTtl * 1000,
    pendingCapacity: config.pendingCapacity,
    eventIdCapacity: config.eventIdCapacity,
    logger,
  };
}

export function makeLogger(config: Config) {
  return pino({ level: config.logLevel });
}

/** Listens with `app` and returns the URL clients use. */
export async function listen(app: FastifyInstance, config: Config): Promise<string> {
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/**
 * Brook in one process (`--workers 1`): opens the storage, recovers every model, builds the
 * app, and listens. (With more workers, `brook serve` runs the cluster: see cluster/.)
 */
export async function startBrook(config: Config, storage: Storage = storageFor(config)): Promise<Brook> {
  const logger = makeLogger(config);
  const engine = await Engine.open(storage, engineOptions(config, logger));
  const backend = new LocalBackend(engine);
  const app = buildApp({ config, backend, logger });
  let url: string;
  try {
    url = await listen(app, config);
  } catch (err) {
    await app.close();
    throw err;
  }
  return { app, backend, url, close: () => app.close() };
}
