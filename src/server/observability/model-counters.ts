/**
 * Per-model counts of what the HTTP layer served: predictions made, examples learned, learn
 * requests rejected. Kept as plain numbers per model (one map lookup by the model's own name
 * string per request) and exposed as Prometheus counters when scraped. Only models that exist
 * get a label: a request naming an unknown model is never counted under that name.
 */
import { Counter, type Registry } from "prom-client";

interface Counts {
  predictions: number;
  learned: number;
  rejected: number;
}

export class ModelCounters {
  private readonly counts = new Map<string, Counts>();

  /**
   * `exists` says whether a model is still served (a deleted model's counts are not shown).
   * Without a registry (metrics off) nothing is exposed and nothing is counted.
   */
  constructor(registry: Registry | undefined, exists: (model: string) => boolean) {
    if (!registry) {
      this.predicted = noop;
      this.learned = noop;
      this.rejected = noop;
      return;
    }
    const rows = () => [...this.counts].filter(([model]) => exists(model));
    const counter = (name: string, help: string, key: keyof Counts) =>
      new Counter<"model">({
        name,
        help,
        labelNames: ["model"],
        registers: [registry],
        collect() {
          this.reset();
          for (const [model, c] of rows()) this.inc({ model }, c[key]);
        },
      });
    counter("brook_predictions_total", "Predictions made (one per instance), per model", "predictions");
    counter(
      "brook_learned_total",
      "Examples learned through this server's HTTP routes (retries of known event ids excluded), per model",
      "learned",
    );
    counter(
      "brook_learn_rejected_total",
      "Learn requests rejected with a client error (bad features, target, ids), per model",
      "rejected",
    );
  }

  private of(model: string): Counts {
    let c = this.counts.get(model);
    if (c === undefined) {
      c = { predictions: 0, learned: 0, rejected: 0 };
      this.counts.set(model, c);
    }
    return c;
  }

  /** `n` predictions made by `model`. */
  predicted(model: string, n: number): void {
    this.of(model).predictions += n;
  }

  /** `n` examples learned by `model`. */
  learned(model: string, n: number): void {
    this.of(model).learned += n;
  }

  /** A learn request to `model` rejected. */
  rejected(model: string): void {
    this.of(model).rejected += 1;
  }
}

function noop(): void {}
