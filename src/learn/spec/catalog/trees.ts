import type { ComponentClass } from "../registry.js";

/** Hoeffding trees. */
export const trees: readonly ComponentClass[] = [];
