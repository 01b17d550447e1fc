/**
 * The port the HTTP layer is written against: the process it runs in, whatever its topology.
 * Reads use the local model; writes and admin go to the model's single writer (in this
 * process, or forwarded to the cluster's primary) or, with Redis, to the shared log.
 * `LocalBackend`, the cluster's `WorkerBackend` and the Redis node's `RedisBackend` (runtime/)
 * implement it.
 */
import type { ServedModel } from "../models/served-model.js";
import type { EventRing } from "../runtime/events/event-ring.js";
import type { ModelOps } from "../runtime/ops.js";

export interface Backend {
  /** The model that answers reads here: the writer's own in one process, a replica in a cluster worker (404 if none). */
  model(name: string): ServedModel;
  /** Writes and admin, applied by each model's single writer. */
  readonly ops: ModelOps;
  /** The live event feed: recent events, numbered by the writers' process, and their listeners. */
  readonly events: EventRing;
  /**
   * Why the local model may be behind its log, when it may be (the shared log cannot be
   * followed now: Redis is unreachable); undefined when it is current as far as this process
   * knows. Throws when this process answers no predictions (a Redis node of role `learn`).
   * Only the Redis topology has it: predictions then say so (`stale`, `x-brook-stale`).
   */
  staleness?(name: string): string | undefined;
  /** How many models are served (readiness). */
  modelCount(): number;
  close(): Promise<void>;
}
