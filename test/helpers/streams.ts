/** The fixture datasets as River yields them, shared by the learning tests and the zoo benchmark. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadStream, type Row } from "../../src/data/datasets.js";
import type { Features, FeatureValue } from "../../src/learn/index.js";

const DATASETS = join(import.meta.dirname, "..", "fixtures", "datasets");

/** Bananas: keys "1" and "2" in CSV order (a Map), y = (label == "1"). */
export function bananas(): Row[] {
  const [header, ...lines] = readFileSync(join(DATASETS, "bananas.csv"), "utf8").trim().split("\n");
  const names = header!.split(",");
  const target = names.indexOf("label");
  return lines.map((line) => {
    const cells = line.split(",");
    const x = new Map<string, number>();
    names.forEach((name, j) => {
      if (j !== target) x.set(name, Number(cells[j]));
    });
    return { x, y: cells[target] === "1" };
  });
}

/** ImageSegments, target "category". */
export function segment(): Row[] {
  return loadStream(join(DATASETS, "segment.csv"), "category").rows;
}

/** AirlinePassengers: the month ("1949-01") split in year and month, and the passenger count. */
export function airline(): { year: number; month: number; y: number }[] {
  const lines = readFileSync(join(DATASETS, "airline_passengers.csv"), "utf8").trim().split("\n").slice(1);
  return lines.map((line) => {
    const [month, passengers] = line.split(",");
    const [year, m] = month!.replaceAll('"', "").split("-").map(Number);
    return { year: year!, month: m!, y: Number(passengers) };
  });
}

/** Phishing with popup_window and age_of_domain as strings, in place (conformance j1b's stream). */
export function phishingWithStrings(): Row[] {
  const popup: Record<string, string> = { "0": "no", "0.5": "maybe", "1": "yes" };
  const age: Record<string, string> = { "0": "young", "1": "old" };
  return loadStream("phishing").rows.map(({ x, y }) => {
    const copy = new Map<string, FeatureValue>(x);
    // Map.set on an existing key keeps its position, as River's in-place assignment does.
    copy.set("popup_window", popup[String(x.get("popup_window"))]!);
    copy.set("age_of_domain", age[String(x.get("age_of_domain"))]!);
    return { x: copy as unknown as Features, y };
  });
}
