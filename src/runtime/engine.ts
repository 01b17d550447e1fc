import { brookError } from "../errors.js";
import { drawSeeds, type Json } from "../learn/index.js";
import { checkModelName } from "../models/names.js";
import { ServedModel } from "../models/served-model.js";
import { ModelWriter, type WriterObserver, type WriterOptions } from "../models/writer.js";
import type { ModelRecord, Storage } from "../store/ports.js";

export interface EngineOptions extends WriterOptions {
  /** The model created when the data folder has none. */
  defaultModel: { name: string; spec: string; metrics: readonly string[] };
  /** Recent events kept by the live event feed (for streams resuming with Last-Event-ID). */
  eventBuffer?: number;
}

/** Told of everything the engine's writers do, and of models created and deleted. */
export interface EngineObserver extends WriterObserver {
  created(writer: ModelWriter): void;
  deleted(name: string): void;
}

/**
 * All served models, each with its single ordered writer (log, checkpoints, pending labels),
 * over a storage adapter (files by default, memory for tests). The registry of models is
 * stored too, so models survive restarts.
 */
export class Engine {
  private readonly writers = new Map<string, ModelWriter>();
  private records: ModelRecord[] = [];
  /** Creations and deletions, one at a time. */
  private registryLock: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly observers: EngineObserver[] = [];
  /** What every writer tells: passed on to each observer. */
  private readonly fanOut: WriterObserver = {
    applied: (w, stored) => {
      for (const o of this.observers) o.applied(w, stored);
    },
    checkpointed: (w, info) => {
      for (const o of this.observers) o.checkpointed(w, info);
    },
  };

  private constructor(
    readonly storage: Storage,
    readonly options: EngineOptions,
  ) {}

  /** Tells `observer` of every event applied, checkpoint saved, model created or deleted from now on. */
  watch(observer: EngineObserver): void {
    this.observers.push(observer);
    for (const w of this.writers.values()) w.observer = this.fanOut;
  }

  /** Opens the storage, recovers every model, and creates the default model on first start. */
  static async open(storage: Storage, options: EngineOptions): Promise<Engine> {
    const d = options.defaultModel;
    // A configured spec that cannot be built is an operator's mistake: stop, even if a stored
    // model of that name makes it unused.
    new ServedModel(d.name, d.spec, d.metrics);
    const engine = new Engine(storage, options);
    engine.records = await storage.loadRegistry();
    try {
      for (const record of engine.records) {
        engine.writers.set(record.name, await ModelWriter.open(record, storage, options));
      }
    } catch (err) {
      await engine.close({ checkpoint: false });
      throw err;
    }
    const existing = engine.records.find((r) => r.name === d.name);
    if (!existing && engine.records.length === 0) {
      await engine.create(d.name, d.spec, d.metrics);
    } else if (
      existing &&
      (existing.spec !== d.spec || JSON.stringify(existing.metrics) !== JSON.stringify(d.metrics))
    ) {
      options.logger?.warn(
        { model: d.name, stored: existing.spec, configured: d.spec },
        `model "${d.name}" already exists in ${storage.location} with its own spec and metrics; the configured ones are ignored (delete the model or use another data folder to change them)`,
      );
    }
    return engine;
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.registryLock.then(fn, fn);
    this.registryLock = run.catch(() => undefined);
    return run;
  }

  list(): ModelWriter[] {
    return [...this.writers.values()];
  }

  /** The writer of model `name` (404 error if none). */
  writer(name: string): ModelWriter {
    const w = this.writers.get(name);
    if (!w) throw brookError("MODEL_NOT_FOUND", `there is no model called "${name}"`, { model: name });
    return w;
  }

  /**
   * Creates a model (with an optional drift detector watching its errors). Creating one that
   * exists with the same spec, metrics and drift detector is a no-op
   * (`created: false`); with others it is a 409.
   */
  create(
    name: string,
    spec: Json,
    metrics: readonly string[],
    drift?: string,
  ): Promise<{ writer: ModelWriter; created: boolean }> {
    checkModelName(name);
    return this.locked(async () => {
      this.assertOpen();
      const existing = this.records.find((r) => r.name === name);
      if (existing) {
        if (
          JSON.stringify(existing.spec) === JSON.stringify(spec) &&
          JSON.stringify(existing.metrics) === JSON.stringify(metrics) &&
          existing.drift === drift
        ) {
          return { writer: this.writer(name), created: false };
        }
        throw brookError(
          "MODEL_EXISTS",
          `model "${name}" already exists with another spec or other metrics; delete it first`,
          {
            model: name,
          },
        );
      }
      // Build it once to validate the spec and metrics before anything is stored, and fix
      // the seeds it leaves to chance: every replay and replica must draw the same numbers.
      const probe = new ServedModel(name, spec as string, metrics, drift);
      const seeds = drawSeeds(probe.estimator.toSpec());
      const record: ModelRecord = { name, spec, metrics: [...metrics], createdAt: new Date().toISOString() };
      if (drift !== undefined) record.drift = drift;
      if (Object.keys(seeds).length > 0) record.seeds = seeds;
      await this.storage.dropModel(name); // leftovers of an interrupted deletion
      const writer = await ModelWriter.open(record, this.storage, this.options);
      await this.storage.saveRegistry([...this.records, record]);
      this.records.push(record);
      this.writers.set(name, writer);
      if (this.observers.length > 0) writer.observer = this.fanOut;
      for (const o of this.observers) o.created(writer);
      return { writer, created: true };
    });
  }

  /** Deletes a model and all its data. */
  delete(name: string): Promise<void> {
    return this.locked(async () => {
      const writer = this.writer(name);
      this.writers.delete(name);
      this.records = this.records.filter((r) => r.name !== name);
      await this.storage.saveRegistry(this.records);
      await writer.close({ checkpoint: false });
      await this.storage.dropModel(name);
      for (const o of this.observers) o.deleted(name);
    });
  }

  private assertOpen(): void {
    if (this.closed) throw brookError("UNAVAILABLE", "the server is shutting down");
  }

  /** Graceful shutdown: every writer drains, checkpoints (unless told not to) and closes its log. */
  async close(options: { checkpoint?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.registryLock;
    await Promise.all(this.list().map((w) => w.close(options)));
    await this.storage.close();
  }
}
