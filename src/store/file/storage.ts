import { existsSync, readFileSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { CheckpointStore, EventLog, ModelRecord, Storage } from "../ports.js";
import { FileCheckpointStore } from "./checkpoints.js";
import { writeFileAtomic } from "./fs-util.js";
import { FileEventLog, type LogOptions } from "./segmented-log.js";

const REGISTRY_FORMAT = "brook.registry";

/**
 * The embedded default: everything under one data folder, no server needed.
 *
 *   <dataDir>/registry.json                 the models (name, spec, metrics)
 *   <dataDir>/models/<name>/log/*.seg       the model's event log
 *   <dataDir>/models/<name>/checkpoints/    its checkpoints
 *
 * Model names are validated before they get here (no path tricks).
 */
export class FileStorage implements Storage {
  readonly kind = "file" as const;
  readonly location: string;

  constructor(
    dataDir: string,
    private readonly logOptions: LogOptions,
  ) {
    this.location = resolve(dataDir);
  }

  private modelDir(model: string): string {
    return join(this.location, "models", model);
  }

  async loadRegistry(): Promise<ModelRecord[]> {
    const path = join(this.location, "registry.json");
    if (!existsSync(path)) return [];
    const doc = JSON.parse(readFileSync(path, "utf8")) as { format?: string; models?: ModelRecord[] };
    if (doc.format !== REGISTRY_FORMAT || !Array.isArray(doc.models))
      throw new Error(`${path} is not a Brook registry`);
    return doc.models;
  }

  async saveRegistry(models: ModelRecord[]): Promise<void> {
    await writeFileAtomic(
      join(this.location, "registry.json"),
      `${JSON.stringify({ format: REGISTRY_FORMAT, version: 1, models }, null, 2)}\n`,
    );
  }

  openLog(model: string): Promise<EventLog> {
    return FileEventLog.open(join(this.modelDir(model), "log"), this.logOptions);
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

  async close(): Promise<void> {}
}
