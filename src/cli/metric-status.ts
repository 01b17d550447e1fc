/**
 * The model's metrics as River prints them (`ROCAUC: 95.07%`), for a progress display: read
 * from the server's `GET .../metrics` texts, at most every `everyMs` and one request at a time,
 * so that it never slows the stream it reports on.
 */
import type { BrookClient } from "../client/index.js";

export class MetricStatus {
  private current = "";
  private inFlight = false;
  private last = 0;

  constructor(
    private readonly client: BrookClient,
    private readonly model: string,
    private readonly everyMs = 250,
  ) {}

  /** The latest metric texts, comma-separated ("" before the first answer). */
  get text(): string {
    return this.current;
  }

  /** Asks the server again if the last answer is old enough; never waits, never throws. */
  refresh(): void {
    const now = Date.now();
    if (this.inFlight || now - this.last < this.everyMs) return;
    this.inFlight = true;
    this.last = now;
    this.client
      .metrics(this.model)
      .then((m) => {
        this.current = m.text.join(", ");
      })
      .catch(() => {
        // A progress display is no reason to fail a run: the next refresh tries again.
      })
      .finally(() => {
        this.inFlight = false;
      });
  }

  /** The metric texts now (one per metric), waiting for the answer; [] when the server has none. */
  async final(): Promise<string[]> {
    try {
      const m = await this.client.metrics(this.model);
      this.current = m.text.join(", ");
      return m.text;
    } catch {
      return [];
    }
  }
}
