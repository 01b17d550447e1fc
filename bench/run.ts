/**
 * `npm run bench [-- inprocess|http|metrics|zoo|redis ...]`: prints figures and ratios against baselines
 * measured in the same run. Nothing here asserts timings. BENCH_SECONDS sets the length of each
 * measurement (default 3 s in-process, 5 s per HTTP run, 1 s per zoo estimator). Run with
 * `node --expose-gc` (as the npm script does) for the zoo's heap figures.
 */
import { runHttp } from "./http.js";
import { runIngest } from "./ingest.js";
import { runInProcess } from "./inprocess.js";
import { runRedis } from "./redis.js";
import { runRestart } from "./restart.js";
import { runZoo } from "./zoo.js";

const HTTP_SECTIONS = ["single", "durable", "workers", "freshness", "metrics"];
const which = process.argv.slice(2);
const want = (name: string) => which.length === 0 || which.includes(name);
const wantHttp = (section: string) => want("http") || which.includes(section);
const seconds = Number(process.env.BENCH_SECONDS ?? 0);

console.log(`Brook benchmarks — node ${process.version}, ${new Date().toISOString()}\n`);
if (want("inprocess")) console.log(`${runInProcess(seconds || 3)}\n`);
if (HTTP_SECTIONS.some(wantHttp)) console.log(`${await runHttp(seconds || 5, wantHttp)}\n`);
if (want("ingest")) console.log(`${await runIngest()}\n`);
if (want("restart")) console.log(`${await runRestart()}\n`);
if (want("zoo")) console.log(`${runZoo(seconds || 1)}\n`);
const REDIS_SECTIONS = ["redis-freshness", "redis-throughput", "redis-catchup"];
const wantRedis = (section: string) => want("redis") || which.includes(section);
if (REDIS_SECTIONS.some(wantRedis)) console.log(`${await runRedis(seconds || 5, wantRedis)}\n`);
