/**
 * `brook doctor`: a read-only health report of a data folder (it takes no lock and changes
 * nothing, so it can run next to a server): per model its segments, events, head seq,
 * checkpoints and whether each loads, a torn tail, corruption with file, byte and seq, and the
 * registry's and lock's state. Exit 0 when healthy, 1 when something needs an operator.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { loadConfig } from "../../config/config.js";
import { UsageError } from "../../errors.js";
import { type DataDirReport, inspectDataDir } from "../../store/file/inspect.js";
import { holderAlive } from "../../store/file/lock.js";

/** The report as the lines `brook doctor` prints. */
export function doctorLines(r: DataDirReport): string[] {
  const out: string[] = [`data folder ${r.dataDir}`];
  const reg = r.registry;
  out.push(
    reg.state === "ok"
      ? `registry: ok, ${reg.models.length} model(s)`
      : reg.state === "missing"
        ? "registry: missing (rebuilt from the model folders at the next start, if each has its model.json)"
        : `registry: damaged (${reg.detail})`,
  );
  if (r.lock === undefined) out.push("lock: free");
  else if (r.lock === "unreadable") out.push("lock: LOCK exists but is not a Brook lock");
  else {
    const alive = holderAlive(r.lock);
    const where = r.lock.address ? ` listening on ${r.lock.address}` : "";
    out.push(
      `lock: held by PID ${r.lock.pid} on ${r.lock.hostname}${where} since ${r.lock.startedAt}${alive ? "" : " (stale: that process is gone; the next start takes it over)"}`,
    );
  }
  for (const m of r.models) {
    const status = m.problems.length ? "PROBLEMS" : "ok";
    out.push(`model "${m.name}": ${status}`);
    out.push(
      `  log: ${m.segments.length} segment(s), ${m.events} event(s), seq ${m.firstSeq || "-"} to ${m.headSeq}, ${m.segments.reduce((n, s) => n + s.bytes, 0)} bytes`,
    );
    if (m.tornTail) {
      const t = m.tornTail;
      out.push(
        `  torn tail: ${t.file} at byte ${t.offset}, seq ${t.seq}, ${t.bytes} byte(s) (${t.reason}): a write a crash interrupted, never acknowledged; the next start cuts it`,
      );
    }
    if (m.corruption) {
      const c = m.corruption;
      out.push(`  CORRUPT: ${c.file} at byte ${c.offset}, seq ${c.seq}: ${c.reason}`);
      out.push(
        `  (a server refuses to start; to cut the log there, keeping a copy: brook repair --data-dir ${r.dataDir} --model ${m.name} --truncate-at ${c.seq})`,
      );
    }
    for (const c of m.checkpoints)
      out.push(
        `  checkpoint seq ${c.seq} version ${c.version}, ${c.bytes} bytes: ${c.loads ? "loads" : `DOES NOT LOAD (${c.error})`}`,
      );
    if (m.checkpoints.length === 0) out.push("  checkpoints: none");
    out.push(`  model.json: ${m.modelFile}${m.inRegistry ? "" : ", not in the registry"}`);
    for (const p of m.problems) out.push(`  problem: ${p}`);
  }
  out.push(r.problems.length ? `${r.problems.length} problem(s)` : "healthy");
  return out;
}

export function addDoctorCommand(program: Command): void {
  program
    .command("doctor")
    .description("check a data folder (read-only): logs, checkpoints, registry, lock; exit 1 on problems")
    .option("--data-dir <dir>", "data folder (env BROOK_DATA_DIR, default ./data)")
    .option("--json", "print the report as JSON")
    .action(async (opts: { dataDir?: string; json?: boolean }) => {
      const dataDir = resolve(loadConfig(opts.dataDir ? { dataDir: opts.dataDir } : {}).dataDir);
      if (!existsSync(dataDir)) throw new UsageError(`there is no data folder ${dataDir}`);
      const report = await inspectDataDir(dataDir);
      if (opts.json) console.log(JSON.stringify(report, null, 2));
      else for (const line of doctorLines(report)) console.log(line);
      if (report.problems.length) process.exitCode = 1;
    });
}
