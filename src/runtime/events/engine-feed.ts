/**
 * The live event feed's producer, in the process that holds the writers (the only one that
 * sees every model's events, checkpoints, creations and deletions): it turns what the engine
 * tells into feed events, coalesces each model's learns per tick (about 100 ms) into one event
 * with a count, numbers them, and pushes them to its ring. In a cluster the primary forwards
 * each batch to every worker.
 */
import type { Stored } from "../../codec/events.js";
import type { ServedModel } from "../../models/served-model.js";
import type { ModelWriter } from "../../models/writer.js";
import type { CheckpointInfo } from "../../store/ports.js";
import { EventRing } from "./event-ring.js";
import { type FeedEvent, type FeedType, feedId } from "./feed-event.js";

/** Learns of a model are coalesced this long (so a busy model makes about 10 events a second). */
export const FEED_TICK_MS = 100;

export const DEFAULT_EVENT_BUFFER = 10_000;

/** An event not numbered yet, and the model it is about (to read its metrics at the tick). */
interface Pending {
  event: Omit<FeedEvent, "id">;
  model: ServedModel | undefined;
  /** A learn event's time (ms), made a date only when it goes out: learns are the hot path. */
  atMs?: number;
}

/** What the feed reads of a model's writer: the engine's `ModelWriter`, or a Redis node's follower of a shared log. */
export type FeedModel = Pick<ModelWriter, "model" | "record" | "listCheckpoints">;

/** Told of what happens to the models (the engine's observer, as the feed needs it). */
export interface FeedObserver {
  applied(writer: FeedModel, stored: Stored): void;
  checkpointed(writer: FeedModel, info: CheckpointInfo): void;
  created(writer: FeedModel): void;
  deleted(name: string): void;
}

/** Where the feed's events come from: the engine, or a Redis node. */
export interface FeedSource {
  list(): readonly FeedModel[];
  watch(observer: FeedObserver): void;
}

export class EngineFeed implements FeedObserver {
  readonly ring: EventRing;
  private n = 0;
  private pending: Pending[] = [];
  /** Each model's learn event of this tick, while nothing else happened to the model. */
  private readonly openLearns = new Map<string, Pending>();
  /** Drift detections already told, per model. */
  private readonly detections = new Map<string, number>();
  private tick: NodeJS.Timeout | undefined;
  private soon = false;

  constructor(engine: FeedSource, capacity = DEFAULT_EVENT_BUFFER) {
    this.ring = new EventRing(capacity, Date.now().toString(36));
    for (const w of engine.list()) this.detections.set(w.record.name, w.model.drift?.detections ?? 0);
    engine.watch(this);
  }

  applied(writer: FeedModel, { seq, event }: Stored): void {
    const model = writer.model;
    const name = model.name;
    switch (event.type) {
      case "remember":
        return;
      case "learn": {
        let open = this.openLearns.get(name);
        if (!open) {
          open = { event: { type: "learn", model: name, at: "", count: 0 }, model };
          this.pending.push(open);
          this.openLearns.set(name, open);
        }
        const e = open.event;
        e.count = (e.count as number) + 1;
        open.atMs = event.at;
        e.version = model.version;
        e.seq = seq;
        e.learned = model.learned;
        this.driftsOf(model);
        this.schedule(false);
        return;
      }
      case "rollback": {
        const restored = writer.listCheckpoints().find((c) => c.seq === event.checkpoint)?.version;
        this.add("rollback", name, event.at, {
          ...this.position(model, seq),
          restored,
          metrics: metrics(model),
        });
        return;
      }
      case "import":
        this.add("import", name, event.at, { ...this.position(model, seq), metrics: metrics(model) });
        return;
    }
  }

  checkpointed(writer: FeedModel, info: CheckpointInfo): void {
    this.add("checkpoint", writer.record.name, Date.parse(info.createdAt), {
      seq: info.seq,
      version: info.version,
      bytes: info.bytes,
    });
  }

  created(writer: FeedModel): void {
    const m = writer.model;
    this.detections.set(m.name, 0);
    this.add("model-created", m.name, Date.now(), { spec: m.spec, task: m.task, version: m.version });
  }

  deleted(name: string): void {
    this.detections.delete(name);
    this.add("model-deleted", name, Date.now(), {});
  }

  private position(model: ServedModel, seq: number) {
    return { version: model.version, seq, learned: model.learned };
  }

  /** Drift events for the detections the last learn set off. */
  private driftsOf(model: ServedModel): void {
    const d = model.drift;
    if (!d) return;
    const told = this.detections.get(model.name) ?? 0;
    if (d.detections === told) return;
    const fresh = d.recent.slice(-(d.detections - told));
    this.detections.set(model.name, d.detections);
    for (const r of fresh) {
      this.add("drift", model.name, Date.parse(r.at), { version: r.version, detections: d.detections });
    }
  }

  /** Queues an event; it closes the model's learn event of this tick, so the order stays. */
  private add(type: FeedType, model: string, at: number, fields: Record<string, unknown>): void {
    this.openLearns.delete(model);
    this.pending.push({
      event: { type, model, at: new Date(at).toISOString(), ...fields },
      model: undefined,
    });
    this.schedule(true);
  }

  /** Learns wait for the tick; anything else goes out on the next turn of the event loop. */
  private schedule(now: boolean): void {
    if (now) {
      if (this.soon) return;
      this.soon = true;
      setImmediate(() => this.flush());
    } else if (!this.tick) {
      this.tick = setTimeout(() => this.flush(), FEED_TICK_MS);
      this.tick.unref();
    }
  }

  /** Numbers the queued events and pushes them to the ring. */
  flush(): void {
    this.soon = false;
    if (this.tick) clearTimeout(this.tick);
    this.tick = undefined;
    if (this.pending.length === 0) return;
    const out: FeedEvent[] = [];
    for (const p of this.pending) {
      const e = { id: feedId(this.ring.epoch, ++this.n), ...p.event } as FeedEvent;
      if (p.atMs !== undefined) e.at = new Date(p.atMs).toISOString();
      // A learn event carries the metrics after its last learn, when nothing changed since.
      if (p.model && p.model.version === e.version) e.metrics = metrics(p.model);
      out.push(e);
    }
    this.pending = [];
    this.openLearns.clear();
    this.ring.push(out);
  }
}

function metrics(model: ServedModel): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(model.metricValues())) out[k] = Number.isFinite(v) ? v : null;
  return out;
}
