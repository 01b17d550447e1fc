/**
 * A model's checkpoints in Redis: each one an envelope (store/envelope.ts) under its own key,
 * their infos in a hash, and a pointer to the newest (`<seq>|<fence>`). Writes are fenced when
 * a lease is given: the save script refuses a writer that does not hold the model's lease now,
 * or whose fencing token is older than the newest checkpoint's, so a node that was paused past
 * its lease can never overwrite what a newer holder wrote.
 */
import type { Redis } from "ioredis";
import { brookError } from "../../errors.js";
import type { Json } from "../../learn/index.js";
import { envelopeMeta, openCheckpoint, sealCheckpoint } from "../envelope.js";
import { CheckpointCorruptError, type CheckpointInfo, type CheckpointStore } from "../ports.js";
import type { ModelKeys } from "./keys.js";
import { CHECKPOINT_PRUNE, CHECKPOINT_SAVE } from "./scripts.js";

/** The lease a writer holds now: its value in Redis and its fencing token. */
export interface Fencing {
  value: string;
  fence: number;
}

/** A checkpoint's info as the hash keeps it. */
export interface StoredCheckpoint extends CheckpointInfo {
  fence: number;
}

/** A fenced write was refused: another node holds the lease, or wrote a newer checkpoint. */
export class FencedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FencedError";
  }
}

