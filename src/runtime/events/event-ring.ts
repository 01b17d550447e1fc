/**
 * The recent events of the live feed, bounded, with their listeners: the producer's own (in
 * the process of the writers) and each cluster worker's copy, which receives the same events
 * under the same ids. A stream that resumes from an id still held misses nothing.
 */
import { type FeedEvent, parseFeedId } from "./feed-event.js";

/** Why a stream cannot be resumed from the id it gave. */
export interface FeedGap {
  reason: "too-old" | "other-epoch" | "unknown-id";
  /** The id asked for. */
  requested: string;
  /** The oldest id held (resuming from just before it would miss nothing). */
  oldest: string | null;
}

export type FeedListener = (events: readonly FeedEvent[]) => void;

export class EventRing {
  private buf: (FeedEvent | undefined)[];
  /** Index of the oldest event in `buf`, and how many are held. */
  private start = 0;
  private size = 0;
  private readonly listeners = new Set<FeedListener>();

  /**
   * @param epoch the epoch of the ids (the producer's start); a worker's copy takes its
   *   producer's with {@link adopt}.
   */
  constructor(
    private capacity: number,
    public epoch: string,
  ) {
    this.buf = new Array(capacity);
  }

  /** Takes the producer's epoch and size (a cluster worker's copy of the primary's feed). */
  adopt(epoch: string, capacity: number): void {
    this.epoch = epoch;
    this.resize(capacity);
  }

  /** Adds events (in id order) and tells every listener. */
  push(events: readonly FeedEvent[]): void {
    if (events.length === 0) return;
    for (const e of events) {
      const end = (this.start + this.size) % this.capacity;
      this.buf[end] = e;
      if (this.size < this.capacity) this.size++;
      else this.start = (this.start + 1) % this.capacity;
    }
    for (const l of this.listeners) l(events);
  }

  /** Listens to every event pushed from now on; returns the function that stops listening. */
  subscribe(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** How many events it keeps. */
  get keep(): number {
    return this.capacity;
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Every event held, oldest first. */
  all(): FeedEvent[] {
    const out: FeedEvent[] = [];
    for (let i = 0; i < this.size; i++) out.push(this.buf[(this.start + i) % this.capacity]!);
    return out;
  }

  /** The newest event's id (`undefined` before the first). */
  get lastId(): string | undefined {
    return this.size === 0 ? undefined : this.buf[(this.start + this.size - 1) % this.capacity]!.id;
  }

  /** Keeps at most `capacity` events from now on (the oldest go first). */
  resize(capacity: number): void {
    if (capacity === this.capacity) return;
    const kept = this.all().slice(-capacity);
    this.capacity = capacity;
    this.buf = new Array(capacity);
    this.start = 0;
    this.size = 0;
    for (const e of kept) {
      this.buf[this.size++] = e;
    }
  }

  /**
   * The events after `lastEventId`, when every one of them is still held; otherwise the gap
   * (the id is older than the oldest held, from another run of the server, or not ours).
   */
  since(lastEventId: string): { events: FeedEvent[] } | { gap: FeedGap } {
    const held = this.all();
    const oldest = held[0]?.id ?? null;
    const want = parseFeedId(lastEventId);
    if (!want) return { gap: { reason: "unknown-id", requested: lastEventId, oldest } };
    if (want.epoch !== this.epoch) return { gap: { reason: "other-epoch", requested: lastEventId, oldest } };
    const numbers = held.map((e) => parseFeedId(e.id)!.n);
    const newest = numbers.length > 0 ? numbers[numbers.length - 1]! : 0;
    if (want.n > newest) return { gap: { reason: "unknown-id", requested: lastEventId, oldest } };
    // Resuming from the event just before the oldest held misses nothing.
    if (numbers.length > 0 && want.n < numbers[0]! - 1)
      return { gap: { reason: "too-old", requested: lastEventId, oldest } };
    return { events: held.filter((_, i) => numbers[i]! > want.n) };
  }
}
