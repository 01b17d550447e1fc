import cluster from "node:cluster";
import { decodeEvents } from "../../codec/events.js";
import { brookError, clip } from "../../errors.js";
import { applyToHost } from "../../models/apply.js";
import { type ModelSummary, summaryOf } from "../../models/describe.js";
import { ServedModel } from "../../models/served-model.js";
import { DEFAULT_EVENT_BUFFER } from "../events/engine-feed.js";
import { EventRing } from "../events/event-ring.js";
import type { ModelOps } from "../ops.js";
import { errorFromWire, type ToPrimary, type ToWorker } from "./protocol.js";
import { type Call, encodeCall, forwarders, type OpName } from "./rpc.js";

function send(msg: ToPrimary): void {
  process.send?.(msg);
}

/**
 * A cluster worker's view of the models: read replicas that apply the writer's events as they
 * stream in (the same code the writer runs), and the operations forwarded to the primary for
 * every write and admin call. Calls made in the same tick travel as one message.
 */
export class WorkerBackend {
  private readonly replicas = new Map<string, ServedModel>();
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private queue: Call[] = [];
  private nextId = 1;
  private readonly acks = new Map<string, number>();
  private ackScheduled = false;

  /** Writes and admin: forwarded to the primary; lists and details answered with this worker's view. */
  readonly ops: ModelOps;
  /** The primary's live event feed, as it arrives (same events, same ids on every worker). */
  readonly events = new EventRing(DEFAULT_EVENT_BUFFER, "0");

  constructor(readonly workerId: number) {
    const remote = forwarders((op, args) => this.call(op, args));
    this.ops = {
      ...remote,
      list: async (): Promise<ModelSummary[]> => [...this.replicas.values()].map(summaryOf),
      details: async (name) => {
        const local = this.model(name);
        const d = await remote.details(name);
        return { ...d, served_by: { worker: this.workerId, version: local.version, seq: local.seq } };
      },
    };
  }

  /**
   * Handles a message from the primary. A replica that fails to apply what it received is
   * dropped and asks for the writer's state again (it never serves a state that may have diverged).
   */
  receive(msg: ToWorker): void {
    try {
      this.apply(msg);
    } catch (err) {
      const model = "model" in msg && typeof msg.model === "string" ? msg.model : undefined;
      this.onError(err, model);
      if (model !== undefined) {
        this.replicas.delete(model);
        send({ t: "resync", model });
      }
    }
  }

  /** Where a failure to apply a message is reported (the worker's logger). */
  onError: (err: unknown, model: string | undefined) => void = () => {};

  private apply(msg: ToWorker): void {
    switch (msg.t) {
      case "model": {
        const model = ServedModel.fromRecord(msg.record);
        model.restoreSnapshot(msg.snapshot);
        this.replicas.set(msg.record.name, model);
        this.ack(msg.record.name, model.seq);
        break;
      }
      case "drop":
        this.replicas.delete(msg.model);
        break;
      case "events": {
        const model = this.replicas.get(msg.model);
        if (!model) break;
        for (const stored of decodeEvents(msg.events)) {
          if (stored.seq <= model.seq) continue; // already in the snapshot
          applyToHost(model, stored, () => {
            throw new Error("rollbacks reach replicas as a reset, not as an event");
          });
        }
        this.ack(msg.model, model.seq);
        break;
      }
      case "reset": {
        const model = this.replicas.get(msg.model);
        if (!model) break;
        model.restoreSnapshot(msg.snapshot);
        this.ack(msg.model, model.seq);
        break;
      }
      case "feed":
        this.events.adopt(msg.epoch, msg.keep);
        this.events.push(msg.events);
        break;
      case "replies":
        for (const r of msg.replies) {
          const p = this.waiting.get(r.id);
          if (!p) continue;
          this.waiting.delete(r.id);
          if (r.ok) p.resolve(r.value);
          else p.reject(errorFromWire(r.error));
        }
        break;
    }
  }

