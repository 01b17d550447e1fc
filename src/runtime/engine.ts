import type { LearnExample, ModelHost } from "../models/model-host.js";
import type { ModelRegistry } from "../models/registry.js";

/** What a learn request gets back: the state right after its last example was applied. */
export interface LearnResult {
  /** The model's version after the examples (one version per example). */
  version: number;
  /** How many examples were learned. */
  learned: number;
  /** Metric values by name, right after the examples. */
  metrics: Record<string, number>;
  /** River's metric texts at that moment (`ROCAUC: 95.07%`). */
  texts: string[];
}

/**
 * The write path. Learn requests go through `learn`, which applies them one at a time in
 * arrival order (one ordered writer per model), so no example is lost or applied twice.
 * Reads (`host`) see the latest applied version.
 */
export interface Engine {
  readonly registry: ModelRegistry;
  /** The served model called `name` (404 error if none). */
  host(name: string): ModelHost;
  learn(name: string, examples: readonly LearnExample[]): Promise<LearnResult>;
  close(): Promise<void>;
}

/** Everything in this process's memory: nothing survives a restart. */
export class MemoryEngine implements Engine {
  constructor(readonly registry: ModelRegistry) {}

  host(name: string): ModelHost {
    return this.registry.get(name);
  }

  async learn(name: string, examples: readonly LearnExample[]): Promise<LearnResult> {
    const host = this.registry.get(name);
    // JS runs this synchronously: examples from concurrent requests never interleave.
    host.learn(examples);
    return {
      version: host.version,
      learned: examples.length,
      metrics: host.metricValues(),
      texts: host.metricTexts(),
    };
  }

  async close(): Promise<void> {}
}
