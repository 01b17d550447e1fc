import type { Backend } from "./backend.js";

/**
 * Whether this server takes traffic: ready once it listens with every model loaded, not ready
 * from the moment it starts shutting down (before it stops accepting requests), so that load
 * balancers and Kubernetes stop sending it traffic first, nor while a model's disk refuses
 * writes (it still answers predictions; writes come back by themselves with the disk).
 */
export class Readiness {
  private ready = true;

  get isReady(): boolean {
    return this.ready;
  }

  /** From now on, readiness probes answer 503. */
  stop(): void {
    this.ready = false;
  }

  /** Why this server should not take traffic now (`undefined`: ready). Asks the writers. */
  async notReady(backend: Backend): Promise<string | undefined> {
    if (!this.ready) return "the server is shutting down";
    const health = await backend.ops.health();
    if (health.ready) return undefined;
    return (
      health.problems.map((p) => `model "${p.model}": ${p.message}`).join("; ") || "the models are not ready"
    );
  }
}
