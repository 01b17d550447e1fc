/**
 * A Brook node of the Redis topology: many nodes share one Redis, which holds the registry,
 * every model's log (a stream) and checkpoints. Each node keeps a copy of every model
 * (`LogFollower`) that applies the log's events in seq order with the same code as the
 * embedded writer, following the streams with one blocking XREAD (batched); any node accepts
 * writes, appended by a script that checks them atomically (ops.ts). Nodes of role `learn` and
 * `all` compete for each model's lease; its holder checkpoints, backs up and trims the log
 * (duties.ts). This file owns the node's copies, the following, and what it knows of Redis'
 * reachability.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";
import type { LogEvent, Stored } from "../../codec/events.js";
import { brookError, clip } from "../../errors.js";
import type { CheckpointPolicy } from "../../models/checkpointing.js";
import { type LogEntry, LogFollower, LogGapError, logEntry } from "../../models/log-follower.js";
import type { CheckpointBody, StateLimits } from "../../models/recovery.js";
import type { BackupTarget } from "../../store/backup/target.js";
import type { CheckpointInfo, ModelRecord } from "../../store/ports.js";
import { RedisCheckpointStore } from "../../store/redis/checkpoints.js";
import { connect, type RedisTarget, ready } from "../../store/redis/connection.js";
import type { ModelKeys } from "../../store/redis/keys.js";
import { logBounds, readEntries } from "../../store/redis/log.js";
import { restoreFromBackup } from "../../store/redis/restore.js";
import { RedisStorage, type RegistryEntry } from "../../store/redis/storage.js";
import {
  afterSeq,
  clientId,
  controlEntries,
  type Followed,
  interrupt,
  lastControlId,
  logEntries,
  readStreams,
} from "../../store/redis/tail.js";
import { type EngineHealth, shuttingDown } from "../engine.js";
import type { FeedModel, FeedObserver } from "../events/engine-feed.js";
import { ModelDuties } from "./duties.js";

export type Role = "all" | "serve" | "learn";

/** Everything a node is configured with. */
export interface NodeOptions extends CheckpointPolicy, StateLimits {
  target: RedisTarget;
  prefix: string;
  role: Role;
  /** How long a remembered prediction waits for its label (ms). */
  pendingTtlMs: number;
  leaseTtlMs: number;
  backup: BackupTarget | undefined;
  backupIntervalMs: number;
  backupKeep: number;
  /** Created when Redis holds no model at all (and no backup was restored). */
  defaultModel: { name: string; spec: string; metrics: readonly string[] };
  logger: {
    warn(obj: object, msg: string): void;
    info(obj: object, msg: string): void;
    error(obj: object, msg: string): void;
  };
  /** Most entries of one stream per read. */
  followBatch?: number;
  /** How long one blocking read waits (ms). */
  blockMs?: number;
  /** How long a write waits for this node to apply it before answering 503 (ms). */
  applyTimeoutMs?: number;
  /** Most lags of a forecaster created (`--max-forecast-order`; none: unbounded). */
  maxForecastOrder?: number;
}

/** A model on this node. */
export interface Served {
  /** Replaced when the model is loaded again from a checkpoint (see `reload`). */
  follower: LogFollower;
  keys: ModelKeys;
  checkpoints: RedisCheckpointStore;
  /** The lease holder's work (roles `learn` and `all`). */
  duties: ModelDuties | undefined;
  /** What the live feed reads of it. */
  feed: FeedModel;
}

/** Redis could not be reached: since when, and why. */
interface Outage {
  since: number;
  reason: string;
}

/** A hook that sees every event before it is appended, and may refuse it by throwing. */
export type BeforeAppend = (model: string, events: readonly LogEvent[]) => void | Promise<void>;

export class RedisNode {
  /** This node's id: host, process and a random part (shown as a lease holder, tags its appends). */
  readonly id: string;
  private readonly models = new Map<string, Served>();
  private readonly loading = new Map<string, Promise<Served>>();
  private controlAfter = "0-0";
  private tailClient = -1;
  private closed = false;
  private outage: Outage | undefined;
  /** Models whose data vanished from Redis (it restarted without persistence?). */
  private readonly lost = new Map<string, number>();
  private following: Promise<void> | undefined;
  private origins = 0;
  private readonly observers: FeedObserver[] = [];
  /**
   * Runs before any event is appended (a guardrail): every write of every model goes through
   * `RedisOps`, which calls it with the events about to be logged; a throw refuses the request.
   */
  beforeAppend: BeforeAppend | undefined;

