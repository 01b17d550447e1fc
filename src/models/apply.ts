/**
 * Applying logged events: the deterministic heart of the live path, recovery, replays from
 * scratch and read replicas, which is why they never diverge.
 */
import type { Stored } from "../codec/events.js";
import type { RecentEventIds } from "./event-ids.js";
import type { ModelHost } from "./model-host.js";
import type { PendingPredictions } from "./pending.js";
import type { HostSnapshot } from "./snapshot.js";

/** The model state at a rollback's checkpoint. */
export type SnapshotAt = (checkpointSeq: number) => HostSnapshot;

/**
 * Applies one event to a model (what a read replica keeps). `snapshotAt` gives the state a
 * rollback returns to (the checkpoint it names).
 */
export function applyToHost(host: ModelHost, { seq, event }: Stored, snapshotAt: SnapshotAt): void {
  switch (event.type) {
    case "learn":
      host.learnOne(event.x, event.y, event.served, event.at);
      break;
    case "remember":
      break; // kept by the writer for later labels; the model does not change
    case "rollback":
      host.rollbackTo(snapshotAt(event.checkpoint));
      break;
    case "import":
      host.importSnapshot(event.state as unknown as Parameters<ModelHost["importSnapshot"]>[0]);
      break;
  }
  host.seq = seq;
}

/** Everything a model's writer derives from its log: the model, its pending labels, its recent event ids. */
export interface ModelState {
  host: ModelHost;
  pending: PendingPredictions;
  eventIds: RecentEventIds;
}

/** Applies one event to a writer's whole state (the model, then what the event leaves for later). */
export function applyEvent(state: ModelState, stored: Stored, snapshotAt: SnapshotAt): void {
  applyToHost(state.host, stored, snapshotAt);
  const { event } = stored;
  if (event.type === "learn") {
    if (event.id !== undefined) state.pending.consume(event.id);
    if (event.eventId !== undefined) state.eventIds.add(event.eventId, state.host.version);
  } else if (event.type === "remember") {
    const { id, x, served, version, expiresAt } = event;
    state.pending.add({ id, x, served, version, expiresAt });
  }
}
