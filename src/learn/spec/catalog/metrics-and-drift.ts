import { ADWIN } from "../../drift/adwin.js";
import { PageHinkley } from "../../drift/page-hinkley.js";
import { CrossEntropy } from "../../metrics/cross-entropy.js";
import { ConfusionMatrixMetric, MacroF1, MicroF1 } from "../../metrics/multiclass.js";
import { Rolling } from "../../metrics/rolling.js";
import type { ComponentClass } from "../registry.js";

/** Multiclass and rolling metrics, drift detectors. */
export const metricsAndDrift = [
  MacroF1,
  MicroF1,
  CrossEntropy,
  ConfusionMatrixMetric,
  Rolling,
  ADWIN,
  PageHinkley,
] as unknown as readonly ComponentClass[];
