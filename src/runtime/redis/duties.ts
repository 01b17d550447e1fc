/**
 * What the holder of a model's lease does, on a node of role `learn` or `all`: it takes the
 * lease when nobody holds it (and renews it), then checkpoints the model (every N events, T
 * seconds after a change, on request from any node, at shutdown), keeps the newest K, trims the
 * log below what they and the waiting predictions need, publishes the model's stats, and backs
 * the newest checkpoint up at its interval. Every write carries the lease's fencing token and
 * is refused by Redis once the lease is lost (scripts.ts), so two nodes never both act as the
 * model's checkpointer.
 */
import { brookError } from "../../errors.js";
import { backUp, saveBackupRegistry } from "../../store/backup/backups.js";
import type { CheckpointInfo } from "../../store/ports.js";
import { FencedError, type Fencing } from "../../store/redis/checkpoints.js";
import { Lease } from "../../store/redis/lease.js";
import { STATS, TRIM } from "../../store/redis/scripts.js";
import type { RedisNode, Served } from "./node.js";
import { isConnectionError } from "./node.js";

export class ModelDuties {
  readonly lease: Lease;
  private timer: NodeJS.Timeout | undefined;
  private last = { seq: 0, at: Date.now() };
  private running: Promise<CheckpointInfo> | undefined;
  /** The last checkpoint failure, until one succeeds. */
  problem: { code: string; message: string; since: number } | undefined;
  /** Seconds the last checkpoint took to save. */
  lastDuration: number | undefined;
  private lastBackup = { seq: -1, at: 0 };
  private wanted = 0;
  private stopped = false;
  private nextAttempt = 0;
  private renewedAt = 0;

  constructor(
    private readonly node: RedisNode,
    private readonly served: Served,
  ) {
    this.lease = new Lease(node.redis, served.keys, node.id, node.options.leaseTtlMs);
  }

  private get name(): string {
    return this.served.follower.record.name;
  }

  /** The lease as held now (undefined: another node, or nobody, holds it). */
  fencing(): Fencing | undefined {
    return this.lease.current();
  }

  get holding(): boolean {
    return this.lease.current() !== undefined;
  }

  start(): void {
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const ttl = this.lease.ttlMs;
    try {
      const now = performance.now();
      if (this.lease.current()) {
        if (now - this.renewedAt >= ttl / 3) {
          const sent = performance.now();
          if (await this.lease.renew()) this.renewedAt = sent;
          else
            this.node.options.logger.warn(
              { model: this.name },
              "lost the model's lease: another node checkpoints it now",
            );
        }
      } else if (now >= this.nextAttempt && !this.node.isClosed) {
        const sent = performance.now();
        const wait = await this.lease.acquire();
        if (wait === 0) {
          this.renewedAt = sent;
          await this.acquired();
        } else {
          // Try again right after the holder's lease would expire, or a quarter TTL from now.
          this.nextAttempt = performance.now() + Math.min(ttl / 4, wait + 5);
        }
      }
      if (this.lease.current()) {
        this.maybe(true);
        await this.maybeBackup(false);
      }
    } catch (err) {
      if (!isConnectionError(err))
        this.node.options.logger.warn(
          { model: this.name, err: (err as Error).message },
          "lease or checkpoint duty failed",
        );
    }
    const every = Math.min(ttl / 6, 1000);
    // A candidate wakes up right when the holder's lease would expire.
    this.schedule(
      this.lease.current() ? every : Math.max(20, Math.min(every, this.nextAttempt - performance.now())),
    );
  }

  /** Just took the lease: where the newest checkpoint is, so the policy counts from it. */
  private async acquired(): Promise<void> {
    const infos = await this.served.checkpoints.refresh();
    const newest = infos.at(-1);
    this.last = {
      seq: newest?.seq ?? 0,
      at: newest ? Date.parse(newest.createdAt) || Date.now() : Date.now(),
    };
    this.lastBackup = { seq: -1, at: 0 };
    this.node.options.logger.info(
      { model: this.name, fence: this.lease.current()?.fence, node: this.node.id },
      "holds the model's lease: checkpoints, retention and backups run here",
    );
  }

  /** Events were applied: a checkpoint may be due. */
  applied(): void {
    this.maybe(false);
  }

  /** A node asked for a checkpoint at `seq` or later. */
  requested(seq: number): void {
    this.wanted = Math.max(this.wanted, seq);
    this.maybe(false);
  }

