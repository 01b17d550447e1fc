/**
 * A read-only look at a data folder, for `brook doctor` and `brook repair`: the registry, the
 * lock, and per model every segment scanned to the last byte (torn tail, corruption with file,
 * byte and seq, missing segments) and every checkpoint loaded. It changes nothing.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { recordSeq } from "../../codec/events.js";
import type { ModelRecord } from "../ports.js";
import { scan } from "../record.js";
import { FileCheckpointStore } from "./checkpoints.js";
import { type LockContent, readLock } from "./lock.js";
import { listSegments } from "./segmented-log.js";
import { MODEL_FILE, modelFolders, readModelFile, readRegistryFile } from "./storage.js";

export interface SegmentReport {
  file: string;
  firstSeq: number;
  /** Seq of its last valid record (firstSeq - 1 when it has none). */
  lastSeq: number;
  events: number;
  bytes: number;
}

/** A spot of the log that is not a valid record. */
export interface Damage {
  file: string;
  /** Byte offset in `file`. */
  offset: number;
  /** The seq the bad record should have had. */
  seq: number;
  reason: string;
  /** Bytes from the damage to the end of the file. */
  bytes: number;
}

export interface CheckpointReport {
  seq: number;
  version: number;
  bytes: number;
  loads: boolean;
  error?: string;
}

export interface ModelReport {
  name: string;
  folder: string;
  inRegistry: boolean;
  /** `ok`, or why its model.json cannot be had (`missing`...). */
  modelFile: string;
  segments: SegmentReport[];
  events: number;
  /** Seq of the oldest event kept (older ones deleted by retention); 0 when the log is empty. */
  firstSeq: number;
  headSeq: number;
  /** A torn last record: a crash mid-write; the next start cuts it (not a problem). */
  tornTail?: Damage;
  /** Damage with valid records after it, or a missing segment: the start is refused. */
  corruption?: Damage;
  checkpoints: CheckpointReport[];
  problems: string[];
}

export interface DataDirReport {
  dataDir: string;
  registry: { state: "ok" | "missing" | "damaged"; detail?: string; models: string[] };
  lock: LockContent | "unreadable" | undefined;
  models: ModelReport[];
  problems: string[];
}

/** Scans one model's log folder to the last byte. */
export function inspectLog(
  dir: string,
): Pick<ModelReport, "segments" | "events" | "firstSeq" | "headSeq" | "tornTail" | "corruption"> {
  const out: ReturnType<typeof inspectLog> = { segments: [], events: 0, firstSeq: 0, headSeq: 0 };
  if (!existsSync(dir)) return out;
  const segments = listSegments(dir);
  let expected = segments[0]?.firstSeq ?? 1;
  out.firstSeq = segments.length ? expected : 0;
  for (const [i, seg] of segments.entries()) {
    const buf = readFileSync(seg.path);
    if (seg.firstSeq !== expected && !out.corruption) {
      out.corruption = {
        file: seg.path,
        offset: 0,
        seq: expected,
        reason: `events ${expected} to ${seg.firstSeq - 1} are missing (a segment file is gone)`,
        bytes: 0,
      };
    }
    const result = scan(buf, seg.firstSeq, recordSeq);
    const lastSeq = result.records.length ? result.records[result.records.length - 1]!.seq : seg.firstSeq - 1;
    out.segments.push({
      file: seg.path,
      firstSeq: seg.firstSeq,
      lastSeq,
      events: result.records.length,
      bytes: buf.length,
    });
    out.events += result.records.length;
    out.headSeq = lastSeq;
    const p = result.problem;
    if (p) {
      const damage: Damage = {
        file: seg.path,
        offset: p.offset,
        seq: lastSeq + 1,
        reason: p.reason,
        bytes: buf.length - p.offset,
      };
      const isLast = i === segments.length - 1;
      if (p.kind === "torn" && isLast) out.tornTail = damage;
      else if (!out.corruption) {
        out.corruption = {
          ...damage,
          reason: p.resumes
            ? `${p.reason}; a valid record (seq ${p.resumes.seq} at byte ${p.resumes.offset}) follows`
            : `${p.reason} in a segment that is not the last`,
        };
      }
    }
    expected = lastSeq + 1;
  }
  return out;
}

