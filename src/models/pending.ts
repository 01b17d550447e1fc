import { decodeEvent, encodeEvent } from "../codec/events.js";
import type { Json, RawFeatures } from "../learn/index.js";
import type { Prediction } from "../learn/metrics/metric.js";

/** A served prediction kept until its label arrives. */
export interface PendingEntry {
  id: string;
  x: RawFeatures;
  /** What was served (probabilities for classifiers, null if nothing): the metrics score it when the label comes. */
  served: Prediction | null;
  /** The model version that served it. */
  version: number;
  /** Expiry time (ms since the epoch). */
  expiresAt: number;
}

export interface PendingCounters {
  remembered: number;
  labelled: number;
  expired: number;
  evicted: number;
}

/**
 * Predictions waiting for their labels, oldest first, bounded in number (the oldest is evicted
 * past `capacity`) and in time (each entry expires). Labelled ids are remembered for as long as
 * an entry would have lived, so a second label is told apart from an unknown id.
 */
export class PendingPredictions {
  private readonly entries = new Map<string, PendingEntry>();
  /** Labelled ids and when that memory may be dropped. */
  private readonly labelled = new Map<string, number>();
  readonly counters: PendingCounters = { remembered: 0, labelled: 0, expired: 0, evicted: 0 };

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(id: string): PendingEntry | undefined {
    return this.entries.get(id);
  }

  wasLabelled(id: string, now: number): boolean {
    const until = this.labelled.get(id);
    return until !== undefined && until >= now;
  }

  add(entry: PendingEntry): void {
    this.entries.set(entry.id, entry);
    this.counters.remembered++;
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      this.counters.evicted++;
    }
  }

  /** Removes a labelled entry (its id stays known as labelled until it would have expired). */
  consume(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    this.labelled.set(id, entry.expiresAt);
    this.counters.labelled++;
    while (this.labelled.size > this.capacity)
      this.labelled.delete(this.labelled.keys().next().value as string);
  }

  /** Drops an entry found expired (counted). */
  expire(id: string): void {
    if (this.entries.delete(id)) this.counters.expired++;
  }

  /**
   * Drops every expired entry (so memory follows the TTL, not only the capacity); entries are
   * in insertion order and TTLs are equal, so it stops at the first one still alive.
   */
  sweep(now: number): void {
    for (const [id, e] of this.entries) {
      if (e.expiresAt >= now) break;
      this.entries.delete(id);
      this.counters.expired++;
    }
    for (const [id, until] of this.labelled) {
      if (until >= now) break;
      this.labelled.delete(id);
    }
  }

  exportState(): Json {
    // Entries reuse the log's event encoding, which keeps feature order and prediction types.
    return {
      entries: [...this.entries.values()].map((e) => encodeEvent(0, { type: "remember", ...e, at: 0 })),
      labelled: [...this.labelled],
      counters: { ...this.counters },
    };
  }

  importState(data: Json): void {
    const d = data as unknown as {
      entries: string[];
      labelled: [string, number][];
      counters: PendingCounters;
    };
    this.entries.clear();
    this.labelled.clear();
    for (const text of d.entries) {
      const { event } = decodeEvent(text);
      if (event.type === "remember")
        this.entries.set(event.id, {
          id: event.id,
          x: event.x,
          served: event.served,
          version: event.version,
          expiresAt: event.expiresAt,
        });
    }
    for (const [id, until] of d.labelled) this.labelled.set(id, until);
    Object.assign(this.counters, d.counters);
  }
}
