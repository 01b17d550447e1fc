/** Opening the store and the engine a configuration describes (shared by every topology). */
import type { Config } from "../config/config.js";
import { DEFAULT_MODEL } from "../models/names.js";
import { FileStorage } from "../store/file/storage.js";
import { MemoryStorage } from "../store/memory/memory-storage.js";
import type { Storage } from "../store/ports.js";
import { Engine, type EngineOptions } from "./engine.js";
import { ObservedStorage } from "./observability/observed-storage.js";

/** The configured storage, seen by the metrics (log size, checkpoint durations). */
export function storageFor(config: Config): Storage {
  if (config.store === "memory") return new ObservedStorage(new MemoryStorage());
  return new ObservedStorage(
    new FileStorage(config.dataDir, {
      fsync: config.fsync,
      fsyncIntervalMs: config.fsyncIntervalMs,
      segmentBytes: config.segmentBytes,
    }),
  );
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
    history: { every: config.historyEvery, capacity: config.historyPoints },
    eventBuffer: config.eventBuffer,
    logger,
  };
}

/** Opens the configured storage and recovers every model in it. */
export function openEngine(config: Config, logger?: EngineOptions["logger"], storage = storageFor(config)) {
  return Engine.open(storage, engineOptions(config, logger));
}
