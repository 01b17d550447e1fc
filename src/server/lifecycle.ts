/**
 * Whether this server takes traffic: ready once it listens with every model loaded, not ready
 * from the moment it starts shutting down (before it stops accepting requests), so that load
 * balancers and Kubernetes stop sending it traffic first.
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
}
