/**
 * The SDK as a package: `import { BrookClient } from "brook/client"` resolves through
 * package.json's exports to the compiled SDK, which depends on nothing (no npm package, no
 * other part of Brook), and the `brook` bin still runs. Needs `npm run build` first.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ROOT } from "../helpers/process.js";

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

/** Import specifiers of a JS or TS file (static, re-exports, dynamic). */
function importsOf(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"/gms)) out.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)) out.push(m[1]!);
  return out;
}

describe("brook/client", () => {
  it("imports nothing but its own files", () => {
    for (const dir of ["src/client", "dist/client"]) {
      const files = readdirSync(join(ROOT, dir)).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith(".d.ts"));
      assert.ok(files.length >= 5, `${dir} holds the SDK (run npm run build)`);
      for (const f of files) {
        for (const spec of importsOf(readFileSync(join(ROOT, dir, f), "utf8"))) {
          assert.match(spec, /^\.\/[a-z-]+\.js$/, `${dir}/${f} imports ${spec}`);
        }
      }
    }
  });

  it("resolves through the package's exports to the compiled SDK, with its types", async () => {
    assert.deepEqual(pkg.exports["./client"], {
      types: "./dist/client/index.d.ts",
      default: "./dist/client/index.js",
    });
    const resolved = fileURLToPath(import.meta.resolve("brook/client"));
    assert.equal(resolved, join(ROOT, "dist/client/index.js"));
    assert.ok(existsSync(join(ROOT, "dist/client/index.d.ts")));
    // A specifier in a variable: typechecking must not need dist/ to exist.
    const specifier = "brook/client";
    const sdk = (await import(specifier)) as typeof import("../../src/client/index.js");
    const client = new sdk.BrookClient("http://127.0.0.1:1/");
    assert.equal(client.url, "http://127.0.0.1:1");
    assert.equal(typeof sdk.BrookApiError, "function");
  });

  it("keeps the brook bin working, with the package's version", () => {
    const run = spawnSync(process.execPath, [join(ROOT, "bin/brook.js"), "--version"], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, `${pkg.version}\n`);
  });
});