/** Everything `brook doctor` reports about a data folder. */
export async function inspectDataDir(dataDir: string): Promise<DataDirReport> {
  const problems: string[] = [];
  const registryPath = join(dataDir, "registry.json");
  const found = readRegistryFile(registryPath);
  const registered: ModelRecord[] = Array.isArray(found) ? found : [];
  const registry: DataDirReport["registry"] =
    found === "missing"
      ? { state: "missing", models: [] }
      : typeof found === "string"
        ? { state: "damaged", detail: found, models: [] }
        : { state: "ok", models: registered.map((r) => r.name) };
  const folders = modelFolders(dataDir);
  if (registry.state === "damaged") problems.push(`${registryPath} is damaged (${registry.detail})`);
  if (registry.state === "missing" && folders.length > 0) problems.push(`${registryPath} is missing`);
  const names = [...new Set([...registry.models, ...folders])].sort();
  const models: ModelReport[] = [];
  for (const name of names) {
    const folder = join(dataDir, "models", name);
    const inRegistry = registry.models.includes(name);
    const mp: string[] = [];
    if (!existsSync(folder)) {
      mp.push(`the registry lists it but ${folder} is missing`);
      models.push({
        name,
        folder,
        inRegistry,
        modelFile: "missing",
        segments: [],
        events: 0,
        firstSeq: 0,
        headSeq: 0,
        checkpoints: [],
        problems: mp,
      });
      problems.push(...mp.map((m) => `model "${name}": ${m}`));
      continue;
    }
    const mf = readModelFile(folder);
    const modelFile = typeof mf === "string" ? mf : "ok";
    if (modelFile !== "ok" && registry.state !== "ok")
      mp.push(`${join(folder, MODEL_FILE)} is ${modelFile}, so the registry cannot be rebuilt`);
    if (!inRegistry && registry.state === "ok")
      mp.push("its folder is not in the registry (an interrupted creation or deletion); it is not served");
    const log = inspectLog(join(folder, "log"));
    if (log.corruption) {
      const c = log.corruption;
      mp.push(`corrupt log: ${c.file} at byte ${c.offset}, seq ${c.seq}: ${c.reason}`);
    }
    const checkpoints: CheckpointReport[] = [];
    const ckptDir = join(folder, "checkpoints");
    if (existsSync(ckptDir)) {
      const store = await FileCheckpointStore.open(ckptDir);
      for (const info of store.list()) {
        const report: CheckpointReport = {
          seq: info.seq,
          version: info.version,
          bytes: info.bytes,
          loads: true,
        };
        try {
          store.load(info.seq);
        } catch (err) {
          report.loads = false;
          report.error = (err as Error).message;
          mp.push(`checkpoint at seq ${info.seq} does not load: ${report.error}`);
        }
        if (info.seq > log.headSeq && !log.corruption)
          mp.push(
            `checkpoint at seq ${info.seq} is past the end of the log (seq ${log.headSeq}): events were lost`,
          );
        checkpoints.push(report);
      }
    }
    if (log.firstSeq > 1 && !checkpoints.some((c) => c.loads && c.seq >= log.firstSeq - 1))
      mp.push(
        `the log starts at seq ${log.firstSeq} (retention) and no loading checkpoint covers the events before it`,
      );
    models.push({ name, folder, inRegistry, modelFile, ...log, checkpoints, problems: mp });
    problems.push(...mp.map((m) => `model "${name}": ${m}`));
  }
  return { dataDir, registry, lock: readLock(dataDir), models, problems };
}
