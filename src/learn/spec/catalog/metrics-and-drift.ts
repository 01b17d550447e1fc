import type { ComponentClass } from "../registry.js";

/** Multiclass and rolling metrics, drift detectors. */
export const metricsAndDrift: readonly ComponentClass[] = [];
