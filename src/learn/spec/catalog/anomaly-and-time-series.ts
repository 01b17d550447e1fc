import type { ComponentClass } from "../registry.js";

/** Anomaly detectors and forecasters. */
export const anomalyAndTimeSeries: readonly ComponentClass[] = [];
