/**
 * Start-up failures are one readable line and a non-zero exit, in every worker mode; a
 * shutdown is bounded in time even when a client never finishes its request.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { connect, createServer, type Server } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { freePort, ROOT, spawnServer } from "../helpers/process.js";
import { tempDir } from "../helpers/tmp.js";

/** Runs `brook serve` and waits (bounded) for it to exit by itself. */
function serveUntilExit(
  args: string[],
  timeoutMs = 30_000,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(ROOT, "src/cli/main.ts"), "serve", ...args],
      {
        cwd: ROOT,
        env: { ...process.env, BROOK_LOG_LEVEL: "info" },
      },
    );
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`brook serve did not exit within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe("start-up failures", () => {
  let blocker: Server;
  let port: number;
  const tmp = tempDir();
  before(async () => {
    port = await freePort();
    blocker = createServer();
    await new Promise<void>((r) => blocker.listen(port, "127.0.0.1", () => r()));
  });
  after(async () => {
    await new Promise((r) => blocker.close(r));
    tmp.remove();
  });

  for (const workers of [1, 2]) {
    it(`a port in use, --workers ${workers}: one line naming the port, exit status 1, no restart loop`, async () => {
      const { code, output } = await serveUntilExit([
        "--port",
        String(port),
        "--host",
        "127.0.0.1",
        "--workers",
        String(workers),
        "--data-dir",
        join(tmp.dir, `w${workers}`),
      ]);
      assert.equal(code, 1, output);
      assert.match(output, new RegExp(`port ${port}.*in use`));
      assert.doesNotMatch(output, /\n\s+at /, "no stack trace");
      assert.doesNotMatch(output, /starting a new one/, "no worker restarted");
    });
  }

  it("an invalid setting: one line naming it, exit status 2", async () => {
    const { code, output } = await serveUntilExit(["--port", "99999"]);
    assert.equal(code, 2, output);
    assert.match(output, /--port must be an integer from 0 to 65535/);
    assert.doesNotMatch(output, /\n\s+at /);
  });
});

describe("a bounded shutdown", () => {
  it("SIGTERM with a client that never finishes its body: exits 0 within the drain timeout", async () => {
    const tmp = tempDir();
    const server = await spawnServer(["--workers", "1", "--data-dir", tmp.dir, "--drain-timeout", "1"]);
    try {
      const { port } = new URL(server.url);
      const socket = connect(Number(port), "127.0.0.1");
      await new Promise<void>((r) => socket.once("connect", () => r()));
      socket.write(
        'POST /v1/models/default/learn HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"x":',
      );
      await new Promise((r) => setTimeout(r, 200)); // the request is in flight
      const started = Date.now();
      server.child.kill("SIGTERM");
      const code = await server.exited();
      socket.destroy();
      assert.equal(code, 0, server.output());
      assert.ok(Date.now() - started < 8000, `took ${Date.now() - started} ms`);
    } finally {
      if (server.child.exitCode === null) server.child.kill("SIGKILL");
      tmp.remove();
    }
  });
});
