/**
 * Which writes a model accepts, before anything is logged: a label for a remembered prediction
 * must find it (404), unexpired (404) and not labelled yet (409); a client's prediction id must
 * be free (409); a retried event id is a duplicate, not a second example. The checks see the
 * events still in flight too, so two concurrent requests can never take the same id.
 */
import { randomUUID } from "node:crypto";
import type { LogEvent } from "../codec/events.js";
import { BrookError, brookError } from "../errors.js";
import type { Label, Prediction, RawFeatures } from "../learn/index.js";
import type { ModelState } from "./apply.js";
import type { FeatureBudget } from "./feature-budget.js";
import type { PendingEntry } from "./pending.js";
import type { PredictOutcome } from "./served-model.js";

/** One item of a learn request: features and target, or the id of a remembered prediction and its target. */
export interface LearnItem {
  x?: RawFeatures;
  id?: string;
  /** Absent only for anomaly detectors learning without a label. */
  y: Label | number | undefined;
  /** Client-chosen id that makes a retry of this item a no-op. */
  eventId?: string;
}

/** A prediction to remember for a label that comes later. */
export interface RememberItem {
  x: RawFeatures;
  outcome: PredictOutcome;
  id?: string;
}

/** A learn request checked: the events to log, and the retries recognised by their event id. */
export interface AdmittedLearn {
  events: LogEvent[];
  /** The index in the request of each event's item. */
  indexes: number[];
  duplicates: number;
  /** The newest version a recognised retry produced. */
  duplicateVersion: number;
  /** With `partial`: the items left out, by index, and why. */
  rejected?: { index: number; code: string; message: string; setting?: string }[];
}

export class Admission {
  private readonly inflightEventIds = new Set<string>();
  private readonly inflightLabels = new Set<string>();
  private readonly inflightRemembered = new Map<string, PendingEntry>();

  constructor(
    private readonly model: string,
    private readonly state: () => ModelState,
    private readonly pendingTtlMs: number,
    /** The count of the model's feature names, against `--max-model-features` (none: unbounded). */
    private readonly features?: FeatureBudget,
  ) {}

  /**
   * Checks a learn request and returns its events: all items before any is logged, and one
   * refusal refuses them all; with `partial`, a refused item is left out and reported (by its
   * index) and the others go on, in order (a stream of examples, where one bad line must not
   * cost the rest).
   */
  learn(items: readonly LearnItem[], now: number, partial = false): AdmittedLearn {
    try {
      const admitted = this.learnItems(items, now, partial);
      this.features?.commit();
      return admitted;
    } catch (err) {
      this.features?.abandon();
      throw err;
    }
  }

