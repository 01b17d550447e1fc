import { performance } from "node:perf_hooks";
import { BrookApiError, type BrookClient, type Target } from "../client/index.js";
import { problemLine } from "./client.js";
import type { SourceRow } from "./sources.js";

/** How `replay --delay-labels` sends a stream. */
export interface LateLabelOptions {
  model: string;
  /** Seconds between a prediction's answer and its label. */
  delayLabels: number;
  /** Seconds between two predictions (0: as fast as the slots allow). */
  delay: number;
  /** Requests in flight at once, predictions and labels together. */
  concurrency: number;
  /** Most predictions waiting for their labels; new predictions wait while this many do. */
  maxPending: number;
}

export interface LateLabelResult {
  /** Rows done with: labelled, or failed on the way. */
  done: number;
  predicted: number;
  labelled: number;
  failed: number;
  /** The first few failures, one line each. */
  errors: string[];
  /** The first failure, as the server said it. */
  firstError?: BrookApiError;
}

/** A row whose prediction was sent: waiting for its answer, then for its label's time. */
interface Waiting {
  row: number;
  id: string;
  /** When its label is due (performance.now() ms); Infinity while the prediction is in flight. */
  due: number;
  /** Its prediction failed: there is nothing to label. */
  dropped: boolean;
}

/** A first-in first-out queue that does not copy on every shift (Array#shift does, past a size). */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  shift(): T | undefined {
    const item = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

/** Problems that make every later request fail the same way: stop at once rather than count them. */
function isFatal(err: BrookApiError): boolean {
  return err.code === "BROOK_MODEL_NOT_FOUND" || err.code === "BROOK_ROUTE_NOT_FOUND";
}

/**
 * Production-like traffic: every row is first asked for a prediction (remembered by the
 * server), and its label follows `delayLabels` seconds after the answer, as ground truth
 * arrives late in real systems; the server then scores the prediction it actually served.
 *
 * One loop schedules everything, so at most `concurrency` requests are ever in flight and at
 * most `maxPending` rows wait for their labels (memory stays bounded whatever the stream's
 * length). Labels go out in row order, each once it is due, before any new prediction: the
 * oldest work first. With `delayLabels` 0 and `concurrency` 1 this is exactly test-then-train.
 */
export async function replayLateLabels(
  rows: readonly SourceRow[],
  client: BrookClient,
  options: LateLabelOptions,
  onProgress: (result: Readonly<LateLabelResult>) => void,
): Promise<LateLabelResult> {
  const delayLabelsMs = options.delayLabels * 1000;
  const delayMs = options.delay * 1000;
  const waiting = new Fifo<Waiting>();
  const result: LateLabelResult = { done: 0, predicted: 0, labelled: 0, failed: 0, errors: [] };
  let next = 0;
  let inFlight = 0;
  let nextPredictAt = 0;
  let fatal: unknown;
  let wake: (() => void) | undefined;

  const fail = (err: unknown): void => {
    if (!(err instanceof BrookApiError) || isFatal(err)) {
      fatal ??= err;
      return;
    }
    result.failed++;
    result.done++;
    result.firstError ??= err;
    if (result.errors.length < 5) result.errors.push(problemLine(err));
  };
  // Every request ends here: one slot is free again, so the loop may have work to start.
  const settle = (): void => {
    inFlight--;
    onProgress(result);
    wake?.();
  };

  const predict = async (entry: Waiting): Promise<void> => {
    try {
      const answer = await client.predict(options.model, rows[entry.row]!.x, { remember: true });
      entry.id = answer.id!;
      entry.due = performance.now() + delayLabelsMs;
      result.predicted++;
    } catch (err) {
      entry.dropped = true;
      fail(err);
    } finally {
      settle();
    }
  };

  const label = async (entry: Waiting): Promise<void> => {
    try {
      await client.label(options.model, entry.id, rows[entry.row]!.y as Target);
      result.labelled++;
      result.done++;
    } catch (err) {
      fail(err);
    } finally {
      settle();
    }
  };

  for (;;) {
    if (fatal !== undefined) throw fatal;
    const now = performance.now();
    // Start what can start: due labels first, then the next prediction if there is room.
    while (inFlight < options.concurrency) {
      while (waiting.peek()?.dropped) waiting.shift();
      const head = waiting.peek();
      if (head && head.due <= now) {
        waiting.shift();
        inFlight++;
        void label(head);
      } else if (next < rows.length && waiting.size < options.maxPending && now >= nextPredictAt) {
        const entry: Waiting = { row: next++, id: "", due: Number.POSITIVE_INFINITY, dropped: false };
        waiting.push(entry);
        nextPredictAt = now + delayMs;
        inFlight++;
        void predict(entry);
      } else {
        break;
      }
    }
    if (inFlight === 0 && waiting.size === 0 && next >= rows.length) return result;
    // Sleep until a request ends, the oldest label comes due or the next prediction may go.
    // With nothing in flight one of the two times is always finite, so this never hangs.
    let until = Number.POSITIVE_INFINITY;
    if (inFlight < options.concurrency) {
      until = waiting.peek()?.due ?? until;
      if (next < rows.length && waiting.size < options.maxPending) until = Math.min(until, nextPredictAt);
    }
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
      const timer =
        until === Number.POSITIVE_INFINITY
          ? undefined
          : setTimeout(done, Math.max(0, Math.ceil(until - performance.now())));
      wake = done;
    });
  }
}
