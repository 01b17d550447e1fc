import type { Component, Family, Schema } from "../base/component.js";
import { anomalyAndTimeSeries } from "./catalog/anomaly-and-time-series.js";
import { core } from "./catalog/core.js";
import { linearAndBayes } from "./catalog/linear-and-bayes.js";
import { metricsAndDrift } from "./catalog/metrics-and-drift.js";
import { preprocessing } from "./catalog/preprocessing.js";
import { trees } from "./catalog/trees.js";

/** A class that a spec can name. */
export interface ComponentClass {
  readonly kind: string;
  readonly schema: Schema;
  /** Undefined for Pipeline, whose family is its last step's. */
  readonly family?: Family;
  new (params?: Record<string, unknown>): Component;
}

const classes: readonly ComponentClass[] = [
  ...core,
  ...linearAndBayes,
  ...trees,
  ...preprocessing,
  ...metricsAndDrift,
  ...anomalyAndTimeSeries,
];

const byKind = new Map<string, ComponentClass>(classes.map((c) => [c.kind, c]));

/** The class registered under `kind`, if any. */
export function lookup(kind: string): ComponentClass | undefined {
  return byKind.get(kind);
}

/** Every registered kind, in registration order. */
export function kinds(): string[] {
  return [...byKind.keys()];
}

/** The registered kind closest to `name` (for "did you mean" hints). */
export function closestKind(name: string): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const kind of byKind.keys()) {
    const d = editDistance(name.toLowerCase(), kind.toLowerCase());
    if (d < bestD) {
      best = kind;
      bestD = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