  private constructor(
    readonly storage: RedisStorage,
    /** The connection of blocking reads. */
    private readonly tail: Redis,
    readonly options: NodeOptions,
  ) {
    this.id = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  }

  get redis(): Redis {
    return this.storage.redis;
  }

  get role(): Role {
    return this.options.role;
  }

  /** Connects, restores an empty Redis from the backup (learn/all), loads every model, follows. */
  static async start(options: NodeOptions): Promise<RedisNode> {
    const storage = await RedisStorage.open(options.target, options.prefix, `brook:${process.pid}`);
    storage.logger = options.logger;
    const tail = connect(options.target, {
      commandTimeoutMs: (options.blockMs ?? 1000) + 5000,
      name: `brook:${process.pid}:follow`,
    });
    tail.on("error", () => {});
    const node = new RedisNode(storage, tail, options);
    try {
      await ready(tail, 10_000);
      node.tailClient = await clientId(tail);
      tail.on("ready", () => {
        void clientId(tail).then(
          (id) => {
            node.tailClient = id;
          },
          () => undefined,
        );
      });
      node.watchConnection();
      await node.restoreIfEmpty();
      node.controlAfter = await lastControlId(storage.redis, storage.keys.control);
      const entries = await storage.registryEntries();
      for (const entry of entries) await node.load(entry);
      // The default model of a Redis never used, made by a node that may restore (never a serve
      // node: a learn node starting next to it may have a backup to put there first).
      if (options.role !== "serve" && entries.length === 0 && (await storage.isEmpty()))
        await node.createDefault();
    } catch (err) {
      await node.close({ checkpoint: false });
      throw err;
    }
    node.following = node.follow();
    return node;
  }

  /** A backup goes into an empty Redis before anything else happens (one node does it; the others wait). */
  private async restoreIfEmpty(): Promise<void> {
    const { backup, role, logger } = this.options;
    if (!backup || role === "serve") return;
    const lock = this.storage.keys.restoring;
    for (let waited = 0; ; waited++) {
      if (!(await this.storage.isEmpty())) return;
      if ((await this.redis.set(lock, this.id, "PX", 120_000, "NX")) === "OK") break;
      if (waited > 1200) throw new Error("another node has been restoring from the backup for 2 minutes");
      await sleep(100);
    }
    try {
      if (!(await this.storage.isEmpty())) return;
      const restored = await restoreFromBackup(this.storage, backup, logger).catch((err: Error) => {
        if (/holds no Brook backup/.test(err.message)) return [];
        throw err;
      });
      if (restored.length > 0)
        logger.info(
          { backup: backup.location, restored },
          `Redis was empty: restored ${restored.length} models from ${backup.location}`,
        );
    } finally {
      await this.redis.del(lock);
    }
  }

  private async createDefault(): Promise<void> {
    const { RedisOps } = await import("./ops.js");
    const d = this.options.defaultModel;
    await new RedisOps(this).create(d.name, d.spec, d.metrics);
  }

  // ---------------------------------------------------------------- models on this node

  /** The model `name` as this node has it (404 if none). */
  served(name: string): Served {
    const s = this.models.get(name);
    if (!s)
      throw brookError("MODEL_NOT_FOUND", `there is no model called "${clip(name)}"`, { model: clip(name) });
    return s;
  }

  list(): Served[] {
    return [...this.models.values()];
  }

  /** Loads a model (its newest checkpoint, then its log) unless this node has that generation already. */
  ensure(entry: RegistryEntry): Promise<Served> {
    const have = this.models.get(entry.record.name);
    if (have && have.follower.gen === entry.gen) return Promise.resolve(have);
    const key = `${entry.record.name}:${entry.gen}`;
    let p = this.loading.get(key);
    if (!p) {
      p = this.load(entry).finally(() => this.loading.delete(key));
      this.loading.set(key, p);
    }
    return p;
  }

