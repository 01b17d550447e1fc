/**
 * Predictions from a model that may be behind its log (a Redis node that cannot reach Redis):
 * they are still answered, from the local model, and say so, with a header and, in JSON
 * answers that document it, a field.
 */
import type { Backend } from "./backend.js";

/** The header on a prediction that may be stale: its value says why (`redis-unreachable`). */
export const STALE_HEADER = "x-brook-stale";

/** The headers of a prediction from model `name` (undefined when it is current), after the backend's check. */
export function staleHeaders(backend: Backend, name: string): Record<string, string> | undefined {
  const why = backend.staleness?.(name);
  return why === undefined ? undefined : { [STALE_HEADER]: why };
}
