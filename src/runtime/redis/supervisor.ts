/**
 * `brook serve --store redis://... --workers N`: each worker process is a Redis node of its
 * own (its own copies, its own following, its own lease candidacy), and this primary only
 * starts them, restarts one that dies, collects their Prometheus metrics for a scrape, and
 * stops them. Why not the primary as the node with workers as replicas (as the embedded store
 * does): a write would cross two channels (worker → primary → Redis) for nothing, since Redis
 * is already the single place that orders writes; N nodes per machine cost N copies of the
 * models in memory, and nothing else.
 */
import cluster, { type Worker } from "node:cluster";
import type { Config } from "../../config/config.js";
import { serveClusterMetrics } from "../cluster/metrics-aggregation.js";

/** Worker → primary. */
export type NodeMessage = { t: "listening"; url: string } | { t: "failed"; reason: string };

export class NodeSupervisor {
  private shuttingDown = false;
  private firstUrl: string | undefined;
  private settle!: { resolve(url: string): void; reject(err: Error): void };
  /** The address, once the first worker listens; rejects when the workers cannot start. */
  readonly started = new Promise<string>((resolve, reject) => {
    this.settle = { resolve, reject };
  });
  private readonly listened = new Set<number>();

  private constructor(
    private readonly config: Config,
    private readonly log: { warn(obj: object, msg: string): void },
  ) {}

  static start(config: Config, log: { warn(obj: object, msg: string): void }): NodeSupervisor {
    const s = new NodeSupervisor(config, log);
    s.started.catch(() => undefined);
    cluster.on("exit", (worker, code, signal) => s.onExit(worker, code, signal));
    cluster.on("message", (worker, msg: NodeMessage) => s.onMessage(worker, msg));
    if (config.prometheus === "on") serveClusterMetrics(undefined, () => []);
    for (let i = 0; i < config.workers; i++) cluster.fork();
    return s;
  }

  private onMessage(worker: Worker, msg: NodeMessage): void {
    if (msg?.t === "listening") {
      this.listened.add(worker.id);
      if (!this.firstUrl) {
        this.firstUrl = msg.url;
        this.settle.resolve(msg.url);
      }
    } else if (msg?.t === "failed" && !this.firstUrl) {
      this.settle.reject(new Error(msg.reason));
    }
  }

  private onExit(worker: Worker, code: number | null, signal: string | null): void {
    if (this.shuttingDown) return;
    if (!this.listened.has(worker.id) && !this.firstUrl) {
      this.settle.reject(new Error(`a worker exited before it could serve (code ${code}, signal ${signal})`));
      return;
    }
    this.listened.delete(worker.id);
    // A node keeps nothing of its own: a new one loads every model from Redis.
    this.log.warn({ worker: worker.id, code, signal }, "worker exited; starting a new one");
    setTimeout(() => {
      if (!this.shuttingDown) cluster.fork();
    }, 200).unref();
  }

  /** Every worker drains, checkpoints what it holds the lease of, gives its leases up, exits. */
  async shutdown(): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.isDead()) return resolve();
            w.once("exit", () => resolve());
            w.process.kill("SIGTERM");
            setTimeout(() => w.process.kill("SIGKILL"), (this.config.drainTimeout + 15) * 1000).unref();
          }),
      ),
    );
  }
}
