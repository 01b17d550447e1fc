/**
 * When and how a model's writer checkpoints: every N events or T seconds after a change (a
 * timer), on demand and at shutdown; the log is synced first so a checkpoint never runs ahead
 * of it; only the newest K are kept; then retention deletes the log segments no kept
 * checkpoint needs.
 *
 * The retention rule (`retain: "checkpoints"`): recovery needs only a checkpoint and the log
 * after it, and a checkpoint holds everything the log before it could give: the model and its
 * metrics, the predictions still waiting for their labels (their features and what was
 * served) and the recent event ids. So the log is kept from the oldest kept checkpoint on, and
 * every whole segment below it is deleted, whatever remembered predictions those segments
 * logged (their entries live on in every later checkpoint). A rollback names a kept
 * checkpoint, and the writer checkpoints right after it, so no recovery from the newest
 * checkpoint ever needs a pruned one; only a fallback to an older checkpoint (the newer ones
 * damaged) past a rollback whose target was pruned can find its state gone, and that stops
 * with `BROOK_HISTORY_PRUNED` rather than guess. `retain: "all"` keeps every segment.
 */
import { diskFault } from "../errors.js";
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
  /** `checkpoints` (default): delete log segments below the oldest kept checkpoint; `all`: keep every one. */
  retain?: "checkpoints" | "all";
}

/** A checkpoint that could not be written: reported by the writer's health until one succeeds. */
export interface CheckpointProblem {
  code: string;
  message: string;
  since: number;
}

export class Checkpointer {
  private last = { seq: 0, at: Date.now() };
  /** Seconds the last checkpoint took (log sync and save), for operators; undefined before the first. */
  lastDuration: number | undefined;
  private running: Promise<CheckpointInfo> | undefined;
  private readonly timer: NodeJS.Timeout;
  /** The last checkpoint failure, until a checkpoint succeeds. */
  problem: CheckpointProblem | undefined;

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
    const name = this.stores.record.name;
    this.running = (async () => {
      let saved: CheckpointInfo;
      const started = performance.now();
      try {
        await log.sync();
        saved = await checkpoints.save(info, body as unknown as Parameters<typeof checkpoints.save>[1]);
        this.lastDuration = (performance.now() - started) / 1000;
      } catch (err) {
        const fault = diskFault(err, `model "${name}": the checkpoint could not be written`);
        this.problem ??= { code: fault.code, message: fault.message, since: Date.now() };
        throw fault;
      }
      this.problem = undefined;
      this.last = { seq: info.seq, at: Date.now() };
      // The checkpoint is saved: cleaning up after it may fail without failing it.
      try {
        await checkpoints.prune(this.policy.checkpointKeep);
        await this.retain();
      } catch (err) {
        this.warn(
          { model: name, err: (err as Error).message },
          "removing old checkpoints or log segments failed",
        );
      }
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

  /** Deletes the log segments below the oldest kept checkpoint (unless `retain: "all"`). */
  private async retain(): Promise<void> {
    if (this.policy.retain === "all") return;
    const oldest = this.stores.checkpoints.list()[0];
    if (oldest) await this.stores.log.compact(oldest.seq);
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
