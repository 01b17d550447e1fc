import type { Schema } from "../base/component.js";
import { LearnError, StateError } from "../base/errors.js";
import { decodeNumber, encodeNumber, StateReader } from "../base/state.js";
import type { Json, Label } from "../base/types.js";
import { Metric, type MetricFormat, type Prediction } from "./metric.js";

export interface RollingParams {
  metric: Metric;
  window_size: number;
}

/** One update kept in the window. */
interface Entry {
  y: Label | number;
  p: Prediction;
  w: number;
}

/**
 * A metric over the last `window_size` updates (River 0.22's `utils.Rolling` around a
 * metric): once the window is full, each update first reverts the oldest pair from the
 * wrapped metric, then updates it with the new one. The wrapped metric is therefore a
 * running add/remove computation, not a fresh average of the window (they differ in the last
 * bits for mean-based metrics, and the conformance data follows the former).
 *
 * River's text is the wrapped metric's own (`Accuracy: 88.00%`), since `utils.Rolling`
 * delegates its repr; `name` tells the rolling metric apart (`Rolling(Accuracy, window_size=100)`).
 *
 * `revert` (River's `Rolling` has none of its own) removes the most recent window entry equal
 * to its arguments; if that entry is the newest and the update that added it pushed an old
 * entry out, that entry is restored, so update-then-revert gives the previous window back.
 */
export class Rolling extends Metric<RollingParams> {
  static readonly kind = "Rolling";
  static readonly schema: Schema = [
    {
      name: "metric",
      type: { type: "component", families: ["metric"] },
      default: () => undefined,
      doc: "The metric computed over the window (required).",
    },
    {
      name: "window_size",
      type: { type: "number", integer: true, min: 1 },
      default: () => undefined,
      doc: "Number of most recent updates kept (required).",
    },
  ];
  /** The window in arrival order, as a ring: entry i is at `(start + i) % window_size`. */
  private entries: Entry[] = [];
  private start = 0;
  /** The entry pushed out by the last update, if any (for `revert`). */
  private evicted: Entry | null = null;

  constructor(params?: Partial<RollingParams>) {
    super(Rolling.kind, Rolling.schema, params);
  }

  get target(): Metric["target"] {
    return this.params.metric.target;
  }

  get requiresLabels(): boolean {
    return this.params.metric.requiresLabels;
  }

  get biggerIsBetter(): boolean {
    return this.params.metric.biggerIsBetter;
  }

  protected get format(): MetricFormat {
    return "repr";
  }

  /** Number of updates currently in the window. */
  get size(): number {
    return this.entries.length;
  }

  update(yTrue: Label | number, yPred: Prediction, w = 1): void {
    const inner = this.params.metric;
    const n = this.params.window_size;
    const entry: Entry = { y: yTrue, p: yPred instanceof Map ? new Map(yPred) : yPred, w };
    if (this.entries.length === n) {
      const oldest = this.entries[this.start]!;
      inner.revert(oldest.y, oldest.p, oldest.w);
      inner.update(yTrue, yPred, w);
      this.entries[this.start] = entry;
      this.start = (this.start + 1) % n;
      this.evicted = oldest;
    } else {
      inner.update(yTrue, yPred, w);
      this.entries.push(entry);
      this.evicted = null;
    }
  }

  revert(yTrue: Label | number, yPred: Prediction, w = 1): void {
    const ordered = this.ordered();
    let i = ordered.length - 1;
    while (i >= 0 && !sameEntry(ordered[i]!, yTrue, yPred, w)) i--;
    if (i < 0) throw new LearnError("BROOK_INVALID_REVERT", `${this.name} has no such update in its window`);
    const inner = this.params.metric;
    const entry = ordered[i]!;
    inner.revert(entry.y, entry.p, entry.w);
    ordered.splice(i, 1);
    if (i === ordered.length && this.evicted !== null) {
      inner.update(this.evicted.y, this.evicted.p, this.evicted.w);
      ordered.unshift(this.evicted);
    }
    this.evicted = null;
    this.entries = ordered;
    this.start = 0;
  }

