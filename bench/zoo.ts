/**
 * The model zoo: every estimator family on its conformance dataset, one core.
 *
 * - examples/s: the test-then-train loop of bench/inprocess.ts (predict, score or forecast(1),
 *   then learn; drift detectors: update), cycling over the dataset on a fresh model after a
 *   short warm-up on another one. "vs logreg" is the ratio to `StandardScaler |
 *   LogisticRegression` on Phishing, the first case, measured in the same run.
 * - state bytes: JSON.stringify(model.toState()).length after one pass over the dataset.
 * - heap/1000 models: growth of heapUsed + arrayBuffers (typed arrays live outside the JS heap)
 *   for 1,000 copies restored from that state (each from its own JSON.parse, as when loading
 *   from disk), between forced GCs; needs `--expose-gc`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadStream, type Row } from "../src/data/datasets.js";
import { build, type Component, type Features, restore } from "../src/learn/index.js";
import { airline, bananas, phishingWithStrings, segment } from "../test/helpers/streams.js";
import { fmt, table } from "./table.js";

type Loop = "predict" | "score" | "forecast" | "update";

interface Case {
  spec: string;
  data: keyof typeof DATASETS;
  loop: Loop;
}

/** Whatever the loops call; each estimator has the methods of its loop kind. */
type Runnable = Component & {
  learnOne(x: unknown, y?: unknown): void;
  predictOne(x: unknown): unknown;
  scoreOne(x: unknown): number;
  forecast(horizon: number): number[];
  update(value: number): void;
};

const FIXTURES = join(import.meta.dirname, "..", "test", "fixtures");
const NO_FEATURES: Features = new Map();

/** Series are rows with no features: y is the value. */
const series = (values: number[]): Row[] => values.map((y) => ({ x: NO_FEATURES, y }));

const DATASETS = {
  phishing: () => loadStream("phishing").rows,
  phishing_str: phishingWithStrings,
  trump_approval: () => loadStream("trump_approval").rows,
  segment,
  bananas,
  airline: () => series(airline().map((r) => r.y)),
  // l2b's stream: gauss(0, 1) x 1000 then gauss(3, 1) x 1000, recorded values.
  gauss_shift: () =>
    series(
      JSON.parse(readFileSync(join(FIXTURES, "conformance", "l2b_drift_synthetic_gauss.json"), "utf8"))
        .values,
    ),
};

const CASES: Case[] = [
  { spec: "StandardScaler | LogisticRegression", data: "phishing", loop: "predict" }, // the reference
  { spec: "GaussianNB", data: "phishing", loop: "predict" },
  { spec: "GaussianNB", data: "segment", loop: "predict" },
  { spec: "StandardScaler | Perceptron", data: "phishing", loop: "predict" },
  { spec: "StandardScaler | PAClassifier", data: "phishing", loop: "predict" },
  { spec: "StandardScaler | PARegressor", data: "trump_approval", loop: "predict" },
  { spec: "StandardScaler | LinearRegression", data: "trump_approval", loop: "predict" },
  { spec: "StandardScaler | SoftmaxRegression", data: "segment", loop: "predict" },
  { spec: "HoeffdingTreeClassifier", data: "bananas", loop: "predict" },
  { spec: "HoeffdingTreeRegressor", data: "trump_approval", loop: "predict" },
  { spec: "MinMaxScaler | LogisticRegression(optimizer=AdaGrad())", data: "phishing", loop: "predict" },
  {
    spec: "(SelectType(number) | StandardScaler) + (SelectType(str) | OneHotEncoder) | LogisticRegression",
    data: "phishing_str",
    loop: "predict",
  },
  { spec: "FeatureHasher | LogisticRegression", data: "phishing", loop: "predict" },
  { spec: "MinMaxScaler | HalfSpaceTrees(seed=42)", data: "phishing", loop: "score" },
  {
    spec: "HoltWinters(0.3, 0.1, 0.6, seasonality=12, multiplicative=True)",
    data: "airline",
    loop: "forecast",
  },
  { spec: "SNARIMAX(p=12, d=1, q=12, m=12, sd=1)", data: "airline", loop: "forecast" },
  { spec: "ADWIN", data: "gauss_shift", loop: "update" },
  { spec: "PageHinkley", data: "gauss_shift", loop: "update" },
];

