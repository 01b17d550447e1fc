import { brookError } from "../errors.js";

interface Waiter {
  version: number;
  resolve: () => void;
  timer: NodeJS.Timeout;
}

/**
 * Read-your-writes for a model that may lag (a replica): callers wait until the model has
 * reached a version, bounded in time. The model calls {@link reached} whenever its version
 * moves on.
 */
export class VersionGate {
  private waiters: Waiter[] = [];

  constructor(
    private readonly model: string,
    private readonly current: () => number,
  ) {}

  /**
   * Resolves once the model has reached `version`; rejects with a 503 when `timeoutMs` runs
   * out first.
   */
  wait(version: number, timeoutMs: number): Promise<void> {
    if (this.current() >= version) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        version,
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(
            brookError(
              "UNAVAILABLE",
              `model "${this.model}" is at version ${this.current()} and did not reach version ${version} within ${timeoutMs} ms`,
              { version: this.current(), min_version: version },
            ),
          );
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Resolves the waiters whose version is reached. */
  reached(): void {
    if (this.waiters.length === 0) return;
    const now = this.current();
    const ready = this.waiters.filter((w) => w.version <= now);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.version > now);
    for (const w of ready) {
      clearTimeout(w.timer);
      w.resolve();
    }
  }
}
