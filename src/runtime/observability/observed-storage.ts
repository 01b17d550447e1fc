/**
 * A storage adapter seen from outside, for metrics: it passes everything through to the real
 * one and remembers each model's log (to read its size on disk when scraped) and how long
 * the model's last checkpoint took to save. The write path is untouched: logs are handed out
 * as they are, only checkpoint saves (rare) are timed.
 */
import type { Json } from "../../learn/index.js";
import type { CheckpointInfo, CheckpointStore, EventLog, ModelRecord, Storage } from "../../store/ports.js";

interface ModelStats {
  log?: EventLog;
  /** Seconds the last checkpoint save took. */
  checkpointSeconds?: number;
}

export class ObservedStorage implements Storage {
  readonly kind: Storage["kind"];
  readonly location: string;
  private readonly models = new Map<string, ModelStats>();

  constructor(private readonly inner: Storage) {
    this.kind = inner.kind;
    this.location = inner.location;
  }

  private stats(model: string): ModelStats {
    let s = this.models.get(model);
    if (!s) {
      s = {};
      this.models.set(model, s);
    }
    return s;
  }

  loadRegistry(): Promise<ModelRecord[]> {
    return this.inner.loadRegistry();
  }

  saveRegistry(models: ModelRecord[]): Promise<void> {
    return this.inner.saveRegistry(models);
  }

  async openLog(model: string): Promise<EventLog> {
    const log = await this.inner.openLog(model);
    this.stats(model).log = log;
    return log;
  }

  async openCheckpoints(model: string): Promise<CheckpointStore> {
    const store = await this.inner.openCheckpoints(model);
    const stats = this.stats(model);
    return {
      async save(info: Omit<CheckpointInfo, "bytes">, body: Json): Promise<CheckpointInfo> {
        const started = performance.now();
        const saved = await store.save(info, body);
        stats.checkpointSeconds = (performance.now() - started) / 1000;
        return saved;
      },
      list: () => store.list(),
      load: (seq) => store.load(seq),
      prune: (keep) => store.prune(keep),
    };
  }

  dropModel(model: string): Promise<void> {
    this.models.delete(model);
    return this.inner.dropModel(model);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** Bytes of the model's log on disk; undefined when the adapter keeps no files. */
  logBytes(model: string): number | undefined {
    const log = this.models.get(model)?.log as { diskBytes?(): number } | undefined;
    return typeof log?.diskBytes === "function" ? log.diskBytes() : undefined;
  }

  /** Seconds the model's last checkpoint took to save (undefined before the first). */
  checkpointSeconds(model: string): number | undefined {
    return this.models.get(model)?.checkpointSeconds;
  }
}
