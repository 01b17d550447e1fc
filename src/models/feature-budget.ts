/**
 * How many distinct feature names a model may grow to (`--max-model-features`): every name a
 * model learns from gets state in it (a weight, a mean, a slot), so a client sending fresh
 * names with every example would grow it, its checkpoints and every replica without bound.
 * The writer counts the names it has admitted and refuses, before anything is logged, a learn
 * that would take the model past the limit (422, the limit in the details).
 *
 * The count starts from the names the model's state holds (the feature indexes of its steps,
 * which after an encoder may include derived names such as `color_red`, so it may err high),
 * and goes on with the names of every admitted example. Models that keep no feature index (the
 * trees) start again from zero after a restart, a rollback or an import: their count errs low.
 */
import { limitError } from "../errors.js";
import { DenseFeatures } from "../learn/base/dense-features.js";
import { FeatureIndex } from "../learn/base/feature-index.js";
import { Component, type RawFeatures } from "../learn/index.js";
import type { ServedModel } from "./served-model.js";

/** The feature names held in `root`'s feature indexes and those of its steps. */
export function heldFeatureNames(root: Component): Set<string> {
  const out = new Set<string>();
  const seen = new Set<object>();
  const visit = (v: unknown): void => {
    if (typeof v !== "object" || v === null || seen.has(v)) return;
    seen.add(v);
    if (v instanceof FeatureIndex) {
      for (const n of v.names) out.add(n);
    } else if (v instanceof Component) {
      for (const f of Object.values(v)) visit(f);
      for (const p of Object.values(v.params)) visit(p);
    } else if (Array.isArray(v)) {
      // Steps of a pipeline or a union: only components, never data arrays.
      for (const item of v) if (item instanceof Component) visit(item);
    }
  };
  visit(root);
  return out;
}

/** The writer's count of a model's feature names, and the check of a learn against the limit. */
export class FeatureBudget {
  private names: Set<string> | undefined;
  /** The model state the count was taken from (a rollback or an import starts it again). */
  private countedLoad = -1;
  /** A names list seen whole already: the same interned array again costs nothing. */
  private lastNames: readonly string[] | undefined;
  /** Names admitted by the request being checked, not yet counted. */
  private readonly adding = new Set<string>();

  constructor(
    private readonly model: () => ServedModel,
    readonly limit: number,
  ) {}

  private known(): Set<string> {
    const model = this.model();
    if (this.names === undefined || this.countedLoad !== model.loads) {
      this.names = heldFeatureNames(model.estimator as unknown as Component);
      this.countedLoad = model.loads;
      this.lastNames = undefined;
    }
    return this.names;
  }

  /** Names the model has (or has been admitted to learn). */
  get size(): number {
    return this.known().size;
  }

  /**
   * Checks one example of a request: throws the limit's refusal when its new names would take
   * the model past the limit (with those the request added before it). `where` names it.
   */
  check(x: RawFeatures, where: string): void {
    const known = this.known();
    const names = x instanceof DenseFeatures ? x.names : undefined;
    if (names !== undefined && names === this.lastNames) return;
    const fresh: string[] = [];
    for (const name of names ?? x.keys()) {
      if (!known.has(name) && !this.adding.has(name)) fresh.push(name);
    }
    if (fresh.length === 0) {
      if (names !== undefined && this.adding.size === 0) this.lastNames = names;
      return;
    }
    const total = known.size + this.adding.size + fresh.length;
    if (total > this.limit) {
      const model = this.model().name;
      throw limitError(
        "max-model-features",
        this.limit,
        `${where ? `${where}: ` : ""}learning this would give model "${model}" ${total} distinct feature names, more than the limit of ${this.limit}; nothing was learned`,
        { model, model_features: known.size },
      );
    }
    for (const name of fresh) this.adding.add(name);
  }

  /** The request was admitted: its new names count from now on. */
  commit(): void {
    if (this.adding.size === 0) return;
    const known = this.known();
    for (const name of this.adding) known.add(name);
    this.adding.clear();
  }

  /** The request was refused: its names do not count. */
  abandon(): void {
    this.adding.clear();
  }
}