  private learnItems(items: readonly LearnItem[], now: number, partial: boolean): AdmittedLearn {
    const { model, eventIds } = this.state();
    const events: LogEvent[] = [];
    const indexes: number[] = [];
    // Ids seen earlier in this request (only requests of several items need them).
    let batchEventIds: Set<string> | undefined;
    let batchIds: Set<string> | undefined;
    let duplicates = 0;
    let duplicateVersion = 0;
    let rejected: AdmittedLearn["rejected"];
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (item.eventId !== undefined) {
        const known = eventIds.get(item.eventId);
        if (
          known !== undefined ||
          this.inflightEventIds.has(item.eventId) ||
          batchEventIds?.has(item.eventId)
        ) {
          duplicates++;
          duplicateVersion = Math.max(duplicateVersion, known ?? model.version);
          continue;
        }
      }
      let event: LogEvent;
      const where = items.length > 1 ? `instances[${i}]` : "";
      if (item.id !== undefined) {
        let entry: PendingEntry;
        try {
          entry = this.takeable(item.id, now, where, batchIds);
          this.features?.check(entry.x, where);
        } catch (err) {
          if (!partial || !(err instanceof BrookError)) throw err;
          rejected ??= [];
          rejected.push(rejection(i, err));
          continue;
        }
        batchIds ??= new Set();
        batchIds.add(item.id);
        event = {
          type: "learn",
          x: entry.x,
          y: item.y,
          served: entry.served,
          id: item.id,
          eventId: item.eventId,
          at: now,
        };
      } else {
        try {
          this.features?.check(item.x!, where);
        } catch (err) {
          if (!partial || !(err instanceof BrookError)) throw err;
          rejected ??= [];
          rejected.push(rejection(i, err));
          continue;
        }
        event = { type: "learn", x: item.x!, y: item.y, eventId: item.eventId, at: now };
      }
      if (item.eventId !== undefined) {
        batchEventIds ??= new Set();
        batchEventIds.add(item.eventId);
      }
      events.push(event);
      indexes.push(i);
    }
    return { events, indexes, duplicates, duplicateVersion, rejected };
  }

  /** The remembered prediction `id`, if a label may be learned for it now (404/409 otherwise). */
  private takeable(id: string, now: number, where: string, batchIds: Set<string> | undefined): PendingEntry {
    const { pending } = this.state();
    const path = where ? `${where}.id` : "id";
    if (this.inflightLabels.has(id) || batchIds?.has(id) || pending.wasLabelled(id, now)) {
      throw brookError("ALREADY_LABELLED", `${path} "${id}" already has its label`, { path, id });
    }
    const entry = pending.get(id) ?? this.inflightRemembered.get(id);
    if (!entry) {
      throw brookError(
        "ID_NOT_FOUND",
        `${path} "${id}" is not a remembered prediction of model "${this.model}" (unknown, evicted, or expired long ago)`,
        { path, id },
      );
    }
    if (entry.expiresAt < now) {
      pending.expire(id);
      throw brookError(
        "ID_EXPIRED",
        `${path} "${id}" expired: its label came after the ${this.pendingTtlMs / 1000} s the prediction was kept`,
        { path, id },
      );
    }
    return entry;
  }

  /**
   * Checks predictions to remember and returns their ids (the client's, or generated) and
   * events; a client id still waiting for its label is a conflict (409).
   */
  remember(items: readonly RememberItem[], now: number): { ids: string[]; events: LogEvent[] } {
    const { model, pending } = this.state();
    const seen = new Set<string>();
    const ids = items.map((item, i) => {
      const id = item.id ?? randomUUID();
      if (
        item.id !== undefined &&
        (pending.get(id) || this.inflightRemembered.has(id) || seen.has(id) || pending.wasLabelled(id, now))
      ) {
        const path = items.length > 1 ? `instances[${i}].id` : "id";
        throw brookError("ID_CONFLICT", `${path} "${id}" is already in use by a remembered prediction`, {
          path,
          id,
        });
      }
      seen.add(id);
      return id;
    });
    const events: LogEvent[] = items.map((item, i) => ({
      type: "remember",
      id: ids[i]!,
      x: item.x,
      served: servedPrediction(item.outcome),
      version: model.version,
      expiresAt: now + this.pendingTtlMs,
      at: now,
    }));
    return { ids, events };
  }

  /** The events are being logged: later requests must see them. */
  hold(events: readonly LogEvent[]): void {
    for (const e of events) {
      if (e.type === "learn") {
        if (e.eventId !== undefined) this.inflightEventIds.add(e.eventId);
        if (e.id !== undefined) this.inflightLabels.add(e.id);
      } else if (e.type === "remember") {
        const { id, x, served, version, expiresAt } = e;
        this.inflightRemembered.set(id, { id, x, served, version, expiresAt });
      }
    }
  }

  /** An event held by {@link hold} was applied (or will never be): it is no longer in flight. */
  release(e: LogEvent): void {
    if (e.type === "learn") {
      if (e.eventId !== undefined) this.inflightEventIds.delete(e.eventId);
      if (e.id !== undefined) this.inflightLabels.delete(e.id);
    } else if (e.type === "remember") {
      this.inflightRemembered.delete(e.id);
    }
  }
}

/** A left-out item as a partial learn reports it (with the limit that refused it, if one did). */
function rejection(index: number, err: BrookError): NonNullable<AdmittedLearn["rejected"]>[number] {
  const setting = err.details?.setting;
  const r: NonNullable<AdmittedLearn["rejected"]>[number] = { index, code: err.code, message: err.message };
  if (typeof setting === "string") r.setting = setting;
  return r;
}

/** What a remembered prediction keeps to score its label: probabilities, a number, or nothing. */
export function servedPrediction(outcome: PredictOutcome): Prediction | null {
  if (outcome.probabilities) return outcome.probabilities.size > 0 ? outcome.probabilities : null;
  return outcome.prediction === undefined ? null : (outcome.prediction as Prediction);
}
