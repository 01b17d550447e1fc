/**
 * Logs: JSON lines when stdout is not a terminal (or with `--log-format json`), readable lines
 * with `--log-format pretty`, and every request log line carrying the request's id (the
 * client's X-Request-Id when it sends a sane one).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { prettyLogs } from "../../src/runtime/logger.js";
import { spawnServer } from "../helpers/process.js";

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("logs", () => {
  it("auto is pretty on a terminal, JSON otherwise", () => {
    assert.equal(prettyLogs({ logFormat: "auto" }, true), true);
    assert.equal(prettyLogs({ logFormat: "auto" }, false), false);
    assert.equal(prettyLogs({ logFormat: "json" }, true), false);
    assert.equal(prettyLogs({ logFormat: "pretty" }, false), true);
  });

  it("JSON lines by default when piped; request lines carry the request id", async () => {
    const server = await spawnServer(["--workers", "1", "--store", "memory", "--log-level", "debug"]);
    try {
      await fetch(`${server.url}/v1/models/default`, { headers: { "x-request-id": "trace-abc.1" } });
      await fetch(`${server.url}/v1/models/nope/predict`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"x": {"a": 1}}',
      });
      const requests = () =>
        server
          .output()
          .split("\n")
          .filter((l) => l.includes('"msg":"request"'))
          .map((l) => JSON.parse(l) as { reqId: string; url: string; status: number; method: string });
      await until("two request lines", () => requests().some((r) => r.url === "/v1/models/nope/predict"));
      const all = server
        .output()
        .split("\n")
        .filter((l) => l.trim() !== "");
      for (const l of all) assert.doesNotThrow(() => JSON.parse(l), l);
      const given = requests().find((r) => r.url === "/v1/models/default")!;
      assert.deepEqual([given.reqId, given.method, given.status], ["trace-abc.1", "GET", 200]);
      const made = requests().find((r) => r.url === "/v1/models/nope/predict")!;
      assert.equal(made.status, 404);
      assert.match(made.reqId, /^[0-9a-z]+$/);
    } finally {
      server.child.kill("SIGTERM");
      assert.equal(await server.exited(), 0);
    }
  });

  it("--log-format pretty prints readable lines", async () => {
    const server = await spawnServer([
      "--workers",
      "1",
      "--store",
      "memory",
      "--log-level",
      "info",
      "--log-format",
      "pretty",
    ]);
    try {
      await until("the summary", () => server.output().includes("Brook listening on"));
      const line = server
        .output()
        .split("\n")
        .find((l) => l.includes("Brook listening on"))!;
      assert.throws(() => JSON.parse(line));
      assert.match(line, /INFO/);
      assert.match(line, /store memory/);
    } finally {
      server.child.kill("SIGTERM");
      assert.equal(await server.exited(), 0);
    }
  });
});
