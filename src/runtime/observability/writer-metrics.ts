/**
 * Prometheus gauges read from the models' writers when scraped (nothing on the write path):
 * version, examples learned, the live metric values, pending labels, the newest checkpoint's
 * age and size and how long the last one took, and the log's size on disk. They live where
 * the writers are: the one process of `--workers 1`, or the cluster's primary.
 */
import { Gauge, type Registry } from "prom-client";
import { ConfusionMatrixMetric } from "../../learn/index.js";
import type { Engine } from "../engine.js";

/** Registers the writer gauges of `engine` in `registry`. */
export function registerWriterMetrics(registry: Registry, engine: Engine): void {
  const perModel = (
    name: string,
    help: string,
    value: (w: ReturnType<Engine["list"]>[number]) => number | undefined,
  ) =>
    new Gauge<"model">({
      name,
      help,
      labelNames: ["model"],
      registers: [registry],
      // One writer per model: whatever else is aggregated with these, the value is the writer's.
      aggregator: "max",
      collect() {
        this.reset();
        for (const w of engine.list()) {
          const v = value(w);
          if (v !== undefined) this.set({ model: w.record.name }, v);
        }
      },
    });

  perModel(
    "brook_model_version",
    "The model's version (model-changing events applied)",
    (w) => w.model.version,
  );
  perModel("brook_model_learned", "Examples in the model's current history", (w) => w.model.learned);
  perModel("brook_model_seq", "Seq of the last event applied from the model's log", (w) => w.model.seq);
  perModel("brook_pending_labels", "Remembered predictions waiting for their label", (w) => w.pending.size);
  const latest = (w: ReturnType<Engine["list"]>[number]) => w.listCheckpoints().at(-1);
  perModel("brook_checkpoint_age_seconds", "Seconds since the newest checkpoint was taken", (w) => {
    const c = latest(w);
    return c ? Math.max(0, (Date.now() - Date.parse(c.createdAt)) / 1000) : undefined;
  });
  perModel("brook_checkpoint_bytes", "Size of the newest checkpoint", (w) => latest(w)?.bytes);
  perModel(
    "brook_checkpoint_duration_seconds",
    "How long the last checkpoint took to save (since this process started)",
    (w) => w.checkpointSeconds,
  );
  perModel("brook_log_bytes", "Size of the model's log on disk (file store)", (w) =>
    engine.storage.kind === "file" ? w.diskUsage().log_bytes : undefined,
  );

  new Gauge<"model" | "metric">({
    name: "brook_model_metric",
    help: "The model's live metric (progressive validation), per metric (a ConfusionMatrix is not one number: see the JSON API)",
    labelNames: ["model", "metric"],
    registers: [registry],
    aggregator: "max",
    collect() {
      this.reset();
      for (const w of engine.list()) {
        for (const m of w.model.metrics) {
          if (!(m instanceof ConfusionMatrixMetric))
            this.set({ model: w.record.name, metric: m.name }, m.get());
        }
      }
    },
  });
}
