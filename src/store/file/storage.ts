import { existsSync, readdirSync, readFileSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { brookError } from "../../errors.js";
import type { CheckpointStore, EventLog, ModelRecord, Storage, StorageLogger } from "../ports.js";
import { FileCheckpointStore } from "./checkpoints.js";
import { writeFileAtomic } from "./fs-util.js";
import { HandlePool } from "./handle-pool.js";
import { DataDirLock } from "./lock.js";
import { FileEventLog, type LogOptions } from "./segmented-log.js";

const REGISTRY_FORMAT = "brook.registry";
const MODEL_FORMAT = "brook.model";
/** The creation record each model keeps in its own folder. */
export const MODEL_FILE = "model.json";
/** Segment files a storage keeps open at once, by default. */
export const DEFAULT_MAX_OPEN_LOGS = 128;

/** File storage settings: the log's, and how many segment files stay open at once. */
export interface FileStorageOptions extends LogOptions {
  maxOpenLogs?: number;
}

/** A model's creation record as stored in its folder (`model.json`). */
export function modelFileText(record: ModelRecord): string {
  return `${JSON.stringify({ format: MODEL_FORMAT, version: 1, ...record }, null, 2)}\n`;
}

/** Reads a model folder's `model.json`: the record, or why it cannot be had. */
export function readModelFile(folder: string): ModelRecord | string {
  const path = join(folder, MODEL_FILE);
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ENOENT"
      ? "missing"
      : `unreadable (${(err as Error).message})`;
  }
  if (doc.format !== MODEL_FORMAT || !isRecord(doc)) return "not a Brook model record";
  const { format: _f, version: _v, ...record } = doc;
  return record as unknown as ModelRecord;
}

function isRecord(v: unknown): v is ModelRecord {
  const r = v as ModelRecord;
  return (
    typeof r === "object" &&
    r !== null &&
    typeof r.name === "string" &&
    r.spec !== undefined &&
    Array.isArray(r.metrics) &&
    typeof r.createdAt === "string"
  );
}

/** The registry's models, or why it cannot be read. */
export function readRegistryFile(path: string): ModelRecord[] | string {
  let doc: { format?: string; models?: unknown[] };
  try {
    doc = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ENOENT"
      ? "missing"
      : `not valid JSON (${(err as Error).message})`;
  }
  if (doc?.format !== REGISTRY_FORMAT || !Array.isArray(doc.models)) return "not a Brook registry";
  if (!doc.models.every(isRecord)) return "a model entry is incomplete";
  return doc.models as ModelRecord[];
}

/** Names of the model folders of a data folder (leftovers of deletions, `.deleted-*`, excluded). */
export function modelFolders(location: string): string[] {
  const dir = join(location, "models");
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith("."))
    .map((e) => e.name)
    .sort();
}

/**
 * The embedded default: everything under one data folder, no server needed.
 *
 *   <dataDir>/LOCK                          the process that owns the folder (see lock.ts)
 *   <dataDir>/registry.json                 the models (name, spec, metrics)
 *   <dataDir>/models/<name>/model.json      the model's own creation record (rebuilds the registry)
 *   <dataDir>/models/<name>/log/*.seg       the model's event log
 *   <dataDir>/models/<name>/checkpoints/    its checkpoints
 *
 * Model names are validated before they get here (no path tricks).
 */
export class FileStorage implements Storage {
  readonly kind = "file" as const;
  readonly location: string;
  logger: StorageLogger | undefined;
  private readonly pool: HandlePool;
  private lockHeld: DataDirLock | undefined;

  constructor(
    dataDir: string,
    private readonly logOptions: FileStorageOptions,
  ) {
    this.location = resolve(dataDir);
    this.pool = new HandlePool(logOptions.maxOpenLogs ?? DEFAULT_MAX_OPEN_LOGS);
    this.logger = logOptions.logger;
  }

  private modelDir(model: string): string {
    return join(this.location, "models", model);
  }

  private get registryPath(): string {
    return join(this.location, "registry.json");
  }

  async lock(address?: string): Promise<void> {
    this.lockHeld ??= DataDirLock.acquire(this.location, address, this.logger);
  }

  async setAddress(address: string): Promise<void> {
    this.lockHeld?.setAddress(address);
  }

