/**
 * The one line Brook prints when it starts serving: where it listens, how many workers, the
 * store, data folder and fsync policy, and every model restored with its version. Printed by
 * the single process, or by the cluster's primary once, when the first worker listens.
 */
import type { Config } from "../config/config.js";
import type { Engine } from "./engine.js";

interface Logger {
  info(obj: object, msg: string): void;
}

/** Logs the start-up summary of a server listening at `url`. */
export function logStartup(log: Logger, config: Config, engine: Engine, url: string): void {
  const models = engine.list().map((w) => ({ name: w.record.name, version: w.model.version }));
  const data =
    engine.storage.kind === "memory" ? "memory (nothing survives a restart)" : engine.storage.location;
  const fsync = engine.storage.kind === "memory" ? "n/a" : config.fsync;
  const shown = models.map((m) => `${m.name} v${m.version}`).join(", ") || "none";
  log.info(
    { url, workers: config.workers, store: config.store, data, fsync, models },
    `Brook listening on ${url} (${config.workers} ${config.workers === 1 ? "process" : "workers"}; store ${config.store}, data ${data}, fsync ${fsync}; models: ${shown})`,
  );
}
