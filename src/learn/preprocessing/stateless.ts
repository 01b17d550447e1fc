import { StateError } from "../base/errors.js";
import type { Json } from "../base/types.js";

/** The state of a transformer that learns nothing: an empty object. */
export function emptyState(): Json {
  return {};
}

/**
 * Validates the state of a transformer that learns nothing: only `{}` is accepted, so that a
 * state meant for another estimator is rejected rather than silently ignored.
 */
export function checkEmptyState(data: Json, kind: string): void {
  if (typeof data !== "object" || data === null || Array.isArray(data) || Object.keys(data).length > 0) {
    throw new StateError(`${kind} learns nothing: its state must be {}`);
  }
}