  private async load(entry: RegistryEntry): Promise<Served> {
    const { record, gen } = entry;
    const keys = this.storage.keys.model(record.name, gen);
    let duties: ModelDuties | undefined;
    const checkpoints = new RedisCheckpointStore(
      this.redis,
      keys,
      gen,
      this.role === "serve" ? undefined : () => duties?.fencing(),
    );
    const follower = await this.catchUp(record, gen, keys, checkpoints);
    // Envelopes read to catch up are not kept (the lease holder keeps the ones it writes).
    checkpoints.forget(0);
    const served: Served = {
      follower,
      keys,
      checkpoints,
      duties: undefined,
      feed: {
        record,
        get model() {
          return served.follower.model;
        },
        listCheckpoints: () => checkpoints.list(),
      },
    };
    if (this.closed) return served;
    const previous = this.models.get(record.name);
    if (previous && previous.follower.gen !== gen) this.dropLocal(record.name);
    this.attach(served);
    this.models.set(record.name, served);
    if (this.role !== "serve") {
      duties = new ModelDuties(this, served);
      served.duties = duties;
      duties.start();
    }
    for (const o of this.observers) o.created(served.feed);
    this.wake();
    return served;
  }

  /** Tells the feed of what the model's follower applies. */
  private attach(s: Served): void {
    s.follower.onApplied = (stored: Stored) => {
      for (const o of this.observers) o.applied(s.feed, stored);
    };
  }

  /** Loads a model again from its newest checkpoint (its log could not be applied); waiting requests carry over. */
  private async reload(s: Served): Promise<void> {
    const follower = await this.catchUp(s.follower.record, s.follower.gen, s.keys, s.checkpoints);
    if (this.models.get(s.follower.record.name) !== s) return;
    s.follower.handOver(follower);
    s.follower = follower;
    this.attach(s);
    this.wake();
  }

  /** A model's newest checkpoint that loads, then every event of its log after it. */
  private async catchUp(
    record: ModelRecord,
    gen: number,
    keys: ModelKeys,
    checkpoints: RedisCheckpointStore,
  ): Promise<LogFollower> {
    let body: CheckpointBody | undefined;
    for (const info of (await checkpoints.refresh()).reverse()) {
      try {
        body = (await checkpoints.fetch(info.seq)) as unknown as CheckpointBody;
        break;
      } catch (err) {
        this.options.logger.warn(
          { model: record.name, seq: info.seq, err: (err as Error).message },
          "checkpoint unusable, trying the one before",
        );
      }
    }
    const follower = new LogFollower(record, gen, this.options, body);
    const { head, first } = await logBounds(this.redis, keys);
    if (follower.seq + 1 < first && head >= first) {
      throw brookError(
        "HISTORY_PRUNED",
        `model "${record.name}": no usable checkpoint at or after seq ${first - 1}, and the events before seq ${first} were trimmed`,
        { first },
      );
    }
    // Batches read ahead: Redis answers the next one (on its own core) while this one is applied.
    const batch = 1000;
    let next = readEntries(this.redis, keys.stream, follower.seq + 1, batch);
    for (;;) {
      const raw = await next;
      if (raw.length === 0) break;
      const last = raw[raw.length - 1]!.seq;
      next = readEntries(this.redis, keys.stream, last + 1, batch);
      // Origins kept: requests handed over from a copy being replaced wait for theirs.
      await this.applyTo(
        follower,
        checkpoints,
        raw.map((e) => logEntry(e.record, e.origin)),
      );
      if (raw.length < batch) {
        await next.catch(() => undefined);
        break;
      }
    }
    return follower;
  }

  /** Applies entries to a follower, with the checkpoints its rollbacks return to fetched first. */
  private async applyTo(
    follower: LogFollower,
    checkpoints: RedisCheckpointStore,
    entries: LogEntry[],
  ): Promise<void> {
    const targets = new Map<number, CheckpointBody>();
    for (const e of entries) {
      const ev = e.stored.event;
      if (ev.type === "rollback" && e.stored.seq > follower.seq && !targets.has(ev.checkpoint)) {
        await checkpoints.refresh();
        targets.set(ev.checkpoint, (await checkpoints.fetch(ev.checkpoint)) as unknown as CheckpointBody);
      }
    }
    follower.apply(entries, (seq) => {
      const body = targets.get(seq);
      if (!body) throw new Error(`the checkpoint at seq ${seq} a rollback returns to is not here`);
      return body.model;
    });
  }

  /** Forgets a model here (deleted everywhere): the requests waiting on it get a 404. */
  private dropLocal(name: string): void {
    const s = this.models.get(name);
    if (!s) return;
    this.models.delete(name);
    this.lost.delete(name);
    s.duties?.stop({ checkpoint: false });
    s.follower.fail(brookError("MODEL_NOT_FOUND", `model "${name}" was deleted`, { model: name }));
    for (const o of this.observers) o.deleted(name);
  }

  /** Deletes a model everywhere (the registry, its keys), then here. */
  async deleteModel(name: string): Promise<void> {
    this.served(name);
    await this.storage.deleteModel(name);
    this.dropLocal(name);
  }

