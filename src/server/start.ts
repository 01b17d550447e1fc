/**
 * Brook's HTTP server in a process: alone with its models (`--workers 1`), or as a cluster
 * worker serving replicas of the primary's models.
 */
import cluster from "node:cluster";
import { setTimeout as sleep } from "node:timers/promises";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { Config } from "../config/config.js";
import { clusterScraper } from "../runtime/cluster/metrics-aggregation.js";
import { connectWorker } from "../runtime/cluster/worker.js";
import type { Engine } from "../runtime/engine.js";
import { LocalBackend } from "../runtime/local-backend.js";
import { makeLogger } from "../runtime/logger.js";
import { registerWriterMetrics } from "../runtime/observability/writer-metrics.js";
import { openEngine, storageFor } from "../runtime/open.js";
import { RedisBackend } from "../runtime/redis/backend.js";
import { registerNodeMetrics } from "../runtime/redis/metrics.js";
import type { RedisNode } from "../runtime/redis/node.js";
import { startNode } from "../runtime/redis/open.js";
import { startFailure } from "../runtime/start-failure.js";
import type { Storage } from "../store/ports.js";
import { buildApp } from "./app.js";
import type { Backend } from "./backend.js";
import { Readiness } from "./lifecycle.js";
import { makeTelemetry } from "./observability/telemetry.js";
import { KeySource } from "./security/key-source.js";

export interface Brook {
  app: FastifyInstance;
  backend: Backend;
  /** Every model with its writer. */
  engine: Engine;
  /** The address the server listens on, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /**
   * Graceful shutdown: readiness false first (for `--shutdown-delay-ms`, while requests are
   * still served), then stop accepting requests, drain, checkpoint, close the logs.
   */
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
 * Readiness false, the configured delay, then the app closes (new requests get 503, the ones in
 * flight finish, then the models checkpoint) within a bound: connections still open after the
 * drain timeout (a client that never finishes its body) are cut, so a shutdown never waits forever.
 */
async function stopServing(app: FastifyInstance, readiness: Readiness, config: Config): Promise<void> {
  readiness.stop();
  if (config.shutdownDelayMs > 0) await sleep(config.shutdownDelayMs);
  const timer = setTimeout(() => app.server.closeAllConnections(), config.drainTimeout * 1000);
  timer.unref();
  try {
    await app.close();
  } finally {
    clearTimeout(timer);
  }
}

/** Listens, or closes the app (its models and streams) when the address cannot be had. */
async function listenOrClose(app: FastifyInstance, config: Config): Promise<string> {
  try {
    return await listen(app, config);
  } catch (err) {
    await app.close();
    throw err;
  }
}

/** Whether `backend` serves model `name`. */
function serves(backend: Backend, name: string): boolean {
  try {
    backend.model(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Brook in one process (`--workers 1`): opens the storage, recovers every model, builds the
 * app, and listens. (With more workers, `brook serve` runs the cluster: see runtime/cluster/.)
 */
export async function startBrook(
  config: Config,
  storage: Storage = storageFor(config),
  logger: Logger = makeLogger(config),
): Promise<Brook> {
  // Read before anything opens: a bad keys file stops the start with nothing to undo.
  const keys = KeySource.fromConfig(config, logger);
  const engine = await openEngine(config, logger, storage);
  const backend: Backend = new LocalBackend(engine);
  const telemetry = makeTelemetry(config, (name) => serves(backend, name), {
    extend: (registry) => registerWriterMetrics(registry, engine),
  });
  const readiness = new Readiness();
  const app = buildApp({ config, backend, logger, telemetry, readiness, keys });
  const url = await listenOrClose(app, config);
  // Who holds the data folder, where: the LOCK file names it to a second server (and to people).
  await engine.setAddress(url).catch(() => undefined);
  return { app, backend, engine, url, close: () => stopServing(app, readiness, config) };
}

/** A cluster worker: gets every model from the primary, then serves its replicas. */
export async function startWorker(config: Config, log: Logger): Promise<void> {
  let app: FastifyInstance | undefined;
  let closing = false;
  const readiness = new Readiness();
  const keys = KeySource.fromConfig(config, log);
  const { backend, listening, failed } = await connectWorker(() => {
    if (closing) return;
    closing = true;
    void (app ? stopServing(app, readiness, config) : Promise.resolve()).then(() => process.exit(0));
  });
  const id = String(backend.workerId);
  const logger = log.child({ worker: backend.workerId });
  backend.onError = (err, model) =>
    logger.error({ err, model }, "replica dropped, asking the writer for its state");
  const telemetry = makeTelemetry(config, (name) => serves(backend, name), {
    scrape: (registry) => clusterScraper(registry),
  });
  app = buildApp({
    config,
    backend,
    logger,
    headers: { "x-brook-worker": id },
    requestIdPrefix: `w${id}-`,
    telemetry,
    readiness,
    keys,
  });
  let url: string;
  try {
    url = await listen(app, config);
  } catch (err) {
    // The primary says why, once, and stops the cluster: a worker that cannot bind is not restarted.
    failed(startFailure(err, config));
    return;
  }
  // A worker holds no state of its own: an error that escaped a request is logged, and the
  // worker goes on serving (the request it belonged to already got its 500).
  process.on("uncaughtException", (err) => logger.error({ err }, "uncaught error"));
  process.on("unhandledRejection", (err) => logger.error({ err }, "unhandled rejection"));
  listening(url);
}

/** A Redis node serving HTTP (`--store redis://...`). */
export interface RedisBrook {
  app: FastifyInstance;
  backend: RedisBackend;
  node: RedisNode;
  url: string;
  /** Readiness false, drain, then the node checkpoints what it holds the lease of and lets its leases go. */
  close(): Promise<void>;
}

/**
 * A Redis node in this process: connects, loads and follows every model, builds the app, and
 * listens. In a `--workers N` worker, each worker is a node of its own and scrapes are
 * answered for all of them through the primary.
 */
export async function startRedisBrook(
  config: Config,
  logger: Logger = makeLogger(config),
): Promise<RedisBrook> {
  const worker = cluster.isWorker ? cluster.worker?.id : undefined;
  const log = worker === undefined ? logger : logger.child({ worker });
  const keys = KeySource.fromConfig(config, log);
  const node = await startNode(config, log);
  const backend = new RedisBackend(node, config.eventBuffer);
  const telemetry = makeTelemetry(config, (name) => serves(backend, name), {
    extend: (registry) => registerNodeMetrics(registry, node),
    ...(worker !== undefined && { scrape: (registry) => clusterScraper(registry) }),
  });
  const readiness = new Readiness();
  const headers: Record<string, string> = { "x-brook-node": node.id };
  if (worker !== undefined) headers["x-brook-worker"] = String(worker);
  const app = buildApp({
    config,
    backend,
    logger: log,
    headers,
    ...(worker !== undefined && { requestIdPrefix: `w${worker}-` }),
    telemetry,
    readiness,
    keys,
  });
  const url = await listenOrClose(app, config);
  return { app, backend, node, url, close: () => stopServing(app, readiness, config) };
}
