import type { ComponentClass } from "../registry.js";

/** Encoders, scalers, feature selection and unions. */
export const preprocessing: readonly ComponentClass[] = [];