  /** A tag for an append: this node, and a number of its own. */
  nextOrigin(): string {
    return `${this.id}#${(++this.origins).toString(36)}`;
  }

  // ---------------------------------------------------------------- following the streams

  /** Makes a blocked read return now, so that the next one follows the models this node has now. */
  private wake(): void {
    if (this.tailClient < 0 || this.closed) return;
    void interrupt(this.redis, this.tailClient).catch(() => undefined);
  }

  private async follow(): Promise<void> {
    const count = this.options.followBatch ?? 1000;
    const block = this.options.blockMs ?? 1000;
    let backoff = 50;
    while (!this.closed) {
      const served = this.list();
      const streams: Followed[] = [
        { key: this.storage.keys.control, after: this.controlAfter },
        ...served.map((s) => ({ key: s.keys.stream, after: afterSeq(s.follower.seq) })),
      ];
      let batch: Awaited<ReturnType<typeof readStreams>>;
      try {
        batch = await readStreams(this.tail, streams, count, block);
      } catch (err) {
        if (this.closed) break;
        this.down(err);
        await sleep(backoff);
        backoff = Math.min(1000, backoff * 2);
        continue;
      }
      backoff = 50;
      this.up();
      for (const s of served) {
        const raw = batch.get(s.keys.stream);
        if (!raw || this.models.get(s.follower.record.name) !== s) continue;
        try {
          await this.applyTo(
            s.follower,
            s.checkpoints,
            logEntries(raw).map((e) => logEntry(e.record, e.origin)),
          );
          s.duties?.applied();
        } catch (err) {
          await this.resync(s, err);
        }
      }
      const control = batch.get(this.storage.keys.control);
      if (control) {
        for (const c of controlEntries(control)) {
          this.controlAfter = c.id;
          await this.onControl(c.op, c.fields).catch((err: Error) =>
            this.options.logger.warn(
              { op: c.op, ...c.fields, err: err.message },
              "a control entry could not be handled",
            ),
          );
        }
      }
    }
  }

  /** A model this node could not apply the log of: loaded again from its newest checkpoint. */
  private async resync(s: Served, err: unknown): Promise<void> {
    const name = s.follower.record.name;
    const gap = err instanceof LogGapError;
    this.options.logger[gap ? "warn" : "error"](
      { model: name, err: (err as Error).message },
      "this node's copy of the model is loaded again from its newest checkpoint",
    );
    try {
      await this.reload(s);
    } catch (again) {
      this.options.logger.error(
        { model: name, err: (again as Error).message },
        "the model could not be loaded again",
      );
      await sleep(500);
    }
  }

  private async onControl(op: string, f: Record<string, string>): Promise<void> {
    const name = f.model ?? "";
    const gen = Number(f.gen ?? 0);
    switch (op) {
      case "create": {
        const have = this.models.get(name);
        if (have && have.follower.gen >= gen) return;
        const record = await this.redis.hget(this.storage.keys.registry, name);
        const current = await this.storage.generation(name);
        if (record !== null && current === gen)
          await this.ensure({ record: JSON.parse(record) as ModelRecord, gen });
        return;
      }
      case "delete": {
        const have = this.models.get(name);
        if (have && have.follower.gen <= gen) this.dropLocal(name);
        return;
      }
      case "checkpoint":
        this.models.get(name)?.duties?.requested(Number(f.seq ?? 0));
        return;
    }
  }

  /** Asks the model's lease holder, wherever it runs, for a checkpoint at `seq` or later. */
  async requestCheckpoint(name: string, seq: number): Promise<void> {
    await this.redis.xadd(
      this.storage.keys.control,
      "MAXLEN",
      "~",
      10000,
      "*",
      "op",
      "checkpoint",
      "model",
      name,
      "seq",
      seq,
    );
  }

  // ---------------------------------------------------------------- reachability

  private watchConnection(): void {
    this.redis.on("close", () => {
      if (!this.closed) this.down(new Error("the connection closed"));
    });
    this.redis.on("ready", () => {
      void this.checkModelsKept();
    });
  }

  /** Marks Redis unreachable (learns answer 503, predictions say they may be stale). */
  down(err: unknown): void {
    if (this.outage || this.closed) return;
    this.outage = { since: Date.now(), reason: (err as Error)?.message ?? String(err) };
    this.options.logger.warn(
      { redis: this.options.target.shown, err: this.outage.reason },
      "Redis is unreachable: learns are refused (503), predictions are served from this node's copies and may be stale",
    );
  }