/** The `CheckpointStore` port over Redis, with async reads for what does not need the port's. */
export class RedisCheckpointStore implements CheckpointStore {
  private infos: StoredCheckpoint[] = [];
  /** Envelopes read or written by this process, by seq (the port's `load` is synchronous). */
  private readonly bodies = new Map<number, string>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: ModelKeys,
    private readonly gen: number,
    /** The lease held now, when writes are fenced (undefined: not the holder, writes refused). */
    private readonly fencing?: () => Fencing | undefined,
  ) {}

  /** Opens a model's checkpoints for the port: their infos and envelopes are read now. */
  static async open(redis: Redis, keys: ModelKeys, gen: number): Promise<RedisCheckpointStore> {
    const store = new RedisCheckpointStore(redis, keys, gen);
    await store.refresh();
    for (const c of store.infos) {
      const sealed = await redis.get(keys.checkpoint(c.seq));
      if (sealed !== null) store.bodies.set(c.seq, sealed);
    }
    return store;
  }

  /** Reads the infos again (another node may have saved or pruned some). */
  async refresh(): Promise<CheckpointInfo[]> {
    const all = await this.redis.hgetall(this.keys.checkpoints);
    this.infos = Object.values(all)
      .map((v) => JSON.parse(v) as StoredCheckpoint)
      .sort((a, b) => a.seq - b.seq);
    for (const seq of this.bodies.keys()) if (!this.infos.some((c) => c.seq === seq)) this.bodies.delete(seq);
    return this.list();
  }

  /** The newest checkpoint's seq and fence, per the pointer (undefined: none yet). */
  async latest(): Promise<{ seq: number; fence: number } | undefined> {
    const v = await this.redis.get(this.keys.latest);
    if (v === null) return undefined;
    const [seq, fence] = v.split("|").map(Number);
    return { seq: seq!, fence: fence! };
  }

  async save(info: Omit<CheckpointInfo, "bytes">, body: Json): Promise<CheckpointInfo> {
    let lease = "";
    let fence = 0;
    if (this.fencing) {
      const held = this.fencing();
      if (!held) throw new FencedError(`not the lease holder of ${this.keys.lease}: checkpoint not written`);
      lease = held.value;
      fence = held.fence;
    }
    const sealed = sealCheckpoint(info, body, fence);
    const stored: StoredCheckpoint = { ...sealed.info, fence };
    const reply = await CHECKPOINT_SAVE.run(
      this.redis,
      [
        this.keys.lease,
        this.keys.checkpoints,
        this.keys.latest,
        this.keys.checkpoint(info.seq),
        this.keys.meta,
      ],
      [lease, fence, info.seq, JSON.stringify(stored), sealed.text, this.gen],
    );
    if (reply === "fenced")
      throw new FencedError(
        `checkpoint at seq ${info.seq} refused: another node holds the lease or wrote a newer one`,
      );
    if (reply === "gone") throw brookError("MODEL_NOT_FOUND", `the model of ${this.keys.meta} was deleted`);
    this.infos = [...this.infos.filter((c) => c.seq !== info.seq), stored].sort((a, b) => a.seq - b.seq);
    this.bodies.set(info.seq, sealed.text);
    return sealed.info;
  }

  /**
   * Puts back an envelope as it is (a restore from a backup: its checksum and fence kept),
   * unfenced: for a model nobody holds the lease of yet.
   */
  async putSealed(sealed: string): Promise<StoredCheckpoint> {
    const meta = envelopeMeta(sealed);
    if (!meta) throw new CheckpointCorruptError(this.keys.checkpoints, "the envelope has no valid header");
    openCheckpoint(sealed, meta.seq, this.keys.checkpoint(meta.seq));
    const stored: StoredCheckpoint = {
      seq: meta.seq,
      version: meta.version,
      createdAt: meta.createdAt,
      bytes: Buffer.byteLength(sealed),
      fence: meta.fence,
    };
    const reply = await CHECKPOINT_SAVE.run(
      this.redis,
      [
        this.keys.lease,
        this.keys.checkpoints,
        this.keys.latest,
        this.keys.checkpoint(meta.seq),
        this.keys.meta,
      ],
      ["", meta.fence, meta.seq, JSON.stringify(stored), sealed, this.gen],
    );
    if (reply !== "ok")
      throw new FencedError(`restoring the checkpoint at seq ${meta.seq} was refused (${reply})`);
    this.infos = [...this.infos.filter((c) => c.seq !== meta.seq), stored].sort((a, b) => a.seq - b.seq);
    this.bodies.set(meta.seq, sealed);
    return stored;
  }

  list(): CheckpointInfo[] {
    return this.infos.map(({ fence: _f, ...info }) => info);
  }

  /** The infos with their fencing tokens. */
  stored(): StoredCheckpoint[] {
    return [...this.infos];
  }

  load(seq: number): Json {
    const where = `redis:${this.keys.checkpoint(seq)}`;
    const sealed = this.bodies.get(seq);
    if (sealed === undefined) throw new CheckpointCorruptError(where, `no checkpoint at seq ${seq}`);
    return openCheckpoint(sealed, seq, where);
  }

  /** The body of the checkpoint at `seq`, read from Redis (throws `CheckpointCorruptError`). */
  async fetch(seq: number): Promise<Json> {
    const where = `redis:${this.keys.checkpoint(seq)}`;
    const sealed = this.bodies.get(seq) ?? (await this.redis.get(this.keys.checkpoint(seq)));
    if (sealed === null) throw new CheckpointCorruptError(where, `no checkpoint at seq ${seq}`);
    const body = openCheckpoint(sealed, seq, where);
    this.bodies.set(seq, sealed);
    return body;
  }

  /** The envelope of the checkpoint at `seq` as stored (for backups), or undefined. */
  async envelope(seq: number): Promise<string | undefined> {
    const sealed = this.bodies.get(seq) ?? (await this.redis.get(this.keys.checkpoint(seq)));
    if (sealed === null || !envelopeMeta(sealed)) return undefined;
    return sealed;
  }

  /** Forgets envelopes kept in this process except the newest ones (memory follows the keep). */
  forget(keep: number): void {
    const seqs = [...this.bodies.keys()].sort((a, b) => a - b);
    for (const s of seqs.slice(0, Math.max(0, seqs.length - keep))) this.bodies.delete(s);
  }

  async prune(keep: number): Promise<void> {
    let lease = "";
    if (this.fencing) {
      const held = this.fencing();
      if (!held) throw new FencedError(`not the lease holder of ${this.keys.lease}: nothing pruned`);
      lease = held.value;
    }
    const dropped = Number(
      await CHECKPOINT_PRUNE.run(
        this.redis,
        [this.keys.lease, this.keys.checkpoints, this.keys.meta],
        [lease, keep, this.keys.checkpointPrefix, this.gen],
      ),
    );
    if (dropped < 0)
      throw new FencedError(`pruning ${this.keys.checkpoints} refused (lease lost or model gone)`);
    const drop = this.infos.slice(0, Math.max(0, this.infos.length - keep));
    for (const c of drop) this.bodies.delete(c.seq);
    this.infos = this.infos.slice(drop.length);
  }
}
