/**
 * Prometheus gauges of a Redis node, read when scraped: each model's version, learned, seq,
 * live metrics and pending labels as this node has them, and, on the lease holder, its newest
 * checkpoint's age, size and save time.
 */
import type { Registry } from "prom-client";
import { registerModelGauges } from "../observability/model-gauges.js";
import type { RedisNode, Served } from "./node.js";

export function registerNodeMetrics(registry: Registry, node: RedisNode): void {
  // Checkpoint figures only where the lease is held: another node's would be stale copies.
  const holding = (s: Served) => s.duties?.holding === true;
  registerModelGauges(registry, () => node.list(), {
    name: (s) => s.follower.record.name,
    version: (s) => s.follower.model.version,
    learned: (s) => s.follower.model.learned,
    seq: (s) => s.follower.seq,
    pending: (s) => s.follower.state.pending.size,
    metrics: (s) => s.follower.model.metrics,
    newestCheckpoint: (s) => (holding(s) ? s.checkpoints.list().at(-1) : undefined),
    checkpointSeconds: (s) => s.duties?.lastDuration,
  });
}
