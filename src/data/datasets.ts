import { readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "../errors.js";
import type { Features, Label, RawFeatures } from "../learn/index.js";
import { readCsv } from "./csv.js";

/** A labelled stream: features in CSV column order, and the target. */
export interface Row {
  x: Features;
  y: Label | number;
}

/** A dataset shipped with Brook (see datasets/README.md for provenance). */
export interface DatasetInfo {
  name: string;
  file: string;
  target: string;
  task: "binary" | "regression" | "forecasting";
  description: string;
  /** Converts the raw target text (River's converter for this dataset). */
  convertTarget: (text: string) => Label | number;
}

/** Folder holding the bundled CSV files (the package's `datasets/`). */
export const DATASETS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../datasets");

export const DATASETS: readonly DatasetInfo[] = [
  {
    name: "phishing",
    file: "phishing.csv",
    target: "is_phishing",
    task: "binary",
    description: "UCI Website Phishing, 1250 rows, 9 numeric features (River's datasets.Phishing)",
    convertTarget: (t) => t === "1",
  },
  {
    name: "trump_approval",
    file: "trump_approval.csv",
    target: "five_thirty_eight",
    task: "regression",
    description:
      "FiveThirtyEight Trump approval, 1001 rows, 6 numeric features (River's datasets.TrumpApproval)",
    convertTarget: Number,
  },
  {
    name: "airline_passengers",
    file: "airline_passengers.csv",
    target: "passengers",
    task: "forecasting",
    description:
      "Monthly airline passengers 1949-1960, 144 rows, month as text (River's datasets.AirlinePassengers)",
    convertTarget: Number,
  },
];

const ALIASES: Record<string, string> = {
  trump: "trump_approval",
  trumpapproval: "trump_approval",
  airline: "airline_passengers",
  airlinepassengers: "airline_passengers",
};

/** The bundled dataset called `name` (case and separators ignored), if any. */
export function findDataset(name: string): DatasetInfo | undefined {
  const key = name.toLowerCase().replace(/[-\s]/g, "_");
  const canonical = ALIASES[key.replace(/_/g, "")] ?? key;
  return DATASETS.find((d) => d.name === canonical);
}

/** A labelled example whose features may be text (categorical columns, dates). */
/**
 * The text of a bundled dataset (by name) or of the file at `source`; `kinds` says, in the
 * usage error, which files are meant (e.g. "CSV file").
 */
export function readDatasetText(source: string, kinds: string): string {
  const info = findDataset(source);
  try {
    return readFileSync(info ? join(DATASETS_DIR, info.file) : source, "utf8");
  } catch {
    const known = DATASETS.map((d) => d.name).join(", ");
    throw new UsageError(`"${source}" is neither a bundled dataset (${known}) nor a readable ${kinds}`);
  }
}

export interface RawRow {
  x: RawFeatures;
  y: Label | number;
}

/** A feature cell: a number when it reads as one (River's numeric converters), otherwise the text itself. */
function featureCell(text: string): number | string {
  const v = Number(text);
  return text.trim() !== "" && Number.isFinite(v) ? v : text;
}

/** A numeric feature cell; anything else is an error naming the line and column. */
function numberCell(text: string, column: string, line: number): number {
  const v = featureCell(text);
  if (typeof v !== "number")
    throw new UsageError(`line ${line}: column "${column}" is not a number: "${text}"`);
  return v;
}

/** A target cell of a CSV that Brook does not know: a number if it looks like one, else true/false, else text. */
export function guessTarget(text: string): Label | number {
  const t = text.trim();
  if (t !== "" && Number.isFinite(Number(t))) return Number(t);
  if (/^(true|false)$/i.test(t)) return t.toLowerCase() === "true";
  return t;
}

export interface LoadedStream<R = Row> {
  name: string;
  target: string;
  rows: R[];
}

/**
 * Loads a bundled dataset by name, or any CSV file with numeric features. `target` names the
 * target column (default: the dataset's, or the last column of a CSV file).
 */
export function loadStream(source: string, target?: string): LoadedStream {
  return load(source, target, numberCell) as LoadedStream;
}

/** Like {@link loadStream}, but cells that are not numbers stay text (for encoders, dates, ...). */
export function loadRawStream(source: string, target?: string): LoadedStream<RawRow> {
  return load(source, target, featureCell);
}

function load(
  source: string,
  target: string | undefined,
  cell: (text: string, column: string, line: number) => number | string,
): LoadedStream<RawRow> {
  const info = findDataset(source);
  const path = info ? join(DATASETS_DIR, info.file) : source;
  const text = readDatasetText(source, "CSV file");
  const records = readCsv(text);
  const header = records.next().value as string[] | undefined;
  if (!header) throw new UsageError(`${path} is empty`);
  const targetName = target ?? info?.target ?? header[header.length - 1]!;
  const targetIndex = header.indexOf(targetName);
  if (targetIndex < 0) {
    throw new UsageError(`${path} has no column "${targetName}" (columns: ${header.join(", ")})`);
  }
  const convert = info && targetName === info.target ? info.convertTarget : guessTarget;
  const rows: RawRow[] = [];
  let line = 1;
  for (const record of records) {
    line++;
    if (record.length !== header.length) {
      throw new UsageError(`${path} line ${line}: ${record.length} fields, the header has ${header.length}`);
    }
    const x = new Map<string, number | string>();
    for (let j = 0; j < header.length; j++) {
      if (j !== targetIndex) x.set(header[j]!, cell(record[j]!, header[j]!, line));
    }
    rows.push({ x, y: convert(record[targetIndex]!) });
  }
  return { name: info?.name ?? basename(path), target: targetName, rows };
}
