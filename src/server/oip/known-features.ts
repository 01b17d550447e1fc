/**
 * The feature names a model has learned, when its first step keeps them (a scaler, a linear
 * model, a selector): the Open Inference Protocol's model metadata lists one input per name.
 * Models whose first step renames or encodes features say nothing (their inputs are dynamic).
 */
import type { Component } from "../../learn/base/component.js";
import { FeatureIndex } from "../../learn/base/feature-index.js";
import type { ServedModel } from "../../models/served-model.js";

function namesOf(c: Component): string[] | undefined {
  const p = c.params as { steps?: Component[]; transformers?: Component[]; keys?: unknown };
  if (c.kind === "Pipeline" && p.steps?.[0]) return namesOf(p.steps[0]);
  if (c.kind === "TransformerUnion" && p.transformers) {
    const all = p.transformers.map(namesOf);
    if (all.some((n) => n === undefined)) return undefined;
    return [...new Set(all.flat() as string[])];
  }
  if (c.kind === "Select" && Array.isArray(p.keys)) return p.keys.map(String);
  for (const v of Object.values(c))
    if (v instanceof FeatureIndex) return v.size > 0 ? [...v.names] : undefined;
  return undefined;
}

/** The feature names `model` knows, in first-seen order; undefined when it cannot tell. */
export function knownFeatures(model: ServedModel): string[] | undefined {
  return namesOf(model.estimator as unknown as Component);
}
