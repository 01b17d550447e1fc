/**
 * Prometheus gauges read from the models' writers when scraped (nothing on the write path):
 * version, examples learned, the live metric values, pending labels, the newest checkpoint's
 * age and size and how long the last one took, and the log's size on disk. They live where
 * the writers are: the one process of `--workers 1`, or the cluster's primary.
 */
import type { Registry } from "prom-client";
import type { Engine } from "../engine.js";
import { registerModelGauges } from "./model-gauges.js";

/** Registers the writer gauges of `engine` in `registry`. */
export function registerWriterMetrics(registry: Registry, engine: Engine): void {
  registerModelGauges(registry, () => engine.list(), {
    name: (w) => w.record.name,
    version: (w) => w.model.version,
    learned: (w) => w.model.learned,
    seq: (w) => w.model.seq,
    pending: (w) => w.pending.size,
    metrics: (w) => w.model.metrics,
    newestCheckpoint: (w) => w.listCheckpoints().at(-1),
    checkpointSeconds: (w) => w.checkpointSeconds,
    logBytes: (w) => (engine.storage.kind === "file" ? w.diskUsage().log_bytes : undefined),
  });
}
