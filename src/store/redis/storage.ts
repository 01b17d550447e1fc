/**
 * The `Storage` port over Redis: the registry of models is one hash shared by every node, each
 * model's log a stream and its checkpoints envelopes (see keys.ts for the layout). Besides the
 * port, what a Brook node needs that only a shared store has: creating and deleting a model
 * atomically with its announcement on the control stream (so every node follows), the model
 * generations, and deleting a generation's keys once nobody serves it.
 */
import type { Redis } from "ioredis";
import type { ModelRecord, Storage, StorageLogger } from "../ports.js";
import { RedisCheckpointStore } from "./checkpoints.js";
import { connect, type RedisTarget, ready } from "./connection.js";
import { KeySpace } from "./keys.js";
import { RedisEventLog } from "./log.js";
import { CREATE, DROP, ENSURE } from "./scripts.js";

/** A model in the registry, with the generation of its keys. */
export interface RegistryEntry {
  record: ModelRecord;
  gen: number;
}

export type CreateResult = { created: true; gen: number } | { created: false; record: ModelRecord };

/** The registry's order: by creation time, then name (a hash keeps none). */
function byCreation(a: ModelRecord, b: ModelRecord): number {
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.name < b.name ? -1 : 1;
}

export class RedisStorage implements Storage {
  readonly kind = "redis" as const;
  readonly location: string;
  logger?: StorageLogger | undefined;
  readonly keys: KeySpace;

  constructor(
    /** The command connection (auto-pipelined). */
    readonly redis: Redis,
    readonly target: RedisTarget,
    prefix: string,
  ) {
    this.keys = new KeySpace(prefix);
    this.location = `${target.shown} (prefix ${prefix})`;
  }

  /** Connects to `target` and waits until it answers (at most `timeoutMs`). */
  static async open(
    target: RedisTarget,
    prefix: string,
    name: string,
    timeoutMs = 10_000,
  ): Promise<RedisStorage> {
    const redis = connect(target, { commandTimeoutMs: 5000, name, autoPipeline: true });
    // A refused connection is retried by the client; its errors are reported by whoever watches it.
    redis.on("error", () => {});
    try {
      await ready(redis, timeoutMs);
    } catch (err) {
      redis.disconnect();
      throw new Error(`Redis at ${target.shown} does not answer: ${(err as Error).message}`);
    }
    return new RedisStorage(redis, target, prefix);
  }

  /** Redis is shared by design: there is no folder to own. */
  async lock(): Promise<void> {}

  async setAddress(): Promise<void> {}

  async loadRegistry(): Promise<ModelRecord[]> {
    const all = await this.redis.hgetall(this.keys.registry);
    return Object.values(all)
      .map((v) => JSON.parse(v) as ModelRecord)
      .sort(byCreation);
  }

  /** Every registered model with its generation. */
  async registryEntries(): Promise<RegistryEntry[]> {
    const records = await this.loadRegistry();
    const gens = await Promise.all(records.map((r) => this.generation(r.name)));
    return records.flatMap((record, i) => (gens[i] === undefined ? [] : [{ record, gen: gens[i]! }]));
  }

  /** The registry becomes exactly `models` (what the port's callers mean by saving it). */
  async saveRegistry(models: ModelRecord[]): Promise<void> {
    const current = await this.redis.hkeys(this.keys.registry);
    const tx = this.redis.multi();
    for (const name of current) if (!models.some((m) => m.name === name)) tx.hdel(this.keys.registry, name);
    for (const m of models) tx.hset(this.keys.registry, m.name, JSON.stringify(m));
    await tx.exec();
  }

  /** The registry entry is the record: nothing else to store. */
  async saveModelRecord(): Promise<void> {}

  /** The current generation of a model's keys (undefined: it has none). */
  async generation(model: string): Promise<number | undefined> {
    const gen = await this.redis.hget(this.keys.model(model, 0).meta, "gen");
    return gen === null ? undefined : Number(gen);
  }

  private async ensure(model: string): Promise<number> {
    const k = this.keys.model(model, 0);
    return Number(await ENSURE.run(this.redis, [k.meta, this.keys.generations], []));
  }

  async openLog(model: string): Promise<RedisEventLog> {
    const gen = await this.ensure(model);
    return RedisEventLog.open(this.redis, this.keys.model(model, gen), gen);
  }

  async openCheckpoints(model: string): Promise<RedisCheckpointStore> {
    const gen = await this.ensure(model);
    return RedisCheckpointStore.open(this.redis, this.keys.model(model, gen), gen);
  }

  /**
   * Registers a model with a new generation and announces it, unless one of that name exists
   * (then its record is returned and nothing changes). `head`: the seq its log starts after (a
   * model restored from a checkpoint).
   */
  async createModel(record: ModelRecord, head = 0): Promise<CreateResult> {
    const k = this.keys.model(record.name, 0);
    const reply = (await CREATE.run(
      this.redis,
      [this.keys.registry, this.keys.control, this.keys.generations, k.meta],
      [record.name, JSON.stringify(record), head],
    )) as [string, string | number];
    if (reply[0] === "created") return { created: true, gen: Number(reply[1]) };
    return { created: false, record: JSON.parse(String(reply[1])) as ModelRecord };
  }

  /**
   * Removes a model from the registry and ends its generation (announced: every node drops it,
   * and appends still in flight find it gone), then deletes that generation's keys.
   */
  async deleteModel(model: string): Promise<number> {
    const k = this.keys.model(model, 0);
    const gen = Number(await DROP.run(this.redis, [this.keys.registry, this.keys.control, k.meta], [model]));
    if (gen > 0) await this.deleteGeneration(model, gen);
    return gen;
  }

  /** Deletes the keys of one generation of a model (labelled markers expire by themselves). */
  async deleteGeneration(model: string, gen: number): Promise<void> {
    const k = this.keys.model(model, gen);
    const [pending, checkpoints] = await Promise.all([
      this.redis.zrange(k.pendingIndex, 0, -1),
      this.redis.hkeys(k.checkpoints),
    ]);
    const keys = [
      ...this.keys.dataKeys(k),
      ...pending.map((id) => k.pending(id)),
      ...checkpoints.map((s) => k.checkpoint(Number(s))),
    ];
    for (let i = 0; i < keys.length; i += 500) await this.redis.unlink(...keys.slice(i, i + 500));
  }

  async dropModel(model: string): Promise<void> {
    await this.deleteModel(model);
  }

  /** Keys of a name the registry does not list are of a deleted model: they go. */
  async setAside(model: string): Promise<string | undefined> {
    if ((await this.redis.hexists(this.keys.registry, model)) === 0) await this.deleteModel(model);
    return undefined;
  }

  /** Whether nothing of Brook is stored under this prefix (no model was ever created). */
  async isEmpty(): Promise<boolean> {
    const [registry, generations] = await Promise.all([
      this.redis.hlen(this.keys.registry),
      this.redis.exists(this.keys.generations),
    ]);
    return registry === 0 && generations === 0;
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
