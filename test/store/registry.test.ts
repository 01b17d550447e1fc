/**
 * A missing or damaged registry never deletes model data: it is rebuilt from the models' own
 * records (`models/<name>/model.json`), or the start is refused with one line naming what is
 * missing — never a `default` model created over existing data, never a log emptied.
 */
import assert from "node:assert/strict";
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { loadConfig } from "../../src/config/config.js";
import { loadStream } from "../../src/data/datasets.js";
import { Engine } from "../../src/runtime/engine.js";
import { engineOptions } from "../../src/runtime/open.js";
import { FileStorage } from "../../src/store/file/storage.js";
import { tempDir } from "../helpers/tmp.js";

const rows = loadStream("phishing").rows;
const options = engineOptions(loadConfig({ logLevel: "silent" }, {}));

describe("the registry", () => {
  let tmp: ReturnType<typeof tempDir>;
  let exports: Record<string, string>;
  beforeEach(async () => {
    tmp = tempDir();
    const engine = await Engine.open(storage(), options);
    await engine.create("other", "StandardScaler | LinearRegression", ["MAE"]);
    for (const r of rows.slice(0, 30)) await engine.writer("default").learn([{ x: r.x, y: r.y }]);
    for (const [i, r] of rows.slice(0, 20).entries())
      await engine.writer("other").learn([{ x: r.x, y: i / 7 }]);
    exports = Object.fromEntries(engine.list().map((w) => [w.record.name, JSON.stringify(w.model.export())]));
    await engine.close({ checkpoint: false });
  });
  afterEach(() => tmp.remove());

  function storage() {
    return new FileStorage(tmp.dir, { fsync: "always", fsyncIntervalMs: 50, segmentBytes: 1 << 20 });
  }
  /** Every file under the data folder with its bytes (to prove a refusal changed nothing). */
  function snapshot(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const f of readdirSync(tmp.dir, { recursive: true }).map(String)) {
      const p = join(tmp.dir, f);
      if (statSync(p).isFile()) out[f] = readFileSync(p).toString("base64");
    }
    return out;
  }

  it("each model keeps its creation record in its own folder", () => {
    for (const name of ["default", "other"]) {
      const doc = JSON.parse(readFileSync(join(tmp.dir, "models", name, "model.json"), "utf8"));
      assert.equal(doc.format, "brook.model");
      assert.equal(doc.name, name);
    }
  });

  for (const [what, damage] of [
    ["missing", () => rmSync(join(tmp.dir, "registry.json"))],
    [
      "truncated",
      () =>
        writeFileSync(
          join(tmp.dir, "registry.json"),
          readFileSync(join(tmp.dir, "registry.json")).subarray(0, 40),
        ),
    ],
    ["not a registry", () => writeFileSync(join(tmp.dir, "registry.json"), '{"hello": 1}')],
  ] as const) {
    it(`${what}: rebuilt from the model folders, every model back bit for bit, no default created over them`, async () => {
      damage();
      const warnings: string[] = [];
      const engine = await Engine.open(storage(), {
        ...options,
        logger: { warn: (_o, m) => warnings.push(m), info: () => {} },
      });
      try {
        assert.deepEqual(
          engine
            .list()
            .map((w) => w.record.name)
            .sort(),
          ["default", "other"],
        );
        for (const w of engine.list()) assert.equal(JSON.stringify(w.model.export()), exports[w.record.name]);
        assert.ok(
          warnings.some((m) => /rebuilt it from 2 model folder/.test(m)),
          warnings.join("\n"),
        );
      } finally {
        await engine.close({ checkpoint: false });
      }
      assert.ok(existsSync(join(tmp.dir, "registry.json")));
    });

    it(`${what}, and a folder from an older Brook has no model.json: refused, naming the folder, nothing changed`, async () => {
      damage();
      rmSync(join(tmp.dir, "models", "other", "model.json"));
      const before = snapshot();
      await assert.rejects(Engine.open(storage(), options), (err: any) => {
        assert.equal(err.code, "BROOK_REGISTRY_DAMAGED");
        assert.match(err.message, new RegExp(`${join(tmp.dir, "models", "other", "model.json")} is missing`));
        assert.match(err.message, /restore registry.json from a backup, or write that file/);
        assert.doesNotMatch(err.message, /\n/, "one line");
        return true;
      });
      assert.deepEqual(snapshot(), before, "not a byte changed (no default created, no log emptied)");
    });
  }

  it("folders made before model.json existed get theirs while the registry is good", async () => {
    rmSync(join(tmp.dir, "models", "other", "model.json"));
    const engine = await Engine.open(storage(), options);
    await engine.close({ checkpoint: false });
    assert.equal(
      JSON.parse(readFileSync(join(tmp.dir, "models", "other", "model.json"), "utf8")).name,
      "other",
    );
  });

  it("a model the registry lists whose folder is gone stops the start (never an empty model in its place)", async () => {
    rmSync(join(tmp.dir, "models", "other"), { recursive: true });
    await assert.rejects(Engine.open(storage(), options), /lists model "other" but its folder .* is missing/);
  });

  it("a folder in the way of a new model is moved aside, never deleted", async () => {
    const engine = await Engine.open(storage(), options);
    try {
      await engine.delete("other");
      // A folder the registry does not know, under the name about to be created.
      cpSync(join(tmp.dir, "models", "default"), join(tmp.dir, "models", "other"), { recursive: true });
      await engine.create("other", "StandardScaler | LinearRegression", ["MAE"]);
      assert.equal(engine.writer("other").model.version, 0);
      const aside = readdirSync(join(tmp.dir, "models")).filter((f) => f.startsWith(".orphan-other-"));
      assert.equal(aside.length, 1);
      assert.ok(existsSync(join(tmp.dir, "models", aside[0]!, "log")));
    } finally {
      await engine.close({ checkpoint: false });
    }
  });
});
