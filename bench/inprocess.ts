/**
 * In-process learning speed: `StandardScaler | LogisticRegression` predict + learn on
 * Phishing-shaped rows (9 numeric features), one core. The baseline, measured in the same
 * run, is the same arithmetic hand-written over dense arrays with no feature names at all:
 * the ceiling for this computation in JS.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { loadStream } from "../src/data/datasets.js";
import { asSupervised, build } from "../src/learn/index.js";
import { fmt, table } from "./table.js";

/**
 * Examples/s of `batch(start, count)`, which runs `count` examples in its own loop (so the hot
 * loop is where the model calls can be inlined): the best of five equal rounds after a warm-up,
 * the machine being shared and noisy.
 */
function timeLoop(seconds: number, batch: (start: number, count: number) => void): number {
  batch(0, 200_000);
  let best = 0;
  let n = 0;
  for (let round = 0; round < 5; round++) {
    const start = process.hrtime.bigint();
    const limit = BigInt(Math.round((seconds / 5) * 1e9));
    let count = 0;
    for (;;) {
      batch(n, 10_000);
      n += 10_000;
      count += 10_000;
      if (process.hrtime.bigint() - start >= limit) break;
    }
    best = Math.max(best, count / (Number(process.hrtime.bigint() - start) / 1e9));
  }
  return best;
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

/**
 * Runs the measurement in a fresh Node process that loads only the library: loading a web
 * framework and a load generator into the same process slows the loop by ~10 % (a bigger heap),
 * which is not the library's cost.
 */
export function runInProcess(seconds: number): string {
  const out = execFileSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_INPROCESS_CHILD: String(seconds) },
    encoding: "utf8",
  });
  return out.trimEnd();
}

function measure(seconds: number): string {
  const rows = loadStream("phishing").rows;
  const brook = asSupervised(build("StandardScaler | LogisticRegression"));
  const brookRate = timeLoop(seconds, (start, count) => {
    for (let i = start; i < start + count; i++) {
      const row = rows[i % rows.length]!;
      brook.predictOne(row.x);
      brook.learnOne(row.x, row.y);
    }
  });
  const dense = rows.map((r) => ({ x: Float64Array.from(r.x.values()), y: r.y as boolean }));
  const base = denseBaseline(dense[0]!.x.length);
  const baseRate = timeLoop(seconds, (start, count) => {
    for (let i = start; i < start + count; i++) {
      const row = dense[i % dense.length]!;
      base.predict(row.x);
      base.learn(row.x, row.y);
    }
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
    "target: Brook >= 2,000,000 examples/s",
  ].join("\n");
}

if (process.env.BENCH_INPROCESS_CHILD) console.log(measure(Number(process.env.BENCH_INPROCESS_CHILD)));
