import cluster, { type Worker } from "node:cluster";
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { encodeEvent, type Stored } from "../../codec/events.js";
import type { Config } from "../../config/config.js";
import type { Json } from "../../learn/index.js";
import type { ModelWriter } from "../../models/writer.js";
import type { Engine } from "../engine.js";
import type { EventRing } from "../events/event-ring.js";
import type { FeedEvent } from "../events/feed-event.js";
import { LocalBackend } from "../local-backend.js";
import { openEngine } from "../open.js";
import type { ModelOps } from "../ops.js";
import { logStartup } from "../startup-summary.js";
import { serveClusterMetrics } from "./metrics-aggregation.js";
import { PredictionCounts } from "./prediction-counts.js";
import { errorToWire, type Reply, type ToPrimary, type ToWorker } from "./protocol.js";
import { type Call, dispatch } from "./rpc.js";

/**
 * How replicas follow a model: its events of a tick, or its state when that is smaller than
 * the events (bulk learning, a busy small model). Either way a replica ends in exactly the
 * writer's state; loading a small state costs a worker less than learning the events again.
 * The state's size is measured now and then (it changes slowly), not on every tick.
 */
class ReplicationChoice {
  private stateBytes = Number.POSITIVE_INFINITY;
  private sinceMeasured = 0;

  constructor(private readonly writer: ModelWriter) {}

  /** The message for this tick's events of the model. */
  message(model: string, events: readonly string[]): ToWorker {
    let bytes = 0;
    for (const e of events) bytes += e.length;
    // Only a batch at least this large can be worth a state (and worth measuring one).
    if (events.length >= 8 && (bytes > this.stateBytes || this.sinceMeasured++ % 64 === 0)) {
      const snapshot = this.writer.model.snapshot();
      if (this.sinceMeasured % 64 === 1) this.stateBytes = JSON.stringify(snapshot).length;
      if (bytes > this.stateBytes) return { t: "reset", model, snapshot };
    }
    return { t: "events", model, events: `[${events.join(",")}]` };
  }
}

/** What the primary knows of one worker's replica of one model. */
interface ReplicaView {
  /** Last seq the worker said it applied. */
  acked: number;
  /** Seqs sent but not acknowledged yet, with when they were sent (for the lag in seconds). */
  sent: { seq: number; at: number }[];
}

interface WorkerState {
  worker: Worker;
  ready: boolean;
  /** Whether it has listened for HTTP (a worker that exits before it did is not restarted). */
  listened: boolean;
  replicas: Map<string, ReplicaView>;
}

/** A model's events applied but not yet sent to the workers. */
interface Outgoing {
  writer: ModelWriter;
  events: string[];
  replication: ReplicationChoice;
}

/**
 * The primary of `brook serve --workers N`: it owns every model's single writer (log, learning,
 * metrics, checkpoints) and forks N HTTP workers that hold read replicas. Writes forwarded by
 * workers are applied here in order; every applied event is streamed to every worker, which
 * applies it with the same code, so replicas lag but never diverge.
 *
 * Why the primary (not a worker thread) holds the writer: it already supervises the workers,
 * it has no HTTP work competing for its event loop, and when it dies the node goes down with it
 * (workers exit when their channel closes), so two writers can never run on one node.
 */
export class Primary {
  private readonly workers = new Map<number, WorkerState>();
  private readonly outbox = new Map<string, Outgoing>();
  private flushScheduled = false;
  private shuttingDown = false;
  private firstUrl: string | undefined;
  private startFailed: string | undefined;
  private settleStart!: { resolve: (url: string) => void; reject: (err: Error) => void };
  /** Resolves with the address once the first worker listens; rejects (one line) if the cluster cannot start. */
  readonly started = new Promise<string>((resolve, reject) => {
    this.settleStart = { resolve, reject };
  });
  /** The operations workers forward. */
  private readonly ops: ModelOps;
  /** The live event feed the workers serve (see {@link forwardFeed}). */
  private readonly feed: EventRing;
  private readonly predictions = new PredictionCounts();

  private constructor(
    private readonly config: Config,
    private readonly engine: Engine,
    private readonly log: Logger,
  ) {
    const ops = new ClusterOps(engine, {
      replicaLag: (name) => this.replicaLag(name),
      predicted: (name) => this.predictions.total(name),
      added: (writer) => {
        this.follow(writer);
        for (const s of this.workers.values()) if (s.ready) this.sendModel(s, writer);
      },
      dropped: (name) => {
        // Events of the model still waiting to be sent would name a model the workers dropped.
        this.outbox.delete(name);
        for (const s of this.workers.values()) s.replicas.delete(name);
        this.predictions.forget(name);
        this.broadcast({ t: "drop", model: name });
      },
    });
    this.ops = ops;
    this.feed = ops.events;
    this.forwardFeed();
    for (const w of engine.list()) this.follow(w);
  }

