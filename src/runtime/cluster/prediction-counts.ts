/**
 * Predictions answered per model across a cluster's workers (predictions are answered by the
 * workers' replicas and never logged, so each worker reports its own totals to the primary).
 * A worker that exits leaves its count behind, so the total never goes down.
 */
export class PredictionCounts {
  private readonly byWorker = new Map<number, Map<string, number>>();
  private readonly retired = new Map<string, number>();

  /** A worker's totals so far, per model. */
  report(worker: number, counts: readonly (readonly [string, number])[]): void {
    let mine = this.byWorker.get(worker);
    if (!mine) {
      mine = new Map();
      this.byWorker.set(worker, mine);
    }
    for (const [model, n] of counts) mine.set(model, n);
  }

  /** A worker exited: its counts stay in the totals. */
  retire(worker: number): void {
    for (const [model, n] of this.byWorker.get(worker) ?? []) {
      this.retired.set(model, (this.retired.get(model) ?? 0) + n);
    }
    this.byWorker.delete(worker);
  }

  /** A model was deleted: a new one of the same name starts from zero. */
  forget(model: string): void {
    this.retired.delete(model);
    for (const mine of this.byWorker.values()) mine.delete(model);
  }

  /** Predictions of `model` answered by every worker, those that exited included. */
  total(model: string): number {
    let n = this.retired.get(model) ?? 0;
    for (const mine of this.byWorker.values()) n += mine.get(model) ?? 0;
    return n;
  }
}
