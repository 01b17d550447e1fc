/**
 * Start-up and shutdown of `brook serve`, with one process and with 2 workers: one start-up
 * summary (address, workers, store, data folder, fsync, every model with its version); on
 * SIGTERM readiness goes false first while requests are still served (`--shutdown-delay-ms`),
 * then the server drains, checkpoints, prints a "stopped" line and exits 0; started again, the
 * model is at the same version.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadStream } from "../../src/data/datasets.js";
import { type ServerProcess, spawnServer } from "../helpers/process.js";
import { call } from "../helpers/server.js";
import { tempDir } from "../helpers/tmp.js";

const phishing = loadStream("phishing").rows;
const row = (i: number) => ({ x: Object.fromEntries(phishing[i]!.x), y: phishing[i]!.y });

interface Line {
  level: number;
  msg: string;
  [k: string]: unknown;
}

function lines(server: ServerProcess): Line[] {
  return server
    .output()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Line);
}

/** Waits for `check` to hold, polling, with a deadline. */
async function until(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

for (const workers of [1, 2]) {
  describe(`lifecycle with --workers ${workers}`, () => {
    it("one summary; SIGTERM: not ready, still serving, drained, checkpointed, stopped, exit 0; restart at the same version", async () => {
      const tmp = tempDir();
      const flags = [
        "--workers",
        String(workers),
        "--data-dir",
        tmp.dir,
        "--log-level",
        "info",
        "--log-format",
        "json",
      ];
      try {
        const first = await spawnServer([...flags, "--shutdown-delay-ms", "1500"], {}, workers);
        let version = 0;
        for (let i = 0; i < 7; i++) {
          version = (
            await call(first.url, "POST", "/v1/models/default/learn", row(i), { connection: "close" })
          ).body.version;
        }
        assert.equal(version, 7);
        const summaries = lines(first).filter((l) => l.msg.startsWith("Brook listening on"));
        assert.equal(summaries.length, 1, first.output());
        const summary = summaries[0]!;
        assert.equal(summary.url, first.url);
        assert.equal(summary.workers, workers);
        assert.equal(summary.store, "file");
        assert.equal(summary.data, tmp.dir);
        assert.equal(summary.fsync, "always");
        assert.deepEqual(summary.models, [{ name: "default", version: 0 }]);
        assert.match(summary.msg, new RegExp(`data ${tmp.dir}, fsync always; models: default v0`));

        first.child.kill("SIGTERM");
        // Readiness goes false first, while requests are still answered.
        await until("/readyz to answer 503", async () => {
          const r = await call(first.url, "GET", "/readyz", undefined, { connection: "close" });
          return r.status === 503 && r.body.code === "BROOK_NOT_READY";
        });
        const ready = await call(first.url, "GET", "/v2/health/ready", undefined, { connection: "close" });
        assert.deepEqual([ready.status, ready.body], [503, { ready: false }]);
        const still = await call(
          first.url,
          "POST",
          "/v1/models/default/predict",
          { x: row(9).x },
          { connection: "close" },
        );
        assert.equal(still.status, 200);
        assert.equal(still.body.version, 7);
        assert.equal(await first.exited(), 0, first.output());
        const log = lines(first).map((l) => l.msg);
        const term = log.findIndex((m) => m.startsWith("SIGTERM: not ready"));
        const stopped = log.findIndex((m) => m.startsWith("Brook stopped"));
        assert.ok(term !== -1 && stopped > term, log.join("\n"));

        const second = await spawnServer(flags, {}, workers);
        const again = lines(second).filter((l) => l.msg.startsWith("Brook listening on"));
        assert.equal(again.length, 1);
        assert.deepEqual(again[0]!.models, [{ name: "default", version: 7 }]);
        const info = await call(second.url, "GET", "/v1/models/default");
        assert.equal(info.body.version, 7);
        assert.equal(info.body.checkpoints.latest.version, 7, "the final checkpoint was taken at shutdown");
        second.child.kill("SIGTERM");
        assert.equal(await second.exited(), 0, second.output());
      } finally {
        tmp.remove();
      }
    });
  });
}