  async loadRegistry(): Promise<ModelRecord[]> {
    await this.removeDeleted();
    const path = this.registryPath;
    const folders = modelFolders(this.location);
    const found = readRegistryFile(path);
    if (found === "missing") {
      if (folders.length === 0) return [];
      return this.rebuild(folders, `${path} is missing`);
    }
    if (typeof found === "string") return this.rebuild(folders, `${path} is damaged (${found})`);
    for (const record of found) {
      const dir = this.modelDir(record.name);
      if (!existsSync(dir)) {
        throw brookError(
          "REGISTRY_DAMAGED",
          `${path} lists model "${record.name}" but its folder ${dir} is missing; restore the folder, or remove the model from ${path}`,
        );
      }
      // Folders made before model.json existed get theirs now, while the registry is good.
      if (readModelFile(dir) === "missing") {
        await writeFileAtomic(join(dir, MODEL_FILE), modelFileText(record)).catch((err: Error) =>
          this.logger?.warn({ model: record.name, err: err.message }, `could not write ${MODEL_FILE}`),
        );
      }
    }
    const known = new Set(found.map((r) => r.name));
    for (const name of folders.filter((f) => !known.has(f))) {
      this.logger?.warn(
        { model: name, folder: this.modelDir(name) },
        "a model folder is not in the registry (an interrupted creation or deletion); left as is",
      );
    }
    return found;
  }

  /** The registry rebuilt from every model folder's own record, or a refusal naming what is missing. */
  private async rebuild(folders: string[], why: string): Promise<ModelRecord[]> {
    const records: ModelRecord[] = [];
    for (const name of folders) {
      const dir = this.modelDir(name);
      const r = readModelFile(dir);
      if (typeof r === "string" || r.name !== name) {
        const state = typeof r === "string" ? r : `names model "${r.name}"`;
        throw brookError(
          "REGISTRY_DAMAGED",
          `${why} and cannot be rebuilt: ${join(dir, MODEL_FILE)} is ${state} (a folder made by an older Brook); restore registry.json from a backup, or write that file as {"format":"${MODEL_FORMAT}","name":"${name}","spec":"<the model's spec>","metrics":[...],"createdAt":"<ISO time>"}; nothing was changed`,
          { folder: dir },
        );
      }
      records.push(r);
    }
    records.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
    await this.saveRegistry(records);
    this.logger?.warn(
      { models: records.map((r) => r.name) },
      `${why}: rebuilt it from ${records.length} model folder(s)`,
    );
    return records;
  }

  async saveRegistry(models: ModelRecord[]): Promise<void> {
    await writeFileAtomic(
      this.registryPath,
      `${JSON.stringify({ format: REGISTRY_FORMAT, version: 1, models }, null, 2)}\n`,
    );
  }

  async saveModelRecord(record: ModelRecord): Promise<void> {
    await writeFileAtomic(join(this.modelDir(record.name), MODEL_FILE), modelFileText(record));
  }

  openLog(model: string): Promise<EventLog> {
    return FileEventLog.open(join(this.modelDir(model), "log"), {
      ...this.logOptions,
      pool: this.pool,
      ...(this.logger && { logger: this.logger }),
    });
  }

  openCheckpoints(model: string): Promise<CheckpointStore> {
    return FileCheckpointStore.open(join(this.modelDir(model), "checkpoints"));
  }

  async dropModel(model: string): Promise<void> {
    const dir = this.modelDir(model);
    if (!existsSync(dir)) return;
    // Rename first so that a crash never leaves a half-deleted model under its own name.
    const trash = join(this.location, "models", `.deleted-${model}-${Date.now()}`);
    await rename(dir, trash);
    await rm(trash, { recursive: true, force: true });
  }

  /** Finishes deletions a crash interrupted (their folders were already renamed away). */
  private async removeDeleted(): Promise<void> {
    const dir = join(this.location, "models");
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      if (!name.startsWith(".deleted-")) continue;
      await rm(join(dir, name), { recursive: true, force: true }).catch(() => undefined);
    }
  }

  async setAside(model: string): Promise<string | undefined> {
    const dir = this.modelDir(model);
    if (!existsSync(dir)) return undefined;
    const aside = join(this.location, "models", `.orphan-${model}-${Date.now()}`);
    await rename(dir, aside);
    this.logger?.warn(
      { model, folder: dir, keptAt: aside },
      "a folder not in the registry was in the way of a new model: moved aside, not deleted",
    );
    return aside;
  }

  async close(): Promise<void> {
    this.lockHeld?.release();
    this.lockHeld = undefined;
  }
}
