/**
 * When and how a model's writer checkpoints: every N events or T seconds after a change (a
 * timer), on demand and at shutdown; the log is synced first so a checkpoint never runs ahead
 * of it; only the newest K are kept.
 */
import type { CheckpointInfo } from "../store/ports.js";
import type { ModelState } from "./apply.js";
import type { CheckpointBody, ModelStores } from "./recovery.js";

/** A writer's checkpoint policy. */
export interface CheckpointPolicy {
  /** Checkpoint after this many events... */
  checkpointEvery: number;
  /** ...or this long after the last checkpoint when events came in (ms). */
  checkpointIntervalMs: number;
  /** Checkpoints kept (older ones are deleted). */
  checkpointKeep: number;
}

export class Checkpointer {
  private last = { seq: 0, at: Date.now() };
  private running: Promise<CheckpointInfo> | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly stores: ModelStores,
    private readonly policy: CheckpointPolicy,
    /** The state to save (called when a checkpoint starts). */
    private readonly state: () => ModelState,
    /** Whether automatic checkpoints may run now (not while closing or failed). */
    private readonly enabled: () => boolean,
    private readonly warn: (obj: object, msg: string) => void,
    /** Told of every checkpoint saved. */
    private readonly saved: (info: CheckpointInfo) => void = () => {},
  ) {
    this.timer = setInterval(() => this.maybe(true), Math.max(1000, policy.checkpointIntervalMs / 4));
    this.timer.unref();
  }

  /** The seq the newest checkpoint covers (recovery tells where it started). */
  startFrom(seq: number): void {
    this.last = { seq, at: Date.now() };
  }

  /** Whether events were applied since the last checkpoint. */
  get behind(): boolean {
    return this.state().model.seq > this.last.seq;
  }

  /** Checkpoints if the policy says it is due (`timer`: the interval counts too). */
  maybe(timer: boolean): void {
    if (this.running || !this.enabled()) return;
    const since = this.state().model.seq - this.last.seq;
    if (since <= 0) return;
    const due =
      since >= this.policy.checkpointEvery ||
      (timer && Date.now() - this.last.at >= this.policy.checkpointIntervalMs);
    if (due) {
      this.take().catch((err: Error) =>
        this.warn({ model: this.stores.record.name, err: err.message }, "checkpoint failed"),
      );
    }
  }

  /** Takes a checkpoint of the applied state now (one at a time; an existing one at this seq is reused). */
  async take(): Promise<CheckpointInfo> {
    while (this.running) await this.running.catch(() => undefined);
    const { model, pending, eventIds } = this.state();
    const existing = this.stores.checkpoints.list().find((c) => c.seq === model.seq);
    if (existing) return existing;
    // Expired predictions can never be labelled: leave them out of the checkpoint and of memory.
    pending.sweep(Date.now());
    const body: CheckpointBody = {
      model: model.snapshot(),
      pending: pending.exportState(),
      eventIds: eventIds.exportState(),
    };
    const info = { seq: model.seq, version: model.version, createdAt: new Date().toISOString() };
    const { log, checkpoints } = this.stores;
    this.running = (async () => {
      await log.sync();
      const saved = await checkpoints.save(info, body as unknown as Parameters<typeof checkpoints.save>[1]);
      await checkpoints.prune(this.policy.checkpointKeep);
      this.last = { seq: info.seq, at: Date.now() };
      return saved;
    })();
    let saved: CheckpointInfo;
    try {
      saved = await this.running;
    } finally {
      this.running = undefined;
    }
    this.saved(saved);
    return saved;
  }

  list(): CheckpointInfo[] {
    return this.stores.checkpoints.list();
  }

  /** Stops the timer and waits for a checkpoint in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }
}
