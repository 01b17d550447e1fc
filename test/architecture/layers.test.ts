/**
 * The layers of src/ and the one rule between them: an import never runs up. A folder may
 * import its own layer's neighbours and anything below, never above; `learn/` depends on
 * nothing outside itself (no npm package). Read from the source text, so a new file is checked
 * the day it is added.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";

const SRC = resolve(import.meta.dirname, "../../src");

/** Bottom to top. Each entry is a top-level folder of src/ (or a file there). */
const LAYERS: string[][] = [
  ["learn"],
  ["errors.ts", "codec", "config", "data"],
  ["store"],
  ["models"],
  ["runtime"],
  ["server"],
  ["client"],
  ["cli"],
];

const rank = new Map(LAYERS.flatMap((names, i) => names.map((n) => [n, i] as const)));

function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => join(e.parentPath, e.name));
}

/** Import specifiers of a file: static imports and re-exports, dynamic imports. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"/gms)) out.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)) out.push(m[1]!);
  return out;
}

/** The top-level part of src/ a path belongs to. */
function partOf(path: string): string {
  return relative(SRC, path).split("/")[0]!.replace(/\.js$/, ".ts");
}

describe("layers", () => {
  const files = sources(SRC);

  it("every top-level part of src/ has a layer", () => {
    const parts = new Set(files.map(partOf));
    for (const p of parts) assert.ok(rank.has(p), `src/${p} is in no layer: add it to LAYERS`);
  });

  it("no import runs up the layers", () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = partOf(file);
      for (const spec of importsOf(file)) {
        if (!spec.startsWith(".")) continue;
        const to = partOf(resolve(dirname(file), spec));
        if (to !== from && rank.get(to)! > rank.get(from)!) {
          violations.push(`${relative(SRC, file)} (${from}) imports ${spec} (${to})`);
        }
      }
    }
    assert.deepEqual(violations, []);
  });

  it("learn/ imports nothing outside itself and no package", () => {
    const outside: string[] = [];
    for (const file of files.filter((f) => partOf(f) === "learn")) {
      for (const spec of importsOf(file)) {
        const inside = spec.startsWith(".") && partOf(resolve(dirname(file), spec)) === "learn";
        if (!inside && !spec.startsWith("node:")) outside.push(`${relative(SRC, file)} imports ${spec}`);
      }
    }
    assert.deepEqual(outside, []);
  });
});