  get(): number {
    return this.params.metric.get();
  }

  /** River's text: the wrapped metric's (`utils.Rolling` delegates its repr). */
  override toString(): string {
    return this.params.metric.toString();
  }

  override get name(): string {
    return `${this.kind}(${this.params.metric.name}, window_size=${this.params.window_size})`;
  }

  /** The window, oldest first. */
  private ordered(): Entry[] {
    return [...this.entries.slice(this.start), ...this.entries.slice(0, this.start)];
  }

  exportState(): Json {
    return {
      metric: this.params.metric.exportState(),
      window: this.ordered().map(encodeEntry),
      evicted: this.evicted === null ? null : encodeEntry(this.evicted),
    };
  }

  importState(data: Json): void {
    const r = new StateReader(data, this.kind);
    const window = r.array("window").map((e, i) => decodeEntry(e, `${this.kind}.window[${i}]`));
    if (window.length > this.params.window_size) {
      throw new StateError(
        `${this.kind}.window holds more than window_size=${this.params.window_size} entries`,
      );
    }
    const ev = r.raw("evicted");
    const evicted = ev === null ? null : decodeEntry(ev, `${this.kind}.evicted`);
    // The wrapped metric validates its whole state before assigning any of it.
    this.params.metric.importState(r.raw("metric"));
    this.entries = window;
    this.start = 0;
    this.evicted = evicted;
  }
}

function samePrediction(a: Prediction, b: Prediction): boolean {
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    const bs = [...b];
    let i = 0;
    for (const [label, p] of a) {
      const [bl, bp] = bs[i++]!;
      if (label !== bl || !Object.is(p, bp)) return false;
    }
    return true;
  }
  return Object.is(a, b);
}

function sameEntry(e: Entry, y: Label | number, p: Prediction, w: number): boolean {
  return Object.is(e.y, y) && Object.is(e.w, w) && samePrediction(e.p, p);
}

/** A label or number as JSON: booleans and strings as they are, numbers via `encodeNumber` when not plain. */
function encodeValue(v: Label | number): Json {
  if (typeof v !== "number") return v;
  return Number.isFinite(v) && !Object.is(v, -0) ? v : { num: encodeNumber(v) };
}

function decodeValue(v: Json | undefined): Label | number | undefined {
  if (typeof v === "boolean" || typeof v === "string" || typeof v === "number") return v;
  if (typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 1) {
    return decodeNumber(v.num);
  }
  return undefined;
}

/** An update as `[truth, prediction, weight]`; probability maps become `{"proba": [[label, p], ...]}`. */
function encodeEntry(e: Entry): Json {
  const p: Json =
    e.p instanceof Map
      ? { proba: [...e.p].map(([label, q]) => [encodeValue(label), encodeNumber(q)]) }
      : encodeValue(e.p);
  return [encodeValue(e.y), p, encodeNumber(e.w)];
}

function decodeEntry(data: Json, path: string): Entry {
  const fail = (): never => {
    throw new StateError(`${path} must be [truth, prediction, weight]`);
  };
  if (!Array.isArray(data) || data.length !== 3) return fail();
  const y = decodeValue(data[0]);
  const w = decodeNumber(data[2]);
  if (y === undefined || w === undefined) return fail();
  const raw = data[1];
  if (typeof raw === "object" && raw !== null && !Array.isArray(raw) && "proba" in raw) {
    const pairs = raw.proba;
    if (!Array.isArray(pairs)) return fail();
    const proba = new Map<Label, number>();
    for (const pair of pairs) {
      const [l, q] = Array.isArray(pair) && pair.length === 2 ? pair : [];
      const label = decodeValue(l);
      const prob = decodeNumber(q);
      if (label === undefined || prob === undefined || proba.has(label)) {
        throw new StateError(`${path} probabilities must be distinct [label, probability] pairs`);
      }
      proba.set(label, prob);
    }
    return { y, p: proba, w };
  }
  const p = decodeValue(raw);
  if (p === undefined) return fail();
  return { y, p, w };
}
