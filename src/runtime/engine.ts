import { brookError, clip, diskFault, errnoOf, limitError } from "../errors.js";
import { drawSeeds, type Json } from "../learn/index.js";
import { checkModelName } from "../models/names.js";
import { ServedModel } from "../models/served-model.js";
import { ModelWriter, type WriterHealth, type WriterObserver, type WriterOptions } from "../models/writer.js";
import type { ModelRecord, Storage } from "../store/ports.js";

export interface EngineOptions extends WriterOptions {
  /** The model created when the data folder has none. */
  defaultModel: { name: string; spec: string; metrics: readonly string[] };
  /** Recent events kept by the live event feed (for streams resuming with Last-Event-ID). */
  eventBuffer?: number;
  /** The address the server will listen on, if known before it does (written in the data folder's LOCK). */
  address?: string;
  /** Most models (`--max-models`; none: unbounded). */
  maxModels?: number;
  /** Most lags of a forecaster created (`--max-forecast-order`; none: unbounded). */
  maxForecastOrder?: number;
}

/** Told of everything the engine's writers do, and of models created and deleted. */
export interface EngineObserver extends WriterObserver {
  created(writer: ModelWriter): void;
  deleted(name: string): void;
}

/** Readiness for `/readyz`: false while any model refuses writes (a disk fault) or the engine is closing. */
export interface EngineHealth {
  ready: boolean;
  problems: ({ model: string } & WriterHealth["problems"][number])[];
}

/** The problem a closing engine or node reports (readiness goes false before the listener closes). */
export function shuttingDown(): EngineHealth["problems"][number] {
  return { model: "", kind: "model", code: "BROOK_UNAVAILABLE", message: "shutting down", since: Date.now() };
}

/** A disk error (it has an errno) becomes the 507/503 answer; anything else stays as it is. */
function asDiskFault(err: unknown, what: string): unknown {
  return errnoOf(err) ? diskFault(err, what, "; nothing was changed") : err;
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
    storage.logger ??= options.logger;
    // One owner per data folder, for the engine's whole life (released by close).
    await storage.lock(options.address);
    try {
      engine.records = await storage.loadRegistry();
      for (const record of engine.records) {
        engine.writers.set(record.name, await ModelWriter.open(record, storage, options));
      }
      // Only a data folder with no model at all gets the default (a lost registry was rebuilt
      // from the model folders above, or refused: never a default over existing data).
      if (engine.records.length === 0) await engine.create(d.name, d.spec, d.metrics);
    } catch (err) {
      await engine.close({ checkpoint: false });
      throw err;
    }
    const existing = engine.records.find((r) => r.name === d.name);
    if (
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

  /**
   * Readiness and what is wrong: every model's log faults (writes refused until the disk works
   * again, which clears by itself) and failing checkpoints. Ready when no model refuses writes.
   */
  health(): EngineHealth {
    const problems: EngineHealth["problems"] = [];
    let ready = !this.closed;
    for (const w of this.writers.values()) {
      const h = w.health();
      if (!h.writable) ready = false;
      for (const p of h.problems) problems.push({ model: w.record.name, ...p });
    }
    if (this.closed) problems.push(shuttingDown());
    return { ready, problems };
  }

  /** Records the address the server listens on in the data folder's LOCK (shown to a second process). */
  setAddress(address: string): Promise<void> {
    return this.storage.setAddress(address);
  }

  /** The writer of model `name` (404 error if none). */
  writer(name: string): ModelWriter {
    const w = this.writers.get(name);
    if (!w)
      throw brookError("MODEL_NOT_FOUND", `there is no model called "${clip(name)}"`, { model: clip(name) });
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
      this.checkLimits(probe);
      const seeds = drawSeeds(probe.estimator.toSpec());
      const record: ModelRecord = { name, spec, metrics: [...metrics], createdAt: new Date().toISOString() };
      if (drift !== undefined) record.drift = drift;
      if (Object.keys(seeds).length > 0) record.seeds = seeds;
      // All or nothing on disk: the folder with its own record, then the registry (the commit).
      let writer: ModelWriter | undefined;
      try {
        await this.storage.setAside(name); // a folder the registry does not know: kept, moved away
        writer = await ModelWriter.open(record, this.storage, this.options);
        await this.storage.saveModelRecord(record);
        await this.storage.saveRegistry([...this.records, record]);
      } catch (err) {
        await writer?.close({ checkpoint: false }).catch(() => undefined);
        await this.storage.dropModel(name).catch(() => undefined);
        throw asDiskFault(err, `model "${name}" was not created`);
      }
      this.records.push(record);
      this.writers.set(name, writer);
      if (this.observers.length > 0) writer.observer = this.fanOut;
      for (const o of this.observers) o.created(writer);
      return { writer, created: true };
    });
  }

  /**
   * Deletes a model and all its data. The registry without it is saved first (the commit): if
   * the disk refuses that, nothing changed and the model is still served and stored.
   */
  delete(name: string): Promise<void> {
    return this.locked(async () => {
      const writer = this.writer(name);
      const remaining = this.records.filter((r) => r.name !== name);
      try {
        await this.storage.saveRegistry(remaining);
      } catch (err) {
        throw asDiskFault(err, `model "${name}" was not deleted`);
      }
      this.writers.delete(name);
      this.records = remaining;
      await writer.close({ checkpoint: false }).catch(() => undefined);
      // Deleted as far as anyone can see; a folder left behind is reported and harmless.
      await this.storage
        .dropModel(name)
        .catch((err: Error) =>
          this.options.logger?.warn(
            { model: name, err: err.message },
            "the deleted model's folder could not be removed",
          ),
        );
      for (const o of this.observers) o.deleted(name);
    });
  }

  /** A new model within the server's limits: how many models, how costly a forecaster. */
  private checkLimits(probe: ServedModel): void {
    const { maxModels, maxForecastOrder } = this.options;
    if (maxModels !== undefined && this.records.length >= maxModels) {
      throw limitError(
        "max-models",
        maxModels,
        `this server holds ${this.records.length} models, its limit: delete one first`,
      );
    }
    probe.checkForecastOrder(maxForecastOrder);
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
