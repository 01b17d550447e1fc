import type { Json, RawFeatures } from "../learn/index.js";
import type { ModelHost, PredictOutcome } from "../models/model-host.js";
import type { LearnItem, LearnResult, ModelWriter } from "../models/writer.js";
import type { CheckpointInfo } from "../store/ports.js";
import type { Engine } from "./engine.js";

/** A model in a list. */
export interface ModelSummary {
  name: string;
  spec: string;
  task: string;
  version: number;
}

/** JSON details of a model (see {@link describeWriter}). */
export type ModelDetails = Record<string, unknown>;

/**
 * What the HTTP layer needs from the process it runs in. Reads use the local model (`host`):
 * the writer's own in a single process, a read replica in a cluster worker. Writes and admin
 * operations go to the single writer of the model (directly, or forwarded to the primary).
 */
export interface Backend {
  host(name: string): ModelHost;
  list(): Promise<ModelSummary[]>;
  details(name: string): Promise<ModelDetails>;
  learn(name: string, items: readonly LearnItem[], options?: { texts?: boolean }): Promise<LearnResult>;
  remember(name: string, items: readonly RememberItem[]): Promise<string[]>;
  create(
    name: string,
    spec: Json,
    metrics: readonly string[],
    drift?: string,
  ): Promise<{ details: ModelDetails; created: boolean }>;
  delete(name: string): Promise<void>;
  checkpoint(name: string): Promise<CheckpointInfo>;
  checkpoints(name: string): Promise<{ version: number; checkpoints: CheckpointInfo[] }>;
  rollback(
    name: string,
    version: number,
  ): Promise<{ version: number; checkpoint: CheckpointInfo; learned: number }>;
  import(name: string, doc: unknown): Promise<{ version: number; learned: number }>;
  /** How many models are served (readiness). */
  modelCount(): number;
  close(): Promise<void>;
}

/** A prediction to remember for a label that comes later. */
export interface RememberItem {
  x: RawFeatures;
  outcome: PredictOutcome;
  id?: string;
}

export function summaryOf(h: ModelHost): ModelSummary {
  return { name: h.name, spec: h.spec, task: h.task, version: h.version };
}

function checkpointJson(c: CheckpointInfo) {
  return { seq: c.seq, version: c.version, created_at: c.createdAt, bytes: c.bytes };
}

/** Details of a model: spec, params, position in its log, metrics, pending labels, checkpoints, drift. */
export function describeWriter(w: ModelWriter): ModelDetails {
  const h = w.host;
  const checkpoints = w.listCheckpoints();
  const details: ModelDetails = {
    ...summaryOf(h),
    kind: h.model.kind,
    params: h.params(),
    seq: h.seq,
    learned: h.learned,
    metrics: h.metricValues(),
    metrics_text: h.metricTexts(),
    pending: { waiting: w.pending.size, ...w.pending.counters },
    checkpoints: {
      count: checkpoints.length,
      latest: checkpoints.length ? checkpointJson(checkpoints[checkpoints.length - 1]!) : null,
    },
  };
  if (h.drift)
    details.drift = { detector: w.record.drift, detections: h.drift.detections, recent: h.drift.recent };
  details.created_at = w.record.createdAt;
  details.updated_at = h.updatedAt.toISOString();
  return details;
}

export { checkpointJson };

/** Everything in this process: the engine's writers serve reads and writes alike. */
export class LocalBackend implements Backend {
  constructor(readonly engine: Engine) {}

  host(name: string): ModelHost {
    return this.engine.host(name);
  }

  async list(): Promise<ModelSummary[]> {
    return this.engine.list().map((w) => summaryOf(w.host));
  }

  async details(name: string): Promise<ModelDetails> {
    return describeWriter(this.engine.writer(name));
  }

  learn(name: string, items: readonly LearnItem[], options: { texts?: boolean } = {}): Promise<LearnResult> {
    return this.engine.writer(name).learn(items, options);
  }

  remember(name: string, items: readonly RememberItem[]): Promise<string[]> {
    return this.engine.writer(name).remember(items);
  }

  async create(name: string, spec: Json, metrics: readonly string[], drift?: string) {
    const { writer, created } = await this.engine.create(name, spec, metrics, drift);
    return { details: describeWriter(writer), created };
  }

  delete(name: string): Promise<void> {
    return this.engine.delete(name);
  }

  checkpoint(name: string): Promise<CheckpointInfo> {
    return this.engine.checkpoint(name);
  }

  async checkpoints(name: string) {
    const w = this.engine.writer(name);
    return { version: w.host.version, checkpoints: w.listCheckpoints() };
  }

  async rollback(name: string, version: number) {
    const w = this.engine.writer(name);
    const r = await w.rollback(version);
    return { ...r, learned: w.host.learned };
  }

  async import(name: string, doc: unknown) {
    const w = this.engine.writer(name);
    const r = await w.import(doc);
    return { ...r, learned: w.host.learned };
  }

  modelCount(): number {
    return this.engine.list().length;
  }

  close(): Promise<void> {
    return this.engine.close();
  }
}
