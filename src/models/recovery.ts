/**
 * Rebuilding a model's state from its stores: the newest readable checkpoint, then the log
 * after it. Pure functions of (checkpoints, log): the result equals a replay of the whole log
 * from scratch, bit for bit, which is what recovery, rollbacks to a pruned checkpoint and the
 * tests rely on.
 */
import { brookError } from "../errors.js";
import type { Json } from "../learn/index.js";
import type { CheckpointStore, EventLog, ModelRecord } from "../store/ports.js";
import { applyEvent, type ModelState } from "./apply.js";
import { RecentEventIds } from "./event-ids.js";
import { DEFAULT_HISTORY, type HistorySettings } from "./metric-history.js";
import { PendingPredictions } from "./pending.js";
import { ServedModel } from "./served-model.js";
import type { ModelSnapshot } from "./snapshot.js";

/** A model's stores: its creation record, its log and its checkpoints. */
export interface ModelStores {
  record: ModelRecord;
  log: EventLog;
  checkpoints: CheckpointStore;
}

/** How much a writer's state remembers besides the model. */
export interface StateLimits {
  /** Most remembered predictions (the oldest is evicted). */
  pendingCapacity: number;
  /** Event ids remembered for idempotent retries. */
  eventIdCapacity: number;
  /** How finely the metric history samples (default {@link DEFAULT_HISTORY}). */
  history?: HistorySettings;
}

/** The body of a checkpoint. */
export interface CheckpointBody {
  model: ModelSnapshot;
  pending: Json;
  eventIds: Json;
}

/** A model as created, before any event. */
export function emptyState(record: ModelRecord, limits: StateLimits): ModelState {
  return {
    model: ServedModel.fromRecord(record, limits.history ?? DEFAULT_HISTORY),
    pending: new PendingPredictions(limits.pendingCapacity),
    eventIds: new RecentEventIds(limits.eventIdCapacity),
  };
}

/**
 * Loads a checkpoint's body into a state. The history it holds moves to this writer's
 * settings (the same ones unless the operator changed them).
 */
export function restoreState(state: ModelState, body: CheckpointBody, limits: StateLimits): void {
  state.model.restoreSnapshot(body.model);
  state.model.history.configure(limits.history ?? DEFAULT_HISTORY);
  state.pending.importState(body.pending);
  state.eventIds.importState(body.eventIds);
}

/** The checkpoint body at `seq`; throws if it is gone or fails its checksum. */
export function loadCheckpoint(checkpoints: CheckpointStore, seq: number): CheckpointBody {
  return checkpoints.load(seq) as unknown as CheckpointBody;
}

/**
 * The model as it was after event `seq` (what a rollback to that checkpoint returns to): from
 * the checkpoint, or rebuilt from the log when the checkpoint is gone (pruned) or damaged
 * (`BROOK_HISTORY_PRUNED` if retention deleted the events that would take).
 */
export function snapshotAt(stores: ModelStores, limits: StateLimits, seq: number): ModelSnapshot {
  try {
    return loadCheckpoint(stores.checkpoints, seq).model;
  } catch {
    try {
      return replay(stores, limits, seq, "scratch").model.snapshot();
    } catch (err) {
      if ((err as { code?: string }).code !== "BROOK_HISTORY_PRUNED") throw err;
      throw brookError(
        "HISTORY_PRUNED",
        `model "${stores.record.name}": the checkpoint at seq ${seq} is gone and the events before it were deleted by retention (the log starts at seq ${stores.log.first})`,
        { seq, first: stores.log.first },
      );
    }
  }
}

/**
 * Where a replay "from scratch" starts: seq 0 when the log is whole; when retention deleted
 * its start, the oldest checkpoint that the remaining log continues (the earliest state that
 * can still be had). `BROOK_HISTORY_PRUNED` if there is none at or before `to`.
 */
function scratchBase(stores: ModelStores, to: number): number {
  const first = stores.log.first;
  if (first <= 1 || stores.log.head < first) return 0;
  const base = stores.checkpoints.list().find((c) => c.seq >= first - 1 && c.seq <= to);
  if (!base) {
    throw brookError(
      "HISTORY_PRUNED",
      `model "${stores.record.name}": the state at seq ${to} cannot be rebuilt: events before seq ${first} were deleted by retention and no kept checkpoint covers it`,
      { seq: to, first },
    );
  }
  return base.seq;
}

/**
 * The state after event `to`, rebuilt from the log alone (`scratch`: from the start, or from
 * the oldest checkpoint the log still continues when retention deleted its beginning), or
 * from the newest readable checkpoint at or before `to` then the log (`checkpoint`).
 */
export function replay(
  stores: ModelStores,
  limits: StateLimits,
  to: number,
  from: "scratch" | "checkpoint",
): ModelState {
  const state = emptyState(stores.record, limits);
  if (from === "checkpoint") {
    const base = stores.checkpoints
      .list()
      .filter((c) => c.seq <= to)
      .pop();
    if (base) restoreState(state, loadCheckpoint(stores.checkpoints, base.seq), limits);
  } else {
    const base = scratchBase(stores, to);
    if (base > 0) restoreState(state, loadCheckpoint(stores.checkpoints, base), limits);
  }
  for (const stored of stores.log.read(state.model.seq + 1)) {
    if (stored.seq > to) break;
    applyEvent(state, stored, (seq) => snapshotAt(stores, limits, seq));
  }
  return state;
}

/** What recovery found: the state, and the seq of the checkpoint it started from (0: none). */
export interface Recovered {
  state: ModelState;
  checkpointSeq: number;
}

/**
 * Recovers a model at start: the newest checkpoint that loads (a damaged one is reported to
 * `warn` and the one before is tried), then every logged event after it.
 */
export function recover(
  stores: ModelStores,
  limits: StateLimits,
  warn: (obj: object, msg: string) => void,
): Recovered {
  const { record, log, checkpoints } = stores;
  let state = emptyState(record, limits);
  let checkpointSeq = 0;
  for (const info of checkpoints.list().reverse()) {
    try {
      restoreState(state, loadCheckpoint(checkpoints, info.seq), limits);
      checkpointSeq = info.seq;
      break;
    } catch (err) {
      warn(
        { model: record.name, seq: info.seq, err: (err as Error).message },
        "checkpoint unusable, trying the one before",
      );
      state = emptyState(record, limits); // a half-restored state must not leak into the next try
    }
  }
  if (state.model.seq > log.head) {
    throw brookError(
      "LOG_CORRUPT",
      `model "${record.name}": its checkpoint includes events up to seq ${state.model.seq} but the log ends at ${log.head}; the log lost events, refusing to start`,
    );
  }
  if (log.head >= log.first && state.model.seq + 1 < log.first) {
    throw brookError(
      "HISTORY_PRUNED",
      `model "${record.name}": no usable checkpoint at or after seq ${log.first - 1}, and the events before seq ${log.first} were deleted by retention; refusing to start (restore a checkpoint, or see brook doctor)`,
      { first: log.first },
    );
  }
  for (const stored of log.read(state.model.seq + 1)) {
    applyEvent(state, stored, (seq) => snapshotAt(stores, limits, seq));
  }
  return { state, checkpointSeq };
}
