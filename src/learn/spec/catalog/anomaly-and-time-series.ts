import { HalfSpaceTrees } from "../../anomaly/half-space-trees.js";
import { HoltWinters } from "../../time-series/holt-winters.js";
import { SNARIMAX } from "../../time-series/snarimax.js";
import type { ComponentClass } from "../registry.js";

/** Anomaly detectors and forecasters. */
export const anomalyAndTimeSeries = [
  HalfSpaceTrees,
  HoltWinters,
  SNARIMAX,
] as unknown as readonly ComponentClass[];