  /** Opens the storage (recovering every model) and starts the workers. */
  static async start(config: Config, log: Logger): Promise<Primary> {
    const engine = await openEngine(config, log);
    const primary = new Primary(config, engine, log);
    // Whoever starts the primary awaits `started`; until then a failure must not be "unhandled".
    primary.started.catch(() => undefined);
    // V8's serializer: event texts cross the channel as they are, not escaped into JSON again.
    cluster.setupPrimary({ serialization: "advanced" });
    cluster.on("exit", (worker, code, signal) => primary.onExit(worker, code, signal));
    if (config.prometheus === "on") serveClusterMetrics(engine, (model) => primary.replicaLag(model));
    for (let i = 0; i < config.workers; i++) primary.fork();
    return primary;
  }

  private fork(): void {
    const worker = cluster.fork();
    const state: WorkerState = { worker, ready: false, listened: false, replicas: new Map() };
    this.workers.set(worker.id, state);
    // A send racing the worker's death fails with ERR_IPC_CHANNEL_CLOSED: its exit handles it.
    worker.on("error", (err) => this.log.warn({ err, worker: worker.id }, "the channel to a worker failed"));
    worker.on("message", (msg: ToPrimary) => {
      // The primary holds every writer: no message, however odd, may take it down.
      try {
        this.onMessage(state, msg);
      } catch (err) {
        this.log.error({ err, worker: worker.id }, "a message from a worker could not be handled");
      }
    });
  }

  /** Streams a writer's applied events to the workers. */
  private follow(writer: ModelWriter): void {
    const name = writer.record.name;
    const replication = new ReplicationChoice(writer);
    writer.onApplied = (stored: Stored) => {
      if (stored.event.type === "rollback" || stored.event.type === "import") {
        // The model jumped: replicas load its new state instead of replaying.
        this.flush();
        this.broadcast({ t: "reset", model: name, snapshot: writer.model.snapshot() });
        return;
      }
      let out = this.outbox.get(name);
      if (!out) {
        out = { writer, events: [], replication };
        this.outbox.set(name, out);
      }
      out.events.push(encodeEvent(stored.seq, stored.event));
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    };
  }

  /** Sends the batched events (always before any reply, so replicas see a write before its answer). */
  private flush(): void {
    this.flushScheduled = false;
    if (this.outbox.size === 0) return;
    const now = Date.now();
    for (const [model, { writer, events, replication }] of this.outbox) {
      const last = writer.model.seq;
      const message = replication.message(model, events);
      for (const s of this.workers.values()) {
        if (!s.ready) continue;
        s.replicas.get(model)?.sent.push({ seq: last, at: now });
        this.send(s, message);
      }
    }
    this.outbox.clear();
  }

  /**
   * Every batch of the live feed goes to every ready worker, after the replication events
   * still waiting (a worker's replica is never behind the events it serves).
   */
  private forwardFeed(): void {
    this.feed.subscribe((events) => {
      this.flush();
      this.broadcast(this.feedMessage([...events]));
    });
  }

  private feedMessage(events: FeedEvent[]): ToWorker {
    return { t: "feed", epoch: this.feed.epoch, keep: this.feed.keep, events };
  }

  /**
   * Sends to a worker if its channel is open. A worker can die at any moment: a send to it then
   * fails (its 'error' is handled in fork), and its exit starts a replacement that catches up.
   */
  private send(s: WorkerState, msg: ToWorker): void {
    if (s.worker.isConnected()) s.worker.send(msg);
  }

  private broadcast(msg: ToWorker): void {
    for (const s of this.workers.values()) if (s.ready) this.send(s, msg);
  }

  private sendModel(s: WorkerState, writer: ModelWriter): void {
    const snapshot = writer.model.snapshot();
    s.replicas.set(writer.record.name, { acked: snapshot.seq, sent: [] });
    this.send(s, { t: "model", record: writer.record, snapshot });
  }

