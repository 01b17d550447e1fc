import cluster from "node:cluster";
import type { Logger } from "pino";
import type { Config } from "../../config/config.js";
import { brookError } from "../../errors.js";
import type { Json } from "../../learn/index.js";
import { applyToHost } from "../../models/apply.js";
import { ModelHost } from "../../models/model-host.js";
import type { LearnItem, LearnResult } from "../../models/writer.js";
import { buildApp } from "../../server/app.js";
import { decodeEvents } from "../../store/events.js";
import type { CheckpointInfo, ModelRecord } from "../../store/ports.js";
import {
  type Backend,
  type ModelDetails,
  type ModelSummary,
  type RememberItem,
  summaryOf,
} from "../backend.js";
import { listen } from "../start.js";
import type { Call, Op, ToPrimary, ToWorker } from "./protocol.js";
import { errorFromWire, learnItemsToWire, rememberItemsToWire } from "./wire.js";

function send(msg: ToPrimary): void {
  process.send?.(msg);
}

/**
 * A cluster worker's view of the models: read replicas that apply the writer's events as they
 * stream in (the same code the writer runs), and calls forwarded to the primary for every write
 * and admin operation. Calls are batched per tick into one message.
 */
export class WorkerBackend implements Backend {
  private readonly replicas = new Map<string, ModelHost>();
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private queue: Call[] = [];
  private nextId = 1;
  private readonly acks = new Map<string, number>();
  private ackScheduled = false;

  constructor(readonly workerId: number) {}

  /** Handles a message from the primary. */
  receive(msg: ToWorker): void {
    switch (msg.t) {
      case "model": {
        const host = new ModelHost(
          msg.record.name,
          msg.record.spec as string,
          msg.record.metrics,
          msg.record.drift,
        );
        host.restoreSnapshot(msg.snapshot);
        this.replicas.set(msg.record.name, host);
        this.ack(msg.record.name, host.seq);
        break;
      }
      case "drop":
        this.replicas.delete(msg.model);
        break;
      case "events": {
        const host = this.replicas.get(msg.model);
        if (!host) break;
        for (const stored of decodeEvents(msg.events)) {
          if (stored.seq <= host.seq) continue; // already in the snapshot
          applyToHost(host, stored, () => {
            throw new Error("rollbacks reach replicas as a reset, not as an event");
          });
        }
        this.ack(msg.model, host.seq);
        break;
      }
      case "reset": {
        const host = this.replicas.get(msg.model);
        if (!host) break;
        host.restoreSnapshot(msg.snapshot);
        this.ack(msg.model, host.seq);
        break;
      }
      case "replies":
        for (const r of msg.replies) {
          const p = this.pending.get(r.id);
          if (!p) continue;
          this.pending.delete(r.id);
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
  private call<T>(op: Op, ...args: unknown[]): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.queue.push({ id, op, args });
      if (this.queue.length === 1) {
        setImmediate(() => {
          const calls = this.queue;
          this.queue = [];
          send({ t: "calls", calls });
        });
      }
    });
  }

  /** Fails every call still waiting (the primary is gone). */
  abandon(reason: string): void {
    for (const p of this.pending.values()) p.reject(brookError("UNAVAILABLE", reason));
    this.pending.clear();
  }

  host(name: string): ModelHost {
    const h = this.replicas.get(name);
    if (!h) throw brookError("MODEL_NOT_FOUND", `there is no model called "${name}"`, { model: name });
    return h;
  }

  async list(): Promise<ModelSummary[]> {
    return [...this.replicas.values()].map(summaryOf);
  }

  async details(name: string): Promise<ModelDetails> {
    const local = this.host(name);
    const d = await this.call<ModelDetails>("details", name);
    return { ...d, served_by: { worker: this.workerId, version: local.version, seq: local.seq } };
  }

  learn(name: string, items: readonly LearnItem[], options: { texts?: boolean } = {}): Promise<LearnResult> {
    return this.call("learn", name, learnItemsToWire(items), options);
  }

  remember(name: string, items: readonly RememberItem[]): Promise<string[]> {
    return this.call("remember", name, rememberItemsToWire(items));
  }

  create(name: string, spec: Json, metrics: readonly string[], drift?: string) {
    return this.call<{ details: ModelDetails; created: boolean }>("create", name, spec, metrics, drift);
  }

  delete(name: string): Promise<void> {
    return this.call("delete", name);
  }

  checkpoint(name: string): Promise<CheckpointInfo> {
    return this.call("checkpoint", name);
  }

  checkpoints(name: string) {
    return this.call<{ version: number; checkpoints: CheckpointInfo[] }>("checkpoints", name);
  }

  rollback(name: string, version: number) {
    return this.call<{ version: number; checkpoint: CheckpointInfo; learned: number }>(
      "rollback",
      name,
      version,
    );
  }

  import(name: string, doc: unknown) {
    return this.call<{ version: number; learned: number }>("import", name, doc);
  }

  modelCount(): number {
    return this.replicas.size;
  }

  async close(): Promise<void> {}
}

/** Runs an HTTP worker: gets every model from the primary, then serves. */
export async function runWorker(config: Config, log: Logger): Promise<void> {
  const id = cluster.worker?.id ?? 0;
  const backend = new WorkerBackend(id);
  const ready = new Promise<void>((resolve) => {
    process.on("message", (msg: ToWorker) => {
      if (msg.t === "ready") resolve();
      else if (msg.t === "shutdown") void shutdown();
      else backend.receive(msg);
    });
  });
  const app = buildApp({
    config,
    backend,
    logger: log.child({ worker: id }),
    headers: { "x-brook-worker": String(id) },
  });
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    await app.close();
    process.exit(0);
  };
  // The primary coordinates shutdown; a terminal's Ctrl-C reaches every process of the group.
  process.on("SIGINT", () => {});
  process.on("SIGTERM", () => {});
  // No primary, no writer: never serve without one.
  process.on("disconnect", () => {
    backend.abandon("the writer process is gone");
    process.exit(1);
  });
  send({ t: "hello" });
  await ready;
  const url = await listen(app, config);
  send({ t: "listening", url });
}

export type { ModelRecord };
