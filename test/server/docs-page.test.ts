/**
 * `GET /docs` in a real browser: headless Chromium (Debian's) loads the page, which fetches
 * /openapi.json and lists every operation of the document with its schemas. Skipped, saying
 * so, on a machine without Chromium.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { loadConfig } from "../../src/config/config.js";
import { type Brook, startBrook } from "../../src/server/start.js";

const run = promisify(execFile);
const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));

describe("the /docs page", () => {
  let brook: Brook;
  before(async () => {
    brook = await startBrook(
      loadConfig({ port: 0, host: "127.0.0.1", workers: 1, logLevel: "silent", store: "memory" }, {}),
    );
  });
  after(() => brook.close());

  it("is a self-contained HTML page (no external scripts or styles)", async () => {
    const res = await fetch(`${brook.url}/docs`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
    const html = await res.text();
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=|https?:\/\//);
    assert.match(html, /fetch\("openapi\.json"\)/);
  });

  it("renders every operation of /openapi.json in Chromium", {
    skip: CHROMIUM ? false : "no Chromium on this machine",
  }, async () => {
    const doc = (await (await fetch(`${brook.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    const { stdout } = await run(
      CHROMIUM!,
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--virtual-time-budget=10000",
        "--dump-dom",
        `${brook.url}/docs`,
      ],
      { encoding: "utf8", timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
    );
    const ids = [...stdout.matchAll(/<details id="([^"]+)"/g)].map((m) => m[1]);
    const expected = Object.values(doc.paths).flatMap((ops) =>
      Object.values(ops).map((op) => op.operationId),
    );
    assert.deepEqual(ids.sort(), expected.sort());
    // Schemas are shown as trees: a learn request's fields, with their descriptions.
    assert.match(stdout, /<span class="k">event_id<\/span>/);
    assert.match(stdout, /feature name → value/);
    assert.doesNotMatch(stdout, /id="info">Could not load/);
    assert.match(stdout, /id="info">[^<]*Version \d+\.\d+\.\d+/);
  });
});
