/**
 * What a model's learned state looks like outside the process: the snapshot that checkpoints
 * hold and replicas load, the export a client downloads, and what an import loads.
 */
import type { StateEnvelope, Task } from "../learn/index.js";
import type { HistoryState } from "./metric-history.js";

/** A drift the detector reported: at which model version, when. */
export interface DriftEvent {
  version: number;
  at: string;
}

/** A model's learned state at a log position. */
export interface ModelSnapshot {
  /** Seq of the last log event included. */
  seq: number;
  /** Model version: how many model-changing events (learn, rollback, import) were applied. */
  version: number;
  /** Examples in the model's current history (a rollback takes it back). */
  learned: number;
  state: StateEnvelope;
  metrics: StateEnvelope[];
  /** The drift detector watching the model's errors, when there is one. */
  drift?: { state: StateEnvelope; detections: number; recent: DriftEvent[] };
  /** The metric history (snapshots written before it existed have none, and load with an empty one). */
  history?: HistoryState;
}

/** Everything needed to rebuild a served model elsewhere. */
export interface ModelExport extends Omit<ModelSnapshot, "history"> {
  model: string;
  spec: string;
  task: Task;
}

/** What an import loads, once checked: the model state, and the metrics' when they fit. */
export interface ImportedState {
  state: StateEnvelope;
  metrics: StateEnvelope[] | undefined;
  learned: number;
}
