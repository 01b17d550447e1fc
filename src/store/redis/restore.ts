/**
 * Restoring an empty Redis from a backup: every model of the backup's registry is created
 * again (a new generation) with its log starting after its newest good checkpoint, which is put
 * back as it was; what the checkpoint knows of admission (recent event ids, predictions waiting
 * for their labels, labels already given) is put back into the keys the append script checks.
 * Refused when the prefix already holds models: a restore never mixes with live data.
 */
import { decodeEvent, encodeRecord } from "../../codec/events.js";
import type { Json } from "../../learn/index.js";
import { listBackups, loadBackupRegistry } from "../backup/backups.js";
import type { BackupTarget } from "../backup/target.js";
import { envelopeMeta, openCheckpoint } from "../envelope.js";
import type { StorageLogger } from "../ports.js";
import { RedisCheckpointStore } from "./checkpoints.js";
import type { RedisStorage } from "./storage.js";

/** A model restored: from which checkpoint (seq 0: it had none, restored empty). */
export interface Restored {
  model: string;
  seq: number;
  version: number;
}

/** What a checkpoint body holds of admission (models/recovery.ts `CheckpointBody`, read loosely). */
interface AdmissionState {
  pending?: { entries?: string[]; labelled?: [string, number][] };
  eventIds?: [string, number][];
}

/** Restores every model of `target` into `storage` (which must hold none). */
export async function restoreFromBackup(
  storage: RedisStorage,
  target: BackupTarget,
  logger?: StorageLogger,
): Promise<Restored[]> {
  if (!(await storage.isEmpty()))
    throw new Error(
      `${storage.location} already holds Brook data: a restore only goes into an empty Redis (or another prefix)`,
    );
  const records = await loadBackupRegistry(target);
  if (!records) throw new Error(`${target.location} holds no Brook backup (no registry.json)`);
  const out: Restored[] = [];
  for (const record of records) {
    let sealed: string | undefined;
    for (const b of (await listBackups(target, record.name)).reverse()) {
      const text = await target.get(b.name);
      try {
        if (text === undefined) throw new Error("gone");
        openCheckpoint(text, b.seq, `${target.location}/${b.name}`);
        sealed = text;
        break;
      } catch (err) {
        logger?.warn(
          { model: record.name, backup: b.name, err: (err as Error).message },
          "backup unusable, trying the one before",
        );
      }
    }
    const meta = sealed ? envelopeMeta(sealed) : undefined;
    const seq = meta?.seq ?? 0;
    const created = await storage.createModel(record, seq);
    if (!created.created)
      throw new Error(`model "${record.name}" appeared in ${storage.location} during the restore`);
    if (sealed && meta) {
      const k = storage.keys.model(record.name, created.gen);
      await storage.redis.set(k.fence, meta.fence);
      const checkpoints = new RedisCheckpointStore(storage.redis, k, created.gen);
      await checkpoints.putSealed(sealed);
      await restoreAdmission(storage, record.name, created.gen, seq, openCheckpoint(sealed, seq, "backup"));
    } else {
      logger?.warn({ model: record.name }, "no usable backup of this model: restored empty");
    }
    out.push({ model: record.name, seq, version: meta?.version ?? 0 });
  }
  return out;
}

/** Puts the admission state a checkpoint holds back into Redis' keys. */
async function restoreAdmission(
  storage: RedisStorage,
  model: string,
  gen: number,
  seq: number,
  body: Json,
): Promise<void> {
  const k = storage.keys.model(model, gen);
  const state = body as unknown as AdmissionState;
  const tx = storage.redis.multi();
  // Event ids keep their order; all point at the checkpoint's seq, which every node has applied.
  for (const [eid] of state.eventIds ?? []) tx.zadd(k.eventIds, seq, eid);
  const now = Date.now();
  for (const text of state.pending?.entries ?? []) {
    const { event } = decodeEvent(text);
    if (event.type !== "remember" || event.expiresAt < now) continue;
    const key = k.pending(event.id);
    tx.hset(key, "s", String(seq), "e", String(event.expiresAt), "r", encodeRecord(seq, event));
    tx.pexpireat(key, event.expiresAt + (event.expiresAt - event.at));
    tx.zadd(k.pendingIndex, event.expiresAt, event.id);
  }
  for (const [id, until] of state.pending?.labelled ?? []) {
    if (until < now) continue;
    tx.hset(k.pending(id), "e", String(until), "l", String(seq));
    tx.pexpireat(k.pending(id), until);
  }
  await tx.exec();
}