  private maybe(timer: boolean): void {
    if (this.running || this.stopped || !this.lease.current()) return;
    const { checkpointEvery, checkpointIntervalMs } = this.node.options;
    const seq = this.served.follower.seq;
    const since = seq - this.last.seq;
    const asked = this.wanted > this.last.seq && seq >= this.wanted;
    const due =
      asked ||
      since >= checkpointEvery ||
      (timer && since > 0 && Date.now() - this.last.at >= checkpointIntervalMs);
    if (!due) return;
    this.checkpoint().catch((err: Error) =>
      this.node.options.logger.warn({ model: this.name, err: err.message }, "checkpoint failed"),
    );
  }

  /** Takes a checkpoint of this node's copy now (the lease holder only; one at a time). */
  async checkpoint(): Promise<CheckpointInfo> {
    while (this.running) await this.running.catch(() => undefined);
    const held = this.lease.current();
    if (!held)
      throw brookError(
        "UNAVAILABLE",
        `this node does not hold the lease of model "${this.name}": it takes no checkpoint`,
      );
    const { follower, checkpoints } = this.served;
    const existing = checkpoints.list().find((c) => c.seq === follower.seq);
    if (existing) {
      this.last = { seq: existing.seq, at: Date.now() };
      return existing;
    }
    // Built now, in one go: the state at exactly this seq.
    const body = follower.checkpointBody();
    const info = { seq: follower.seq, version: follower.model.version, createdAt: new Date().toISOString() };
    this.running = (async () => {
      const started = performance.now();
      let saved: CheckpointInfo;
      try {
        saved = await checkpoints.save(info, body as never);
      } catch (err) {
        if (err instanceof FencedError) this.lease.drop();
        else
          this.problem ??= {
            code: "BROOK_STORAGE_UNAVAILABLE",
            message: `model "${this.name}": the checkpoint could not be written (${(err as Error).message})`,
            since: Date.now(),
          };
        throw err;
      }
      this.lastDuration = (performance.now() - started) / 1000;
      this.problem = undefined;
      this.last = { seq: info.seq, at: Date.now() };
      try {
        await checkpoints.prune(this.node.options.checkpointKeep);
        await this.trim(held);
        await this.publish(held, saved);
      } catch (err) {
        this.node.options.logger.warn(
          { model: this.name, err: (err as Error).message },
          "removing old checkpoints or trimming the log failed",
        );
      }
      checkpoints.forget(2);
      this.node.checkpointed(this.served, saved);
      return saved;
    })();
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  /** Deletes the log's events below the oldest kept checkpoint and the oldest waiting prediction. */
  private async trim(held: Fencing): Promise<void> {
    if (this.node.options.retain === "all") return;
    const k = this.served.keys;
    await TRIM.run(
      this.node.redis,
      [k.lease, k.meta, k.stream, k.checkpoints, k.pendingIndex],
      [held.value, this.served.follower.gen, this.last.seq, "1", k.pendingPrefix],
    );
  }

  /** What the holder publishes about the model (fenced): version, learned, metrics, newest checkpoint. */
  private async publish(held: Fencing, saved: CheckpointInfo): Promise<void> {
    const m = this.served.follower.model;
    const k = this.served.keys;
    await STATS.run(
      this.node.redis,
      [k.lease, k.stats],
      [
        held.value,
        "version",
        m.version,
        "seq",
        m.seq,
        "learned",
        m.learned,
        "metrics",
        JSON.stringify(m.metricValues()),
        "checkpoint_seq",
        saved.seq,
        "fence",
        held.fence,
        "node",
        this.node.id,
        "at",
        Date.now(),
      ],
    );
  }

  /** Backs the newest checkpoint up when the interval has passed (or `now`) and it is not backed up yet. */
  private async maybeBackup(now: boolean): Promise<void> {
    const target = this.node.options.backup;
    if (!target || !this.lease.current()) return;
    if (!now && Date.now() - this.lastBackup.at < this.node.options.backupIntervalMs) return;
    const newest = this.served.checkpoints.list().at(-1);
    this.lastBackup.at = Date.now();
    if (!newest || newest.seq === this.lastBackup.seq) return;
    const envelope = await this.served.checkpoints.envelope(newest.seq);
    if (!envelope || !this.lease.current()) return;
    await saveBackupRegistry(target, await this.node.storage.loadRegistry());
    await backUp(target, this.name, envelope, this.node.options.backupKeep);
    this.lastBackup = { seq: newest.seq, at: Date.now() };
  }

  /** Stops; with `checkpoint`, the holder checkpoints what changed and backs it up first. Then the lease goes. */
  async stop(options: { checkpoint: boolean }): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    if (options.checkpoint && this.lease.current()) {
      try {
        if (this.served.follower.seq > this.last.seq) await this.checkpoint();
        await this.maybeBackup(true);
      } catch (err) {
        this.node.options.logger.warn(
          { model: this.name, err: (err as Error).message },
          "final checkpoint failed",
        );
      }
    }
    await this.lease.release().catch(() => undefined);
  }
}
