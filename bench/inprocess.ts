/**
 * In-process learning speed: `StandardScaler | LogisticRegression` predict + learn on
 * Phishing-shaped rows (9 numeric features), one core. The baseline, measured in the same
 * run, is the same arithmetic hand-written over dense arrays with no feature names at all:
 * the ceiling for this computation in JS.
 */
import { loadStream } from "../src/data/datasets.js";
import { asSupervised, build } from "../src/learn/index.js";
import { fmt, table } from "./table.js";

function timeLoop(seconds: number, step: (i: number) => void): number {
  // Warm up, then count iterations for `seconds`.
  for (let i = 0; i < 200_000; i++) step(i);
  const start = process.hrtime.bigint();
  const limit = BigInt(Math.round(seconds * 1e9));
  let n = 0;
  for (;;) {
    for (let k = 0; k < 10_000; k++) step(n++);
    if (process.hrtime.bigint() - start >= limit) break;
  }
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** Scaler + logistic regression over Float64Arrays, same update order as River. */
function denseBaseline(dim: number) {
  const count = new Float64Array(dim);
  const mean = new Float64Array(dim);
  const vars = new Float64Array(dim);
  const w = new Float64Array(dim);
  const z = new Float64Array(dim);
  let b = 0;
  const scale = (x: Float64Array) => {
    for (let i = 0; i < dim; i++) {
      const sd = Math.sqrt(vars[i]!);
      z[i] = sd !== 0 ? (x[i]! - mean[i]!) / sd : 0;
    }
  };
  return {
    predict(x: Float64Array): boolean {
      scale(x);
      let r = 0;
      for (let i = 0; i < dim; i++) r += w[i]! * z[i]!;
      const p = 1 / (1 + Math.exp(-(r + b)));
      return p > 1 - p;
    },
    learn(x: Float64Array, y: boolean): void {
      for (let i = 0; i < dim; i++) {
        const n = ++count[i]!;
        const old = mean[i]!;
        mean[i] = old + (x[i]! - old) / n;
        vars[i]! += ((x[i]! - old) * (x[i]! - mean[i]!) - vars[i]!) / n;
      }
      scale(x);
      let r = 0;
      for (let i = 0; i < dim; i++) r += w[i]! * z[i]!;
      const zz = (r + b) * (y ? 1 : -1);
      const g = (y ? -1 : 1) / (Math.exp(zz) + 1);
      b -= 0.01 * g;
      for (let i = 0; i < dim; i++) w[i] = w[i]! - z[i]! * g * 0.01;
    },
  };
}

export function runInProcess(seconds: number): string {
  const rows = loadStream("phishing").rows;
  const brook = asSupervised(build("StandardScaler | LogisticRegression"));
  const brookRate = timeLoop(seconds, (i) => {
    const row = rows[i % rows.length]!;
    brook.predictOne(row.x);
    brook.learnOne(row.x, row.y);
  });
  const dense = rows.map((r) => ({ x: Float64Array.from(r.x.values()), y: r.y as boolean }));
  const base = denseBaseline(dense[0]!.x.length);
  const baseRate = timeLoop(seconds, (i) => {
    const row = dense[i % dense.length]!;
    base.predict(row.x);
    base.learn(row.x, row.y);
  });
  return [
    "In-process predict + learn, StandardScaler | LogisticRegression, Phishing rows (9 features), 1 core",
    table(
      ["implementation", "examples/s", "vs dense baseline"],
      [
        ["Brook (learn/, ordered feature maps)", fmt(brookRate), `${fmt((100 * brookRate) / baseRate, 1)} %`],
        ["dense Float64Array baseline (no names)", fmt(baseRate), "100.0 %"],
      ],
    ),
    "target: Brook >= 1,000,000 examples/s",
  ].join("\n");
}
