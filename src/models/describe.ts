/** How a model is shown to clients: in a list, in detail, and its checkpoints. */
import type { CheckpointInfo } from "../store/ports.js";
import type { ServedModel } from "./served-model.js";
import type { ModelWriter } from "./writer.js";

/** A model in a list. */
export interface ModelSummary {
  name: string;
  spec: string;
  task: string;
  version: number;
}

/** JSON details of a model (see {@link describeWriter}). */
export type ModelDetails = Record<string, unknown>;

/** A checkpoint as JSON. */
export interface CheckpointJson {
  seq: number;
  version: number;
  created_at: string;
  bytes: number;
}

export function summaryOf(h: ServedModel): ModelSummary {
  return { name: h.name, spec: h.spec, task: h.task, version: h.version };
}

export function checkpointJson(c: CheckpointInfo): CheckpointJson {
  return { seq: c.seq, version: c.version, created_at: c.createdAt, bytes: c.bytes };
}

/** Details of a model: spec, params, position in its log, metrics, pending labels, checkpoints, drift. */
export function describeWriter(w: ModelWriter): ModelDetails {
  const h = w.model;
  const checkpoints = w.listCheckpoints();
  const details: ModelDetails = {
    ...summaryOf(h),
    kind: h.estimator.kind,
    params: h.params(),
    seq: h.seq,
    learned: h.learned,
    predicted: h.predicted,
    metrics: h.metricValues(),
    metrics_text: h.metricTexts(),
    pending: { waiting: w.pending.size, ...w.pending.counters },
    checkpoints: {
      count: checkpoints.length,
      latest: checkpoints.length ? checkpointJson(checkpoints[checkpoints.length - 1]!) : null,
    },
  };
  details.disk = w.diskUsage();
  const health = w.health();
  details.writable = health.writable;
  if (health.problems.length) details.problems = health.problems;
  if (h.drift)
    details.drift = { detector: w.record.drift, detections: h.drift.detections, recent: h.drift.recent };
  if (w.record.seeds) details.seeds = w.record.seeds;
  details.created_at = w.record.createdAt;
  details.updated_at = h.updatedAt.toISOString();
  return details;
}
