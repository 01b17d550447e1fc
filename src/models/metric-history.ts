/**
 * A model's metric history: its metric values at every `stride`-th version, and marks for what
 * moved the model other than learning (drift detections, rollbacks, imports). It is recorded
 * while events are applied, so it is a function of the log: every replica holds the same one,
 * and it travels in the model's snapshot (checkpoints), so it survives restarts.
 *
 * Bounded without a clock: the stride starts at `every`; when more than `capacity` points are
 * held it doubles and only the points on the coarser grid stay (about half). The history keeps
 * covering the model's whole life at a resolution that halves each time it fills up.
 */

/** The metric values after one version. Non-finite values are `null` (as JSON has them). */
export interface HistoryPoint {
  version: number;
  /** Examples in the model's history then. */
  learned: number;
  /** When the event that made this version was accepted (ISO 8601). */
  at: string;
  metrics: Record<string, number | null>;
}

export type MarkKind = "drift" | "rollback" | "import";

/** Something that happened to the model at a version. */
export interface HistoryMark {
  version: number;
  kind: MarkKind;
  at: string;
  /** For a rollback: the version of the checkpoint the model returned to. */
  restored?: number;
}

/** How finely a history samples. */
export interface HistorySettings {
  /** The finest stride: a point every this many versions. */
  every: number;
  /** Most points (and most marks) kept. */
  capacity: number;
}

/** A history as it is kept in a snapshot. */
export interface HistoryState extends HistorySettings {
  stride: number;
  points: HistoryPoint[];
  marks: HistoryMark[];
}

/** Where the metric values come from (the served model). */
export interface MetricSource {
  metricValues(): Record<string, number>;
}

export const DEFAULT_HISTORY: HistorySettings = { every: 10, capacity: 1000 };

/** `null` for what JSON cannot hold, so that a restored history equals the live one. */
function finite(values: Record<string, number>): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const k in values) {
    const v = values[k]!;
    out[k] = Number.isFinite(v) ? v : null;
  }
  return out;
}

export class MetricHistory {
  private settings: HistorySettings;
  private stride: number;
  private points: HistoryPoint[] = [];
  private marks: HistoryMark[] = [];

  constructor(settings: HistorySettings = DEFAULT_HISTORY) {
    this.settings = { ...settings };
    this.stride = settings.every;
  }

  /** The current stride between points (a multiple of `every`). */
  get every(): number {
    return this.stride;
  }

  /**
   * Called after every model-changing event: keeps a point when `version` is on the grid.
   * The metrics are only read then (reading some metrics costs; this runs on every learn).
   */
  changed(version: number, learned: number, at: number, source: MetricSource): void {
    if (version % this.stride !== 0) return;
    this.points.push({
      version,
      learned,
      at: new Date(at).toISOString(),
      metrics: finite(source.metricValues()),
    });
    this.compact();
  }

  /** Keeps a mark (the oldest goes when there are more than `capacity`). */
  mark(kind: MarkKind, version: number, at: number, restored?: number): void {
    const m: HistoryMark = { version, kind, at: new Date(at).toISOString() };
    if (restored !== undefined) m.restored = restored;
    this.marks.push(m);
    if (this.marks.length > this.settings.capacity) this.marks.shift();
  }

  private compact(): void {
    while (this.points.length > this.settings.capacity) {
      this.stride *= 2;
      const stride = this.stride;
      this.points = this.points.filter((p) => p.version % stride === 0);
    }
  }

  /** Points after version `since` (all by default), and every mark after it. */
  view(since = 0): { every: number; points: HistoryPoint[]; marks: HistoryMark[] } {
    return {
      every: this.stride,
      points: this.points.filter((p) => p.version > since),
      marks: this.marks.filter((m) => m.version > since),
    };
  }

  toState(): HistoryState {
    return { ...this.settings, stride: this.stride, points: [...this.points], marks: [...this.marks] };
  }

  /**
   * Takes a snapshot's history, settings included (a replica then samples exactly as its
   * writer does). A snapshot from before histories existed gives an empty one.
   */
  restore(state: HistoryState | undefined): void {
    if (!state) {
      this.stride = this.settings.every;
      this.points = [];
      this.marks = [];
      return;
    }
    this.settings = { every: state.every, capacity: state.capacity };
    this.stride = state.stride;
    this.points = [...state.points];
    this.marks = [...state.marks];
  }

  /**
   * Moves to other settings (a restart with another `--history-every` or `--history-points`):
   * the stride becomes the finest multiple of `every` that is at least the current one by
   * doublings, points off the new grid are dropped, and the bound applies again.
   */
  configure(settings: HistorySettings): void {
    if (settings.every === this.settings.every && settings.capacity === this.settings.capacity) return;
    let stride = settings.every;
    while (stride < this.stride) stride *= 2;
    this.settings = { ...settings };
    this.stride = stride;
    this.points = this.points.filter((p) => p.version % stride === 0);
    this.compact();
    if (this.marks.length > settings.capacity) this.marks = this.marks.slice(-settings.capacity);
  }
}
