/**
 * The events of the live feed (`GET /v1/events`, `GET /v1/models/{name}/stream`): what
 * happened to which model, with an id that orders them. The ids are assigned once, by the
 * process that holds the writers, so every HTTP worker serves the same events under the same
 * ids and a client may resume on any of them.
 */

export type FeedType =
  | "learn"
  | "drift"
  | "checkpoint"
  | "rollback"
  | "import"
  | "model-created"
  | "model-deleted";

/**
 * One event, as JSON: `id`, `type`, `model`, `at` (ISO 8601), and the fields of its type:
 * - `learn` (the learns of one model in one feed tick, about 100 ms): `count`, `version`,
 *   `seq`, `learned`, and `metrics` after the last one (absent when the model changed again
 *   in the same tick);
 * - `drift`: `version` (the example that set it off), `detections`;
 * - `checkpoint`: `seq`, `version`, `bytes`;
 * - `rollback`: `version`, `seq`, `learned`, `restored` (the checkpoint's version), `metrics`;
 * - `import`: `version`, `seq`, `learned`, `metrics`;
 * - `model-created`: `spec`, `task`, `version`; `model-deleted`: nothing more.
 */
export interface FeedEvent {
  id: string;
  type: FeedType;
  model: string;
  at: string;
  [field: string]: unknown;
}

/** An id: the feed's epoch (when its process started, base 36) and the event's number in it. */
export function feedId(epoch: string, n: number): string {
  return `${epoch}-${n}`;
}

/** The parts of an id, or `undefined` when it is not one of ours. */
export function parseFeedId(id: string): { epoch: string; n: number } | undefined {
  const m = /^([0-9a-z]{1,16})-(\d{1,15})$/.exec(id.trim());
  if (!m) return undefined;
  return { epoch: m[1]!, n: Number(m[2]) };
}
