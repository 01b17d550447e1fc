import type { Json } from "../learn/index.js";
import type { LearnItem, RememberItem } from "../models/admission.js";
import { describeWriter, type ModelDetails, type ModelSummary, summaryOf } from "../models/describe.js";
import type { ServedModel } from "../models/served-model.js";
import type { LearnOptions, LearnResult } from "../models/writer.js";
import type { CheckpointInfo } from "../store/ports.js";
import type { Engine } from "./engine.js";
import { DEFAULT_EVENT_BUFFER, EngineFeed } from "./events/engine-feed.js";
import type { EventRing } from "./events/event-ring.js";
import type { ModelOps } from "./ops.js";

/** Every model in this process: the engine's writers serve reads and writes alike. */
export class LocalBackend implements ModelOps {
  private readonly feed: EngineFeed;

  constructor(readonly engine: Engine) {
    this.feed = new EngineFeed(engine, engine.options.eventBuffer ?? DEFAULT_EVENT_BUFFER);
  }

  /** The live event feed of every model (this process numbers the events). */
  get events(): EventRing {
    return this.feed.ring;
  }

  /** Writes and admin: this process holds the writers. */
  get ops(): ModelOps {
    return this;
  }

  /** The model that answers reads: the writer's own. */
  model(name: string): ServedModel {
    return this.engine.writer(name).model;
  }

  async health() {
    return this.engine.health();
  }

  async list(): Promise<ModelSummary[]> {
    return this.engine.list().map((w) => summaryOf(w.model));
  }

  async details(name: string): Promise<ModelDetails> {
    return describeWriter(this.engine.writer(name));
  }

  learn(name: string, items: readonly LearnItem[], options: LearnOptions = {}): Promise<LearnResult> {
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
    return this.engine.writer(name).checkpoint();
  }

  async checkpoints(name: string) {
    const w = this.engine.writer(name);
    return { version: w.model.version, checkpoints: w.listCheckpoints() };
  }

  async rollback(name: string, version: number) {
    const w = this.engine.writer(name);
    const r = await w.rollback(version);
    return { ...r, learned: w.model.learned };
  }

  async import(name: string, doc: unknown) {
    const w = this.engine.writer(name);
    const r = await w.import(doc);
    return { ...r, learned: w.model.learned };
  }

  modelCount(): number {
    return this.engine.list().length;
  }

  close(): Promise<void> {
    return this.engine.close();
  }
}
