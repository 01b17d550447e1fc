/** How a model is shown to clients: in a list, in detail, and its checkpoints. */
import type { CheckpointInfo, ModelRecord } from "../store/ports.js";
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

/**
 * What every description of a model says, wherever the model lives (a writer here, a follower
 * of a shared log): spec, params, position in its log, metrics, pending labels, checkpoints.
 */
export function detailsOf(
  h: ServedModel,
  record: ModelRecord,
  pending: ModelDetails["pending"],
  checkpoints: readonly CheckpointInfo[],
): ModelDetails {
  const latest = checkpoints.at(-1);
  const details: ModelDetails = {
    ...summaryOf(h),
    kind: h.estimator.kind,
    params: h.params(),
    seq: h.seq,
    learned: h.learned,
    predicted: h.predicted,
    metrics: h.metricValues(),
    metrics_text: h.metricTexts(),
    pending,
    checkpoints: { count: checkpoints.length, latest: latest ? checkpointJson(latest) : null },
  };
  if (h.drift)
    details.drift = { detector: record.drift, detections: h.drift.detections, recent: h.drift.recent };
  if (record.seeds) details.seeds = record.seeds;
  details.created_at = record.createdAt;
  details.updated_at = h.updatedAt.toISOString();
  return details;
}

/** Details of a model: spec, params, position in its log, metrics, pending labels, checkpoints, drift. */
export function describeWriter(w: ModelWriter): ModelDetails {
  const h = w.model;
  const details = detailsOf(
    h,
    w.record,
    { waiting: w.pending.size, ...w.pending.counters },
    w.listCheckpoints(),
  );
  details.disk = w.diskUsage();
  const health = w.health();
  details.writable = health.writable;
  if (health.problems.length) details.problems = health.problems;
  return details;
}
