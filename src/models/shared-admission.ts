/**
 * Admission when the log is shared by many nodes (Redis): the checks the embedded writer makes
 * in memory (admission.ts) are made by the append script in Redis, atomically with the append,
 * so that two nodes can never both take an event id or a label. What is left here: building
 * the events of a request (a label's learn event from the remembered prediction Redis holds),
 * and turning a refusal of the script into the same error the embedded writer gives.
 */
import { randomUUID } from "node:crypto";
import { decodeRecord, type LogEvent } from "../codec/events.js";
import { type BrookError, brookError } from "../errors.js";
import type { AppendItem, PendingRecord, Refusal } from "../store/redis/append.js";
import { recordSuffix } from "../store/redis/log.js";
import { type LearnItem, type RememberItem, servedPrediction } from "./admission.js";

/** The ids of a learn request's labels, in item order (the remembered predictions to read first). */
export function labelIds(items: readonly LearnItem[]): string[] {
  return items.flatMap((i) => (i.id === undefined ? [] : [i.id]));
}

/** An item to append, with its event when it could be built (a label of an unknown id has none). */
export interface Prepared {
  item: AppendItem;
  event: LogEvent | undefined;
}

/**
 * The items to append for a learn request. `pending` holds what Redis had for each label's id
 * (in {@link labelIds} order). Nothing is refused here: an item whose prediction is unknown,
 * labelled or expired is sent anyway and the script refuses it, unless its event id makes it a
 * retry (checked first, as the embedded writer does).
 */
export function learnItems(
  items: readonly LearnItem[],
  pending: readonly (PendingRecord | undefined)[],
  now: number,
): Prepared[] {
  let k = 0;
  return items.map((item): Prepared => {
    if (item.id === undefined) {
      const event: LogEvent = { type: "learn", x: item.x!, y: item.y, eventId: item.eventId, at: now };
      return { item: { kind: "l", eventId: item.eventId, suffix: recordSuffix(event) }, event };
    }
    const p = pending[k++];
    const remembered = p?.record ? decodeRecord(p.record).event : undefined;
    if (!p || remembered?.type !== "remember") {
      const token = p?.token ?? "";
      return {
        item: { kind: "b", eventId: item.eventId, id: item.id, token, suffix: Buffer.alloc(0) },
        event: undefined,
      };
    }
    const event: LogEvent = {
      type: "learn",
      x: remembered.x,
      y: item.y,
      served: remembered.served,
      id: item.id,
      eventId: item.eventId,
      at: now,
    };
    return {
      item: { kind: "b", eventId: item.eventId, id: item.id, token: p.token, suffix: recordSuffix(event) },
      event,
    };
  });
}

/** The items and ids of predictions to remember (the client's ids, or made up here). */
export function rememberItems(
  items: readonly RememberItem[],
  version: number,
  now: number,
  pendingTtlMs: number,
): { ids: string[]; prepared: Prepared[] } {
  const ids = items.map((i) => i.id ?? randomUUID());
  const expiresAt = now + pendingTtlMs;
  const prepared = items.map((item, i): Prepared => {
    const event: LogEvent = {
      type: "remember",
      id: ids[i]!,
      x: item.x,
      served: servedPrediction(item.outcome),
      version,
      expiresAt,
      at: now,
    };
    return { item: { kind: "r", id: ids[i]!, expiresAt, suffix: recordSuffix(event) }, event };
  });
  return { ids, prepared };
}

/** A plain event to append (rollback, import). */
export function eventItem(event: LogEvent): Prepared {
  return { item: { kind: "l", suffix: recordSuffix(event) }, event };
}

/**
 * The error the embedded writer gives for what the script refused: item `index` of a request
 * of `count` items, with id `id` (`gone`: the model was deleted meanwhile).
 */
export function refusalError(
  model: string,
  why: Exclude<Refusal, "changed">,
  index: number,
  count: number,
  id: string | undefined,
  pendingTtlMs: number,
): BrookError {
  if (why === "gone") return brookError("MODEL_NOT_FOUND", `there is no model called "${model}"`, { model });
  const path = count > 1 ? `instances[${index}].id` : "id";
  switch (why) {
    case "labelled":
      return brookError("ALREADY_LABELLED", `${path} "${id}" already has its label`, { path, id });
    case "expired":
      return brookError(
        "ID_EXPIRED",
        `${path} "${id}" expired: its label came after the ${pendingTtlMs / 1000} s the prediction was kept`,
        { path, id },
      );
    case "conflict":
      return brookError("ID_CONFLICT", `${path} "${id}" is already in use by a remembered prediction`, {
        path,
        id,
      });
    case "notfound":
      return brookError(
        "ID_NOT_FOUND",
        `${path} "${id}" is not a remembered prediction of model "${model}" (unknown, evicted, or expired long ago)`,
        { path, id },
      );
  }
}
