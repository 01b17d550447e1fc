/**
 * Brook's HTTP server in a process: alone with its models (`--workers 1`), or as a cluster
 * worker serving replicas of the primary's models.
 */
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { Config } from "../config/config.js";
import { connectWorker } from "../runtime/cluster/worker.js";
import { LocalBackend } from "../runtime/local-backend.js";
import { makeLogger } from "../runtime/logger.js";
import { openEngine, storageFor } from "../runtime/open.js";
import type { Storage } from "../store/ports.js";
import { buildApp } from "./app.js";
import type { Backend } from "./backend.js";

export interface Brook {
  app: FastifyInstance;
  backend: Backend;
  /** The address the server listens on, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** Graceful shutdown: stop accepting requests, drain, checkpoint, close the logs. */
  close(): Promise<void>;
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
 * app, and listens. (With more workers, `brook serve` runs the cluster: see runtime/cluster/.)
 */
export async function startBrook(config: Config, storage: Storage = storageFor(config)): Promise<Brook> {
  const logger = makeLogger(config);
  const engine = await openEngine(config, logger, storage);
  const backend: Backend = new LocalBackend(engine);
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

/** A cluster worker: gets every model from the primary, then serves its replicas. */
export async function startWorker(config: Config, log: Logger): Promise<void> {
  let app: FastifyInstance | undefined;
  let closing = false;
  const { backend, listening } = await connectWorker(() => {
    if (closing) return;
    closing = true;
    void (app?.close() ?? Promise.resolve()).then(() => process.exit(0));
  });
  const id = String(backend.workerId);
  app = buildApp({
    config,
    backend,
    logger: log.child({ worker: backend.workerId }),
    headers: { "x-brook-worker": id },
    requestIdPrefix: `w${id}-`,
  });
  listening(await listen(app, config));
}
