import type { Stored } from "../store/events.js";
import type { HostSnapshot, ModelHost } from "./model-host.js";

/**
 * Applies one logged event to a model: the same deterministic code for the writer, its
 * recovery, replays from scratch, and read replicas, which is why they never diverge.
 * `rollback` gives the state a rollback returns to (the checkpoint it names).
 */
export function applyToHost(
  host: ModelHost,
  { seq, event }: Stored,
  rollback: (ckpt: number) => HostSnapshot,
): void {
  switch (event.type) {
    case "learn":
      host.learnOne(event.x, event.y, event.p, event.at);
      break;
    case "remember":
      break; // kept by the writer for later labels; the model does not change
    case "rollback":
      host.rollbackTo(rollback(event.ckpt));
      break;
    case "import":
      host.importSnapshot(event.state as unknown as Parameters<ModelHost["importSnapshot"]>[0]);
      break;
  }
  host.seq = seq;
  host.lastEventAt = event.at;
}
