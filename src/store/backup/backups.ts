/**
 * What a backup holds and how it is named: `registry.json` (every model's creation record),
 * and per model its checkpoints' envelopes, `<model>/<seq, 20 digits>-<fence, 10 digits>.ckpt`.
 * Names never collide, so a former lease holder that uploads late adds an older object and
 * overwrites nothing; the newest backup is the highest seq (then fence). The envelope is the
 * one Redis holds, checksum included, so a restore puts back exactly what was checkpointed.
 */
import { envelopeMeta } from "../envelope.js";
import type { ModelRecord } from "../ports.js";
import type { BackupTarget } from "./target.js";

const REGISTRY = "registry.json";
const NAME = /^(\d{20})-(\d{10})\.ckpt$/;

/** A checkpoint found in a backup. */
export interface BackedUp {
  model: string;
  seq: number;
  fence: number;
  name: string;
}

export function backupName(model: string, seq: number, fence: number): string {
  return `${model}/${String(seq).padStart(20, "0")}-${String(fence).padStart(10, "0")}.ckpt`;
}

/** Every checkpoint backed up for `model`, oldest first. */
export async function listBackups(target: BackupTarget, model: string): Promise<BackedUp[]> {
  const names = await target.list(`${model}/`);
  return names
    .flatMap((name) => {
      const m = NAME.exec(name.slice(model.length + 1));
      return m ? [{ model, seq: Number(m[1]), fence: Number(m[2]), name }] : [];
    })
    .sort((a, b) => a.seq - b.seq || a.fence - b.fence);
}

/** Backs up a checkpoint's envelope (its seq and fence read from it), then keeps the newest `keep`. */
export async function backUp(
  target: BackupTarget,
  model: string,
  envelope: string,
  keep: number,
): Promise<BackedUp> {
  const meta = envelopeMeta(envelope);
  if (!meta) throw new Error(`the checkpoint of model "${model}" to back up has no valid header`);
  const name = backupName(model, meta.seq, meta.fence);
  await target.put(name, envelope);
  const all = await listBackups(target, model);
  for (const old of all.slice(0, Math.max(0, all.length - keep))) await target.remove(old.name);
  return { model, seq: meta.seq, fence: meta.fence, name };
}

export async function saveBackupRegistry(
  target: BackupTarget,
  records: readonly ModelRecord[],
): Promise<void> {
  await target.put(REGISTRY, `${JSON.stringify({ format: "brook.registry", models: records }, null, 2)}\n`);
}

/** The creation records a backup holds (undefined: it has no registry, it is empty). */
export async function loadBackupRegistry(target: BackupTarget): Promise<ModelRecord[] | undefined> {
  const text = await target.get(REGISTRY);
  if (text === undefined) return undefined;
  const doc = JSON.parse(text) as { format?: string; models?: ModelRecord[] };
  if (doc.format !== "brook.registry" || !Array.isArray(doc.models))
    throw new Error(`${target.location}/${REGISTRY} is not a Brook registry`);
  return doc.models;
}