/** Forecasters only learn for one season first (HoltWinters cannot forecast before that). */
const FORECAST_GRACE = 12;

/** One test-then-train step on row i (cycling over the rows). */
function stepper(m: Runnable, rows: Row[], loop: Loop): (i: number) => void {
  const n = rows.length;
  switch (loop) {
    case "predict":
      return (i) => {
        const { x, y } = rows[i % n]!;
        m.predictOne(x);
        m.learnOne(x, y);
      };
    case "score":
      return (i) => {
        const { x } = rows[i % n]!;
        m.scoreOne(x);
        m.learnOne(x);
      };
    case "forecast": {
      // Forth and back through the series: a plain cycle (432 passengers, then 112) drives the
      // multiplicative HoltWinters to NaN after ~3,000 passes.
      const period = 2 * n - 2;
      return (i) => {
        if (i >= FORECAST_GRACE) m.forecast(1);
        const k = i % period;
        m.learnOne(rows[k < n ? k : period - k]!.y);
      };
    }
    case "update":
      return (i) => m.update(rows[i % n]!.y as number);
  }
}

/** Learning only, one pass (the state whose size we report). */
function learnOnce(m: Runnable, rows: Row[], loop: Loop): void {
  for (const { x, y } of rows) {
    if (loop === "predict") m.learnOne(x, y);
    else if (loop === "score") m.learnOne(x);
    else if (loop === "forecast") m.learnOne(y);
    else m.update(y as number);
  }
}

/** Steps per second over `seconds`, counting from step 0 of `step`'s model. */
function rate(seconds: number, step: (i: number) => void): number {
  const start = process.hrtime.bigint();
  const limit = BigInt(Math.round(seconds * 1e9));
  let n = 0;
  let elapsed = 0n;
  do {
    for (let k = 0; k < 1000; k++) step(n++);
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < limit);
  return n / (Number(elapsed) / 1e9);
}

const gc = (globalThis as { gc?: () => void }).gc;

/** JS heap plus typed-array memory (off the heap), after a full GC. */
function used(): number {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Memory held by 1,000 models restored from `json`, or NaN without --expose-gc. */
function heapPer1000(json: string): number {
  if (!gc) return Number.NaN;
  for (let i = 0; i < 50; i++) restore(JSON.parse(json)); // one-time code and shapes, not per model
  const before = used();
  const models = Array.from({ length: 1000 }, () => restore(JSON.parse(json)));
  const after = used();
  if (models.length !== 1000) throw new Error("unreachable");
  return after - before;
}

const bytes = (n: number) =>
  Number.isNaN(n) ? "n/a" : n >= 1 << 20 ? `${fmt(n / (1 << 20), 1)} MiB` : `${fmt(n / 1024, 1)} KiB`;

export function runZoo(seconds: number): string {
  const loaded = new Map<string, Row[]>();
  const rowsOf = (name: keyof typeof DATASETS) => {
    if (!loaded.has(name)) loaded.set(name, DATASETS[name]());
    return loaded.get(name)!;
  };
  const out: (string | number)[][] = [];
  let reference = 0;
  for (const c of CASES) {
    const rows = rowsOf(c.data);
    const make = () => build(c.spec) as Runnable;
    rate(Math.min(0.2, seconds / 5), stepper(make(), rows, c.loop)); // warm-up, thrown away
    const perSecond = rate(seconds, stepper(make(), rows, c.loop));
    reference ||= perSecond;
    const trained = make();
    learnOnce(trained, rows, c.loop);
    const json = JSON.stringify(trained.toState());
    out.push([
      c.spec,
      `${c.data} (${rows.length})`,
      fmt(perSecond),
      `${fmt(perSecond / reference, 2)}×`,
      fmt(json.length),
      bytes(heapPer1000(json)),
    ]);
  }
  return [
    `Model zoo: test-then-train on a fresh model cycling over each dataset for ${seconds} s, 1 core;` +
      ` state after one pass`,
    table(["estimator", "dataset (rows)", "examples/s", "vs logreg", "state bytes", "heap/1000 models"], out),
    gc
      ? "heap/1000 models: heapUsed + arrayBuffers growth for 1,000 trained copies restored from the state"
      : "heap/1000 models needs node --expose-gc (npm run bench passes it)",
  ].join("\n");
}