  private up(): void {
    if (!this.outage) return;
    const seconds = (Date.now() - this.outage.since) / 1000;
    this.outage = undefined;
    this.options.logger.info({ redis: this.options.target.shown, seconds }, "Redis answers again");
  }

  /** After a reconnection: a model whose keys are gone means Redis lost its data. */
  private async checkModelsKept(): Promise<void> {
    for (const s of this.list()) {
      const name = s.follower.record.name;
      const gen = await this.storage.generation(name).catch(() => -1);
      if (gen === undefined && !this.lost.has(name)) {
        this.lost.set(name, Date.now());
        this.options.logger.error(
          { model: name },
          "Redis no longer has this model (did it restart without persistence?): its writes are refused; restore it from a backup",
        );
      } else if (gen !== undefined && gen >= 0) this.lost.delete(name);
    }
  }

  /** Why Redis is not usable now, if it is not. */
  get unreachable(): Outage | undefined {
    return this.outage;
  }

  /** Refuses a write while Redis is known to be unreachable, or the node is closing. */
  assertWritable(name: string): void {
    if (this.closed) throw brookError("UNAVAILABLE", "the server is shutting down");
    if (this.outage) throw this.unavailable(name, new Error(this.outage.reason));
    if (this.lost.has(name))
      throw brookError(
        "UNAVAILABLE",
        `model "${name}" is no longer in Redis (it restarted without persistence?): nothing was learned`,
      );
  }

  /** The answer to a write Redis did not confirm (nothing acknowledged). */
  unavailable(name: string, err: unknown): Error {
    if (isConnectionError(err)) this.down(err);
    return brookError(
      "STORAGE_UNAVAILABLE",
      `model "${name}": not stored: Redis at ${this.options.target.shown} did not confirm the write (${(err as Error).message}); writes resume by themselves once it answers (a retry with the same event_id is never learned twice)`,
      { cause: "REDIS_UNAVAILABLE" },
    );
  }

  /** Readiness: Redis answers and the node is not closing; and what is wrong with the models' checkpoints. */
  health(): EngineHealth {
    const problems: EngineHealth["problems"] = [];
    if (this.outage) {
      problems.push({
        model: "",
        kind: "log",
        code: "BROOK_STORAGE_UNAVAILABLE",
        message: `Redis at ${this.options.target.shown} is unreachable (${this.outage.reason}): learns are refused, predictions may be stale`,
        since: this.outage.since,
      });
    }
    for (const [name, since] of this.lost)
      problems.push({
        model: name,
        kind: "log",
        code: "BROOK_UNAVAILABLE",
        message: "the model is no longer in Redis",
        since,
      });
    for (const s of this.list()) {
      const p = s.duties?.problem;
      if (p) problems.push({ model: s.follower.record.name, kind: "checkpoint", ...p });
    }
    if (this.closed) problems.push(shuttingDown());
    return { ready: !this.closed && !this.outage && this.lost.size === 0, problems };
  }

  // ---------------------------------------------------------------- the live feed

  /** Tells `observer` of every event applied, checkpoint saved, model created or deleted here from now on. */
  watch(observer: FeedObserver): void {
    this.observers.push(observer);
  }

  /** The feed's view of every model. */
  feedModels(): FeedModel[] {
    return this.list().map((s) => s.feed);
  }

  /** A checkpoint was saved by this node (as the lease holder). */
  checkpointed(s: Served, info: CheckpointInfo): void {
    for (const o of this.observers) o.checkpointed(s.feed, info);
  }

  // ---------------------------------------------------------------- shutting down

  /** Stops following; lease holders checkpoint what changed (unless told not to) and give their leases up. */
  async close(options: { checkpoint?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake();
    this.tail.disconnect();
    await this.following?.catch(() => undefined);
    await Promise.all(this.list().map((s) => s.duties?.stop({ checkpoint: options.checkpoint !== false })));
    for (const s of this.list()) s.follower.fail(brookError("UNAVAILABLE", "the server is shutting down"));
    await this.storage.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }
}

/** Whether an error is a broken or refused connection (rather than an answer from Redis). */
export function isConnectionError(err: unknown): boolean {
  const m = String((err as Error)?.message ?? "");
  return (
    /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|Connection is closed|Stream isn't writeable|Command timed out|connect/i.test(
      m,
    ) || (err as { code?: string })?.code === "ECONNREFUSED"
  );
}
