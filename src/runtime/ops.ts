/**
 * The operations on models that every process topology offers, wherever the model's single
 * writer runs: in this process (`LocalBackend`) or in the cluster's primary (forwarded by the
 * typed RPC of cluster/rpc.ts, which is derived from this interface).
 */
import type { Json } from "../learn/index.js";
import type { LearnItem, RememberItem } from "../models/admission.js";
import type { ModelDetails, ModelSummary } from "../models/describe.js";
import type { LearnOptions, LearnResult } from "../models/writer.js";
import type { CheckpointInfo } from "../store/ports.js";
import type { EngineHealth } from "./engine.js";

export interface ModelOps {
  /** Whether every model accepts writes (a disk fault makes one refuse them): readiness. */
  health(): Promise<EngineHealth>;
  list(): Promise<ModelSummary[]>;
  details(name: string): Promise<ModelDetails>;
  learn(name: string, items: readonly LearnItem[], options?: LearnOptions): Promise<LearnResult>;
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
}