  private onMessage(s: WorkerState, msg: ToPrimary): void {
    switch (msg.t) {
      case "hello":
        // Pending events go first, so that the snapshots below are the newest state.
        this.flush();
        for (const w of this.engine.list()) this.sendModel(s, w);
        this.send(s, this.feedMessage(this.feed.all()));
        s.ready = true;
        this.send(s, { t: "ready" });
        break;
      case "ack": {
        const view = s.replicas.get(msg.model);
        if (view) {
          view.acked = Math.max(view.acked, msg.seq);
          while (view.sent.length > 0 && view.sent[0]!.seq <= view.acked) view.sent.shift();
        }
        break;
      }
      case "listening":
        s.listened = true;
        if (!this.firstUrl) {
          this.firstUrl = msg.url;
          logStartup(this.log, this.config, this.engine, msg.url);
          this.settleStart.resolve(msg.url);
          void this.engine.setAddress(msg.url).catch(() => undefined);
        }
        break;
      case "failed":
        this.startFailed ??= msg.reason;
        break;
      case "calls":
        void this.answer(s, msg.calls);
        break;
      case "resync": {
        // The replica could not apply an event: send it the writer's state again.
        const writer = this.engine.list().find((w) => w.record.name === msg.model);
        if (writer) this.sendModel(s, writer);
        break;
      }
      case "predicted":
        this.predictions.report(s.worker.id, msg.counts);
        break;
    }
  }

  private async answer(s: WorkerState, calls: Call[]): Promise<void> {
    const replies = await Promise.all(
      calls.map(async (c): Promise<Reply> => {
        try {
          return { id: c.id, ok: true, value: await dispatch(this.ops, c) };
        } catch (err) {
          const incident = randomUUID();
          const error = errorToWire(err, incident);
          if (error.status === 500)
            this.log.error({ err, incident, op: c.op, worker: s.worker.id }, "call failed");
          return { id: c.id, ok: false, error };
        }
      }),
    );
    this.flush();
    this.send(s, { t: "replies", replies });
  }

  /** Each worker's lag on a model: events not yet applied, and for how long. */
  replicaLag(
    model: string,
  ): { worker: number; seq: number; replica_lag_events: number; replica_lag_seconds: number }[] {
    const head = this.engine.writer(model).model.seq;
    const now = Date.now();
    return [...this.workers.values()]
      .filter((s) => s.ready && s.replicas.has(model))
      .map((s) => {
        const view = s.replicas.get(model)!;
        const oldest = view.sent[0];
        return {
          worker: s.worker.id,
          seq: view.acked,
          replica_lag_events: Math.max(0, head - view.acked),
          replica_lag_seconds: oldest ? (now - oldest.at) / 1000 : 0,
        };
      });
  }

  private onExit(worker: Worker, code: number | null, signal: string | null): void {
    const state = this.workers.get(worker.id);
    this.workers.delete(worker.id);
    this.predictions.retire(worker.id);
    if (this.shuttingDown) return;
    if (!state?.listened && !this.firstUrl) {
      // The cluster never served: restarting would fail the same way.
      this.settleStart.reject(
        new Error(
          this.startFailed ?? `a worker exited before it could serve (code ${code}, signal ${signal})`,
        ),
      );
      return;
    }
    // A worker holds no state of its own: start another, which catches up from the writer.
    this.log.warn({ worker: worker.id, code, signal }, "worker exited; starting a new one");
    setTimeout(() => {
      if (!this.shuttingDown) this.fork();
    }, 200).unref();
  }

  /** Graceful shutdown: workers stop accepting and drain, then every writer checkpoints and closes. */
  async shutdown(): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    const exits = [...this.workers.values()].map(
      (s) =>
        new Promise<void>((resolve) => {
          if (s.worker.isDead()) return resolve();
          s.worker.once("exit", () => resolve());
          this.send(s, { t: "shutdown" });
          // Workers cut their slow connections after the drain timeout; this is the backstop.
          setTimeout(() => s.worker.process.kill("SIGKILL"), (this.config.drainTimeout + 5) * 1000).unref();
        }),
    );
    await Promise.all(exits);
    await this.engine.close();
  }
}

/**
 * The writers' operations as workers see them: the local ones, plus what the cluster adds (the
 * replicas' lag in a model's details, new models sent to every worker, deleted ones dropped).
 */
class ClusterOps extends LocalBackend {
  constructor(
    engine: Engine,
    private readonly primary: {
      replicaLag: Primary["replicaLag"];
      predicted(name: string): number;
      added(writer: ModelWriter): void;
      dropped(name: string): void;
    },
  ) {
    super(engine);
  }

  override async details(name: string) {
    return {
      ...(await super.details(name)),
      predicted: this.primary.predicted(name),
      replicas: this.primary.replicaLag(name),
    };
  }

  override async create(name: string, spec: Json, metrics: readonly string[], drift?: string) {
    const r = await super.create(name, spec, metrics, drift);
    if (r.created) this.primary.added(this.engine.writer(name));
    return r;
  }

  override async delete(name: string) {
    await super.delete(name);
    this.primary.dropped(name);
  }
}
