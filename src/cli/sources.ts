/**
 * What `brook replay` reads: a bundled dataset, a CSV file, a JSON Lines file, or standard
 * input (`-`, CSV or JSON Lines, told apart by the first character). Text cells stay text, so
 * categorical columns reach models that encode them; feature order is the file's.
 */
import { readFileSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { keysInOrder, parseOrderedJson } from "../codec/ordered-json.js";
import { readCsv } from "../data/csv.js";
import { DATASETS_DIR, findDataset, guessTarget, readDatasetText } from "../data/datasets.js";
import { UsageError } from "../errors.js";

/** A feature value as sent. */
export type Cell = number | string | boolean;

/** One example to send: features in the file's order, and its target (absent: none given). */
export interface SourceRow {
  x: Map<string, Cell>;
  y: Cell | undefined;
}

export interface Source {
  /** What it was called: the dataset's name, the file's, or "stdin". */
  name: string;
  rows: SourceRow[];
}

/** Reads `source` (a dataset name, a path, or `-` for standard input); `target` names the target column. */
export function readSource(source: string, target?: string, stdin: () => string = readStdin): Source {
  if (source === "-") return parse(stdin(), "stdin", target, undefined);
  const info = findDataset(source);
  const path = info ? join(DATASETS_DIR, info.file) : source;
  const text = readDatasetText(source, "CSV or JSON Lines file");
  const ext = extname(path).toLowerCase();
  const format = ext === ".jsonl" || ext === ".ndjson" ? "jsonl" : ext === ".csv" ? "csv" : undefined;
  if (info) {
    const convert = (text: string, column: string) =>
      column === info.target ? info.convertTarget(text) : guessTarget(text);
    return { name: info.name, rows: csvRows(text, info.name, target ?? info.target, convert) };
  }
  return parse(text, basename(path), target, format);
}

function readStdin(): string {
  try {
    return readFileSync(0, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read standard input: ${(err as Error).message}`);
  }
}

function parse(text: string, name: string, target: string | undefined, format: "csv" | "jsonl" | undefined) {
  const sniffed = format ?? (text.trimStart().startsWith("{") ? "jsonl" : "csv");
  const rows =
    sniffed === "jsonl" ? jsonlRows(text, name, target) : csvRows(text, name, target, guessTargetCell);
  return { name, rows };
}

function guessTargetCell(text: string): Cell {
  return guessTarget(text);
}

/** A feature cell: a number when it reads as one, else the text itself. */
function featureCell(text: string): Cell {
  const v = Number(text);
  return text.trim() !== "" && Number.isFinite(v) ? v : text;
}

function csvRows(
  text: string,
  name: string,
  target: string | undefined,
  convert: (text: string, column: string) => Cell,
): SourceRow[] {
  let records: Generator<string[]>;
  let header: string[] | undefined;
  try {
    records = readCsv(text);
    header = records.next().value as string[] | undefined;
  } catch (err) {
    throw new UsageError(`${name}: ${(err as Error).message}`);
  }
  if (!header) throw new UsageError(`${name} is empty`);
  const targetName = target ?? header[header.length - 1]!;
  const t = header.indexOf(targetName);
  if (t < 0) throw new UsageError(`${name} has no column "${targetName}" (columns: ${header.join(", ")})`);
  const rows: SourceRow[] = [];
  let line = 1;
  try {
    for (const record of records) {
      line++;
      if (record.length !== header.length) {
        throw new UsageError(
          `${name} line ${line}: ${record.length} fields, the header has ${header.length}`,
        );
      }
      const x = new Map<string, Cell>();
      for (let j = 0; j < header.length; j++) if (j !== t) x.set(header[j]!, featureCell(record[j]!));
      rows.push({ x, y: convert(record[t]!, targetName) });
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${name} after line ${line}: ${(err as Error).message}`);
  }
  return rows;
}

/**
 * JSON Lines: one object per line, either `{"x": {...}, "y": ...}` or a flat record whose
 * target is the `target` key (default: `y` if present, else the last key). The two may mix;
 * blank lines are skipped.
 */
function jsonlRows(text: string, name: string, target: string | undefined): SourceRow[] {
  const rows: SourceRow[] = [];
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    if (raw.trim() === "") continue;
    const where = `${name} line ${i + 1}`;
    let value: unknown;
    try {
      value = parseOrderedJson(raw);
    } catch (err) {
      throw new UsageError(`${where} is not JSON: ${(err as Error).message}`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new UsageError(`${where} must be a JSON object, {"x": {...}, "y": ...} or a flat record`);
    }
    const o = value as Record<string, unknown>;
    const keys = keysInOrder(o);
    const wrapped =
      typeof o.x === "object" &&
      o.x !== null &&
      !Array.isArray(o.x) &&
      keys.every((k) => k === "x" || k === "y");
    if (wrapped) {
      rows.push({ x: cells(o.x as Record<string, unknown>, where, "x."), y: targetCell(o.y, where, "y") });
      continue;
    }
    const t = target ?? (keys.includes("y") ? "y" : keys[keys.length - 1]);
    if (t === undefined || !keys.includes(t)) {
      throw new UsageError(`${where} has no key "${t ?? target}" for the target (keys: ${keys.join(", ")})`);
    }
    const features: Record<string, unknown> = {};
    const order = keys.filter((k) => k !== t);
    for (const k of order) features[k] = o[k];
    rows.push({ x: cells(features, where, "", order), y: targetCell(o[t], where, t) });
  }
  if (rows.length === 0) throw new UsageError(`${name} has no rows`);
  return rows;
}

function cells(
  obj: Record<string, unknown>,
  where: string,
  prefix: string,
  order = keysInOrder(obj),
): Map<string, Cell> {
  const x = new Map<string, Cell>();
  for (const k of order) {
    const v = obj[k];
    if (typeof v !== "number" && typeof v !== "string" && typeof v !== "boolean") {
      throw new UsageError(
        `${where}: ${prefix}${k} must be a number, a string or a boolean, got ${JSON.stringify(v)}`,
      );
    }
    x.set(k, v);
  }
  return x;
}

function targetCell(v: unknown, where: string, key: string): Cell | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" && typeof v !== "string" && typeof v !== "boolean") {
    throw new UsageError(
      `${where}: ${key} must be a number, a string or a boolean, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}
