/**
 * Test helpers for River conformance: reading the reference files (copied from River's own
 * runs, see fixtures/conformance/README.md) and comparing numbers the way they specify.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Component } from "../../src/learn/index.js";

export const FIXTURES = join(import.meta.dirname, "..", "fixtures", "conformance");

export function readCombo(file: string): any {
  return JSON.parse(readFileSync(join(FIXTURES, file), "utf8"));
}

/** A number from a reference file ("NaN", "Infinity" and "-Infinity" are written as strings). */
export function num(v: unknown): number {
  if (typeof v === "number") return v;
  if (v === "NaN") return Number.NaN;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  throw new Error(`not a number: ${JSON.stringify(v)}`);
}

/** |a - b| <= 1e-9, absolute or relative to |b| for large values; NaN equals NaN, infinities must match. */
export function close(actual: number, expected: number, what: string, tol = 1e-9): void {
  if (Number.isNaN(expected)) {
    assert.ok(Number.isNaN(actual), `${what}: expected NaN, got ${actual}`);
    return;
  }
  if (!Number.isFinite(expected)) {
    assert.equal(actual, expected, what);
    return;
  }
  const d = Math.abs(actual - expected);
  assert.ok(
    d <= tol * Math.max(1, Math.abs(expected)),
    `${what}: expected ${expected}, got ${actual} (|Δ| = ${d})`,
  );
}

/** Compares a {name: number} map from a reference file with ours, key by key. */
export function closeMap(
  actual: Record<string, number>,
  expected: Record<string, unknown>,
  what: string,
): void {
  for (const [k, v] of Object.entries(expected)) {
    assert.ok(k in actual, `${what}: missing ${k}`);
    close(actual[k]!, num(v), `${what}.${k}`);
  }
}

/**
 * A predicted distribution against River's `y_pred_proba`: the same classes in River's order
 * (it decides ties), and each probability within tolerance.
 */
export function closeProba(
  actual: ReadonlyMap<unknown, number>,
  expected: Record<string, unknown>,
  what: string,
): void {
  assert.deepEqual([...actual.keys()].map(String), Object.keys(expected), `${what} class order`);
  for (const [label, p] of actual) close(p, num(expected[String(label)]), `${what} P(${label})`);
}

/** Our exported state in the layout of River's reference `state` fields. */
export function riverState(c: Component): any {
  const s = c.exportState() as any;
  const byName = (names: string[], values: unknown[]) =>
    Object.fromEntries(names.map((n, i) => [n, num(values[i])]));
  switch (c.kind) {
    case "Pipeline":
      return Object.fromEntries(
        (c.params as any).steps.map((step: Component) => [step.kind, riverState(step)]),
      );
    case "StandardScaler":
      return {
        counts: byName(s.names, s.counts),
        means: byName(s.names, s.means),
        vars: byName(s.names, s.vars),
      };
    default:
      return {
        weights: byName(s.names, s.weights),
        intercept: num(s.intercept),
        optimizer_n_iterations: s.optimizer.n_iterations,
      };
  }
}

/** Compares River's state (nested objects of numbers) with ours. */
export function closeState(actual: any, expected: any, what: string): void {
  if (typeof expected === "number" || typeof expected === "string") {
    close(num(actual), num(expected), what);
    return;
  }
  for (const [k, v] of Object.entries(expected)) {
    assert.ok(actual !== undefined && k in actual, `${what}: missing ${k}`);
    closeState(actual[k], v, `${what}.${k}`);
  }
}
