/**
 * The per-model Prometheus gauges, read when scraped (nothing on the write path), defined once
 * for every kind of place a model lives: the writers of one process or of a cluster's primary,
 * and the followers of a Redis node. Each place says how to read a model; the names, help texts
 * and labels are the same everywhere, so dashboards do not care which store runs.
 */
import { Gauge, type Registry } from "prom-client";
import { ConfusionMatrixMetric, type Metric } from "../../learn/index.js";

/** How to read one model's figures (`undefined`: this place has no such figure for it now). */
export interface ModelReading<T> {
  name(m: T): string;
  version(m: T): number;
  learned(m: T): number;
  seq(m: T): number;
  pending(m: T): number;
  metrics(m: T): readonly Metric[];
  /** The newest checkpoint, where this place keeps them. */
  newestCheckpoint(m: T): { createdAt: string; bytes: number } | undefined;
  /** How long the last checkpoint took to save, in seconds. */
  checkpointSeconds(m: T): number | undefined;
  /** The log's size on disk, where the log is on disk. */
  logBytes?(m: T): number | undefined;
}

/**
 * A gauge labelled by model, read when scraped: `value` of each item `list()` gives (left out
 * when `undefined`). Aggregated over processes by max: one writer (or lease holder) per model.
 */
export function modelGauge<T>(
  registry: Registry,
  name: string,
  help: string,
  list: () => Iterable<T>,
  nameOf: (m: T) => string,
  value: (m: T) => number | undefined,
): Gauge<"model"> {
  return new Gauge<"model">({
    name,
    help,
    labelNames: ["model"],
    registers: [registry],
    aggregator: "max",
    collect() {
      this.reset();
      for (const m of list()) {
        const v = value(m);
        if (v !== undefined) this.set({ model: nameOf(m) }, v);
      }
    },
  });
}

/** Registers the per-model gauges of the models `list()` gives, read through `read`. */
export function registerModelGauges<T>(
  registry: Registry,
  list: () => Iterable<T>,
  read: ModelReading<T>,
): void {
  const perModel = (name: string, help: string, value: (m: T) => number | undefined) =>
    modelGauge(registry, name, help, list, read.name, value);

  perModel("brook_model_version", "The model's version (model-changing events applied)", read.version);
  perModel("brook_model_learned", "Examples in the model's current history", read.learned);
  perModel("brook_model_seq", "Seq of the last event applied from the model's log", read.seq);
  perModel("brook_pending_labels", "Remembered predictions waiting for their label", read.pending);
  perModel("brook_checkpoint_age_seconds", "Seconds since the newest checkpoint was taken", (m) => {
    const c = read.newestCheckpoint(m);
    return c ? Math.max(0, (Date.now() - Date.parse(c.createdAt)) / 1000) : undefined;
  });
  perModel("brook_checkpoint_bytes", "Size of the newest checkpoint", (m) => read.newestCheckpoint(m)?.bytes);
  perModel(
    "brook_checkpoint_duration_seconds",
    "How long the last checkpoint took to save (since this process started)",
    read.checkpointSeconds,
  );
  if (read.logBytes)
    perModel("brook_log_bytes", "Size of the model's log on disk (file store)", read.logBytes);

  new Gauge<"model" | "metric">({
    name: "brook_model_metric",
    help: "The model's live metric (progressive validation), per metric (a ConfusionMatrix is not one number: see the JSON API)",
    labelNames: ["model", "metric"],
    registers: [registry],
    aggregator: "max",
    collect() {
      this.reset();
      for (const m of list()) {
        for (const metric of read.metrics(m)) {
          if (!(metric instanceof ConfusionMatrixMetric))
            this.set({ model: read.name(m), metric: metric.name }, metric.get());
        }
      }
    },
  });
}
