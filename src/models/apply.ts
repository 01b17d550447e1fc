/**
 * Applying logged events: the deterministic heart of the live path, recovery, replays from
 * scratch and read replicas, which is why they never diverge.
 */
import type { Stored } from "../codec/events.js";
import type { RecentEventIds } from "./event-ids.js";
import type { PendingPredictions } from "./pending.js";
import type { ServedModel } from "./served-model.js";
import type { ModelSnapshot } from "./snapshot.js";

/** The model state at a rollback's checkpoint. */
export type SnapshotAt = (checkpointSeq: number) => ModelSnapshot;

/**
 * Applies one event to a model (what a read replica keeps). `snapshotAt` gives the state a
 * rollback returns to (the checkpoint it names).
 */
export function applyToHost(model: ServedModel, { seq, event }: Stored, snapshotAt: SnapshotAt): void {
  switch (event.type) {
    case "learn":
      model.learnOne(event.x, event.y, event.served, event.at);
      break;
    case "remember":
      break; // kept by the writer for later labels; the model does not change
    case "rollback":
      model.rollbackTo(snapshotAt(event.checkpoint), event.at);
      break;
    case "import":
      model.importSnapshot(event.state as unknown as Parameters<ServedModel["importSnapshot"]>[0], event.at);
      break;
  }
  model.seq = seq;
}

/** Everything a model's writer derives from its log: the model, its pending labels, its recent event ids. */
export interface ModelState {
  model: ServedModel;
  pending: PendingPredictions;
  eventIds: RecentEventIds;
}

/** Applies one event to a writer's whole state (the model, then what the event leaves for later). */
export function applyEvent(state: ModelState, stored: Stored, snapshotAt: SnapshotAt): void {
  applyToHost(state.model, stored, snapshotAt);
  const { event } = stored;
  if (event.type === "learn") {
    if (event.id !== undefined) state.pending.consume(event.id);
    if (event.eventId !== undefined) state.eventIds.add(event.eventId, state.model.version);
  } else if (event.type === "remember") {
    const { id, x, served, version, expiresAt } = event;
    state.pending.add({ id, x, served, version, expiresAt });
  }
}
