/**
 * A strict parser of Prometheus's text exposition format (0.0.4), for tests: every line must be
 * a HELP, a TYPE, or a sample of the family declared before it, with valid names, escaped label
 * values and numbers; no series twice; histograms with cumulative buckets ending at +Inf equal
 * to their count. It throws on the first violation, naming the line.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: "counter" | "gauge" | "histogram" | "summary" | "untyped";
  help: string;
  samples: Sample[];
}

const METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

/** A sample value as Prometheus reads it (Go's ParseFloat: NaN and Inf in any case, e.g. prom-client's "Nan"). */
function parseValue(s: string, where: string): number {
  const lower = s.toLowerCase();
  if (lower === "nan") return Number.NaN;
  if (lower === "+inf" || lower === "inf") return Infinity;
  if (lower === "-inf") return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) throw new Error(`${where}: "${s}" is not a number`);
  return Number(s);
}

/** `{a="1",b="x\"y"}` → labels; returns the labels and the index after the closing brace. */
function parseLabels(line: string, start: number, where: string): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  let i = start + 1;
  for (;;) {
    if (line[i] === "}") return [labels, i + 1];
    const eq = line.indexOf("=", i);
    if (eq === -1) throw new Error(`${where}: a label without "="`);
    const name = line.slice(i, eq);
    if (!LABEL.test(name)) throw new Error(`${where}: bad label name "${name}"`);
    if (name in labels) throw new Error(`${where}: label "${name}" given twice`);
    if (line[eq + 1] !== '"') throw new Error(`${where}: label "${name}" is not quoted`);
    let value = "";
    let j = eq + 2;
    for (;;) {
      const c = line[j];
      if (c === undefined) throw new Error(`${where}: unterminated label value`);
      if (c === "\\") {
        const n = line[j + 1];
        if (n === "\\") value += "\\";
        else if (n === '"') value += '"';
        else if (n === "n") value += "\n";
        else throw new Error(`${where}: bad escape \\${n}`);
        j += 2;
      } else if (c === '"') {
        j += 1;
        break;
      } else {
        value += c;
        j += 1;
      }
    }
    labels[name] = value;
    if (line[j] === ",") j += 1;
    else if (line[j] !== "}") throw new Error(`${where}: expected "," or "}" after label "${name}"`);
    i = j;
  }
}

function familyOf(sample: string, families: Map<string, Family>): Family | undefined {
  for (const suffix of ["_bucket", "_sum", "_count", ""]) {
    if (suffix && !sample.endsWith(suffix)) continue;
    const f = families.get(sample.slice(0, sample.length - suffix.length));
    if (!f) continue;
    if (suffix === "" || f.type === "histogram" || (f.type === "summary" && suffix !== "_bucket")) return f;
  }
  return undefined;
}

/** Parses an exposition; throws on anything that is not valid. */
export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const series = new Set<string>();
  if (text !== "" && !text.endsWith("\n")) throw new Error("the exposition must end with a newline");
  for (const [n, line] of text.split("\n").entries()) {
    const where = `line ${n + 1} (${JSON.stringify(line.slice(0, 80))})`;
    if (line === "") continue;
    if (line.startsWith("#")) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) continue; // a plain comment
      const [, kind, name, rest] = m as unknown as [string, string, string, string];
      if (!METRIC.test(name)) throw new Error(`${where}: bad metric name`);
      let f = families.get(name);
      if (!f) {
        f = { name, type: "untyped", help: "", samples: [] };
        families.set(name, f);
      } else if (f.samples.length > 0) {
        throw new Error(`${where}: ${kind} of ${name} after its samples`);
      }
      if (kind === "TYPE") {
        if (!TYPES.has(rest)) throw new Error(`${where}: unknown type "${rest}"`);
        f.type = rest as Family["type"];
      } else {
        f.help = rest;
      }
      continue;
    }
    const nameEnd = line.search(/[{ ]/);
    if (nameEnd <= 0) throw new Error(`${where}: not a sample`);
    const name = line.slice(0, nameEnd);
    if (!METRIC.test(name)) throw new Error(`${where}: bad metric name "${name}"`);
    let labels: Record<string, string> = {};
    let i = nameEnd;
    if (line[i] === "{") [labels, i] = parseLabels(line, i, where);
    if (line[i] !== " ") throw new Error(`${where}: expected a space before the value`);
    const parts = line.slice(i + 1).split(" ");
    if (parts.length > 2) throw new Error(`${where}: too many fields`);
    const value = parseValue(parts[0]!, where);
    if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) throw new Error(`${where}: bad timestamp`);
    const f = familyOf(name, families);
    if (!f) throw new Error(`${where}: sample of ${name} before (or without) its TYPE`);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (series.has(key)) throw new Error(`${where}: series given twice`);
    series.add(key);
    if (f.type === "counter" && !(value >= 0)) throw new Error(`${where}: a counter must be >= 0`);
    f.samples.push({ name, labels, value });
  }
  for (const f of families.values()) if (f.type === "histogram") checkHistogram(f);
  return families;
}

/** Buckets cumulative, ending at +Inf, whose count equals `_count`, for every label set. */
function checkHistogram(f: Family): void {
  const groups = new Map<string, { buckets: [number, number][]; count?: number; sum?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const g = groups.get(key) ?? { buckets: [] };
    groups.set(key, g);
    if (s.name === `${f.name}_bucket`) {
      if (le === undefined) throw new Error(`${f.name}: a bucket without le`);
      g.buckets.push([parseValue(le, f.name), s.value]);
    } else if (s.name === `${f.name}_count`) g.count = s.value;
    else if (s.name === `${f.name}_sum`) g.sum = s.value;
  }
  for (const [key, g] of groups) {
    const sorted = [...g.buckets].sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i]![1] < sorted[i - 1]![1]) throw new Error(`${f.name}${key}: buckets are not cumulative`);
    }
    const last = sorted.at(-1);
    if (!last || last[0] !== Infinity) throw new Error(`${f.name}${key}: no +Inf bucket`);
    if (g.count !== last[1]) throw new Error(`${f.name}${key}: +Inf bucket ${last[1]} != count ${g.count}`);
    if (g.sum === undefined) throw new Error(`${f.name}${key}: no _sum`);
  }
}

/** The value of the one sample of `name` whose labels include `labels` (throws if there is not exactly one). */
export function sampleValue(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number {
  const matches = [...families.values()]
    .flatMap((f) => f.samples)
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (matches.length !== 1) {
    throw new Error(`${matches.length} samples of ${name}${JSON.stringify(labels)}`);
  }
  return matches[0]!.value;
}

/** Like {@link sampleValue}, 0 when there is no such sample (a counter not yet incremented). */
export function sampleOr0(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number {
  const has = [...families.values()]
    .flatMap((f) => f.samples)
    .some((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return has ? sampleValue(families, name, labels) : 0;
}

/** Scrapes `GET /metrics` and parses it. */
export async function scrape(url: string): Promise<{ families: Map<string, Family>; worker: string | null }> {
  const res = await fetch(`${url}/metrics`, { headers: { connection: "close" } });
  if (res.status !== 200) throw new Error(`GET /metrics: ${res.status} ${await res.text()}`);
  const type = res.headers.get("content-type") ?? "";
  if (!type.startsWith("text/plain; version=0.0.4")) throw new Error(`GET /metrics content-type ${type}`);
  return { families: parseExposition(await res.text()), worker: res.headers.get("x-brook-worker") };
}
