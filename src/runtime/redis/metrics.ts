/**
 * Prometheus gauges of a Redis node, read when scraped: each model's version, learned, seq,
 * live metrics and pending labels as this node has them, and, on the lease holder, its newest
 * checkpoint's age, size and save time.
 */
import { Gauge, type Registry } from "prom-client";
import { ConfusionMatrixMetric } from "../../learn/index.js";
import type { RedisNode, Served } from "./node.js";

export function registerNodeMetrics(registry: Registry, node: RedisNode): void {
  const perModel = (name: string, help: string, value: (s: Served) => number | undefined) =>
    new Gauge<"model">({
      name,
      help,
      labelNames: ["model"],
      registers: [registry],
      aggregator: "max",
      collect() {
        this.reset();
        for (const s of node.list()) {
          const v = value(s);
          if (v !== undefined) this.set({ model: s.follower.record.name }, v);
        }
      },
    });
  perModel(
    "brook_model_version",
    "The model's version (model-changing events applied)",
    (s) => s.follower.model.version,
  );
  perModel("brook_model_learned", "Examples in the model's current history", (s) => s.follower.model.learned);
  perModel("brook_model_seq", "Seq of the last event applied from the model's log", (s) => s.follower.seq);
  perModel(
    "brook_pending_labels",
    "Remembered predictions waiting for their label",
    (s) => s.follower.state.pending.size,
  );
  const held = (s: Served) => (s.duties?.holding ? s.checkpoints.list().at(-1) : undefined);
  perModel(
    "brook_checkpoint_age_seconds",
    "Seconds since the newest checkpoint was taken (lease holder)",
    (s) => {
      const c = held(s);
      return c ? Math.max(0, (Date.now() - Date.parse(c.createdAt)) / 1000) : undefined;
    },
  );
  perModel("brook_checkpoint_bytes", "Size of the newest checkpoint (lease holder)", (s) => held(s)?.bytes);
  perModel(
    "brook_checkpoint_duration_seconds",
    "How long the last checkpoint took to save (lease holder, since this process started)",
    (s) => s.duties?.lastDuration,
  );
  new Gauge<"model" | "metric">({
    name: "brook_model_metric",
    help: "The model's live metric (progressive validation), per metric (a ConfusionMatrix is not one number: see the JSON API)",
    labelNames: ["model", "metric"],
    registers: [registry],
    aggregator: "max",
    collect() {
      this.reset();
      for (const s of node.list()) {
        for (const m of s.follower.model.metrics) {
          if (!(m instanceof ConfusionMatrixMetric))
            this.set({ model: s.follower.record.name, metric: m.name }, m.get());
        }
      }
    },
  });
}
