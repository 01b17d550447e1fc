/**
 * What the HTTP layer sees of a Redis node (the `Backend` port): reads from this node's copy of
 * each model, writes and admin through `RedisOps`, the live feed of what this node applies
 * (numbered by this node: a client resuming on another node gets a `resync`), and whether a
 * prediction may be stale (Redis unreachable). A node of role `learn` answers no predictions.
 */
import { brookError } from "../../errors.js";
import type { ServedModel } from "../../models/served-model.js";
import { DEFAULT_EVENT_BUFFER, EngineFeed } from "../events/engine-feed.js";
import type { EventRing } from "../events/event-ring.js";
import type { ModelOps } from "../ops.js";
import type { RedisNode } from "./node.js";
import { RedisOps } from "./ops.js";

export class RedisBackend {
  readonly ops: ModelOps;
  private readonly feed: EngineFeed;

  constructor(
    readonly node: RedisNode,
    eventBuffer = DEFAULT_EVENT_BUFFER,
  ) {
    this.ops = new RedisOps(node);
    this.feed = new EngineFeed({ list: () => node.feedModels(), watch: (o) => node.watch(o) }, eventBuffer);
  }

  get events(): EventRing {
    return this.feed.ring;
  }

  model(name: string): ServedModel {
    return this.node.served(name).follower.model;
  }

  /** `redis-unreachable` while Redis cannot be read: this node's copy may be behind. */
  staleness(name: string): string | undefined {
    if (this.node.role === "learn") {
      throw brookError(
        "UNAVAILABLE",
        `this node's role is learn: it answers no predictions of model "${name}" (send them to a node of role serve or all)`,
        { role: "learn" },
      );
    }
    return this.node.unreachable ? "redis-unreachable" : undefined;
  }

  modelCount(): number {
    return this.node.list().length;
  }

  close(): Promise<void> {
    return this.node.close();
  }
}