  /** Tells the primary how far the replica has come (coalesced per tick). */
  private ack(model: string, seq: number): void {
    this.acks.set(model, seq);
    if (this.ackScheduled) return;
    this.ackScheduled = true;
    setImmediate(() => {
      this.ackScheduled = false;
      for (const [m, s] of this.acks) send({ t: "ack", model: m, seq: s });
      this.acks.clear();
    });
  }

  /** Forwards a call to the primary; calls made in the same tick travel as one message. */
  private call<K extends OpName>(
    op: K,
    args: Parameters<ModelOps[K]>,
  ): Promise<Awaited<ReturnType<ModelOps[K]>>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.queue.push(encodeCall(id, op, args));
      if (this.queue.length === 1) {
        setImmediate(() => {
          const calls = this.queue;
          this.queue = [];
          send({ t: "calls", calls });
        });
      }
    });
  }

  /** Predictions answered so far by this worker's replicas, per model. */
  predictionCounts(): [string, number][] {
    return [...this.replicas.values()].map((m) => [m.name, m.predicted]);
  }

  /** Fails every call still waiting (the primary is gone). */
  abandon(reason: string): void {
    for (const p of this.waiting.values()) p.reject(brookError("UNAVAILABLE", reason));
    this.waiting.clear();
  }

  /** The replica that answers reads. */
  model(name: string): ServedModel {
    const h = this.replicas.get(name);
    if (!h)
      throw brookError("MODEL_NOT_FOUND", `there is no model called "${clip(name)}"`, { model: clip(name) });
    return h;
  }

  modelCount(): number {
    return this.replicas.size;
  }

  async close(): Promise<void> {}
}

/** Tells the primary, about once a second, how many predictions this worker has answered (when that changed). */
function reportPredictions(backend: WorkerBackend): void {
  let last = "";
  setInterval(() => {
    const counts = backend.predictionCounts();
    const key = JSON.stringify(counts);
    if (key === last) return;
    last = key;
    send({ t: "predicted", counts });
  }, 1000).unref();
}

/** A worker's connection to its primary, once every model has arrived. */
export interface WorkerConnection {
  backend: WorkerBackend;
  /** Tells the primary the worker listens at `url`. */
  listening(url: string): void;
  /** Tells the primary why the worker could not start, then exits. */
  failed(reason: string): void;
}

/**
 * Connects this cluster worker to its primary: asks for every model and resolves once they
 * are here. `onShutdown` runs when the primary asks the worker to stop. Without a primary
 * there is no writer, so the worker exits when the channel closes.
 */
export async function connectWorker(onShutdown: () => void): Promise<WorkerConnection> {
  const backend = new WorkerBackend(cluster.worker?.id ?? 0);
  // Test hook: replicas that lag on purpose (every replication message delayed by the same
  // time, so their order is kept), to show that read-your-writes holds under lag.
  const lag = Number(process.env.BROOK_TEST_REPLICA_DELAY_MS ?? 0);
  const ready = new Promise<void>((resolve) => {
    process.on("message", (msg: ToWorker) => {
      if (msg.t === "ready") resolve();
      else if (msg.t === "shutdown") onShutdown();
      else if (lag > 0 && msg.t !== "replies" && msg.t !== "model")
        setTimeout(() => backend.receive(msg), lag);
      else backend.receive(msg);
    });
  });
  // The primary coordinates shutdown; a terminal's Ctrl-C reaches every process of the group.
  process.on("SIGINT", () => {});
  process.on("SIGTERM", () => {});
  process.on("disconnect", () => {
    backend.abandon("the writer process is gone");
    process.exit(1);
  });
  send({ t: "hello" });
  await ready;
  reportPredictions(backend);
  return {
    backend,
    listening: (url) => send({ t: "listening", url }),
    failed: (reason) => process.send?.({ t: "failed", reason } satisfies ToPrimary, () => process.exit(1)),
  };
}
