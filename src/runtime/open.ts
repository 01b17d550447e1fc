/** Opening the store and the engine a configuration describes (shared by every topology). */
import type { Config } from "../config/config.js";
import { DEFAULT_MODEL } from "../models/names.js";
import { FileStorage } from "../store/file/storage.js";
import { MemoryStorage } from "../store/memory/memory-storage.js";
import type { Storage } from "../store/ports.js";
import { Engine, type EngineOptions } from "./engine.js";

export function storageFor(config: Config, logger?: EngineOptions["logger"]): Storage {
  if (config.store === "memory") return new MemoryStorage();
  return new FileStorage(config.dataDir, {
    fsync: config.fsync,
    fsyncIntervalMs: config.fsyncIntervalMs,
    segmentBytes: config.segmentBytes,
    maxOpenLogs: config.maxOpenLogs,
    retryMs: config.diskRetryMs,
    logger,
  });
}

/** The address clients will use, when the configuration fixes it (port 0 is only known once listening). */
export function configuredAddress(config: Config): string | undefined {
  if (config.port === 0) return undefined;
  const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
  return `http://${host.includes(":") ? `[${host}]` : host}:${config.port}`;
}

export function engineOptions(config: Config, logger?: EngineOptions["logger"]): EngineOptions {
  const address = configuredAddress(config);
  return {
    defaultModel: { name: DEFAULT_MODEL, spec: config.model, metrics: config.metrics },
    ...(address !== undefined && { address }),
    checkpointEvery: config.checkpointEvery,
    checkpointIntervalMs: config.checkpointInterval * 1000,
    checkpointKeep: config.checkpointKeep,
    retain: config.retain,
    pendingTtlMs: config.pendingTtl * 1000,
    pendingCapacity: config.pendingCapacity,
    eventIdCapacity: config.eventIdCapacity,
    history: { every: config.historyEvery, capacity: config.historyPoints },
    eventBuffer: config.eventBuffer,
    maxModelFeatures: config.maxModelFeatures,
    maxModels: config.maxModels,
    maxForecastOrder: config.maxForecastOrder,
    logger,
  };
}

/** Opens the configured storage and recovers every model in it. */
export function openEngine(
  config: Config,
  logger?: EngineOptions["logger"],
  storage = storageFor(config, logger),
) {
  return Engine.open(storage, engineOptions(config, logger));
}
