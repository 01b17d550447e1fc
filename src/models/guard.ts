/**
 * The learn guard: a second copy of a writer's model (the probe), always at the state after
 * every event admitted so far (applied, being logged, or being admitted now), on which the
 * writer tries a request's events before it logs them. A learn that would make a weight, mean
 * or metric non-finite, or that the model cannot apply at all, is refused there: it is never
 * logged, so the served model, its recovery and its replicas never see it.
 *
 * Why a probe and not a check on the served model: the served model applies events only once
 * they are durable, and requests in flight are logged but not applied yet, so only a copy that
 * runs ahead can say what an event does to the state it will meet. A refusal rebuilds the
 * probe (the writer's applied state, then the events still in flight): slow, and rare.
 */
import type { LogEvent, Stored } from "../codec/events.js";
import { type BrookError, brookError, isClientError } from "../errors.js";
import type { LearnError } from "../learn/index.js";
import type { ModelRecord } from "../store/ports.js";
import { applyToHost, type SnapshotAt } from "./apply.js";
import { DEFAULT_HISTORY, type HistorySettings } from "./metric-history.js";
import { ServedModel } from "./served-model.js";

/** What the guard let through of a request, and what it refused (by position in the events). */
export interface Guarded {
  events: LogEvent[];
  refused: { at: number; error: BrookError | LearnError }[];
}

export class LearnGuard {
  private probe!: ServedModel;
  /**
   * Whether the probe's state is finite. False only for a model that was non-finite already
   * (learned before guards existed): there is nothing left to protect, so learns go on.
   */
  private finite = true;

  constructor(
    private readonly record: ModelRecord,
    private readonly history: HistorySettings | undefined,
    /** The writer's model: every event applied so far. */
    private readonly applied: () => ServedModel,
    /** The events logged (or being logged) and not applied yet, in seq order. */
    private readonly inflight: () => Iterable<Stored>,
    private readonly snapshotAt: SnapshotAt,
  ) {
    this.rebuild([]);
  }

  /**
   * Tries `events` (seqs from `first` on) on the probe, in order. A learn event that leaves
   * the state non-finite, or any event the model throws on, is refused: with `partial`, when
   * the refusal is a client error, that event is left out and the others go on; otherwise the
   * probe forgets the whole request and the error is thrown (nothing is logged).
   * `where(i)`: how a refusal names event `i` (`instances[3]`).
   */
  admit(events: readonly LogEvent[], first: number, partial: boolean, where: (i: number) => string): Guarded {
    const kept: Stored[] = [];
    const refused: Guarded["refused"] = [];
    for (let i = 0; i < events.length; i++) {
      const stored: Stored = { seq: first + kept.length, event: events[i]! };
      let error: unknown;
      try {
        this.apply(this.probe, stored);
        const { type } = stored.event;
        if (type === "learn") {
          if (this.finite && !this.probe.learnedStateIsFinite()) error = this.nonFinite(where(i));
        } else if (type !== "remember") {
          // A rollback or an import replaces the whole state (imports are checked finite).
          this.finite = this.probe.stateIsFinite();
        }
      } catch (err) {
        error = err;
      }
      if (error === undefined) {
        kept.push(stored);
        continue;
      }
      if (!partial || !isClientError(error)) {
        this.rebuild([]);
        throw error;
      }
      this.rebuild(kept);
      refused.push({ at: i, error });
    }
    return { events: kept.map((s) => s.event), refused };
  }

  /** Forgets events that will never be applied (their append failed): back to applied + in flight. */
  reset(): void {
    this.rebuild([]);
  }

  private nonFinite(where: string): BrookError {
    const what = where === "" ? "this example" : where;
    return brookError(
      "NON_FINITE",
      `model "${this.record.name}": learning ${what} would make the model's state non-finite (a weight, mean or metric would overflow); nothing was learned`,
      where === "" ? undefined : { path: where },
    );
  }

  private rebuild(extra: readonly Stored[]): void {
    const probe = ServedModel.fromRecord(this.record, this.history ?? DEFAULT_HISTORY);
    // A copy: the probe must never share a mutable object with the served model. (Without the
    // metric history: the probe serves nothing, and its history starts empty.)
    const { history: _history, ...snapshot } = this.applied().snapshot();
    probe.restoreSnapshot(structuredClone(snapshot));
    for (const s of this.inflight()) this.apply(probe, s);
    for (const s of extra) this.apply(probe, s);
    this.probe = probe;
    this.finite = probe.stateIsFinite();
  }

  /** Applies an event to the probe, with copies of whatever the served model will load too. */
  private apply(probe: ServedModel, stored: Stored): void {
    const { event } = stored;
    const own: Stored =
      event.type === "import"
        ? { seq: stored.seq, event: { ...event, state: structuredClone(event.state) } }
        : stored;
    applyToHost(probe, own, (seq) => structuredClone(this.snapshotAt(seq)));
  }
}
