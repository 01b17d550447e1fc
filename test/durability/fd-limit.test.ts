/**
 * File descriptors are bounded: under `ulimit -n 200`, a server with 300 models that all learn
 * keeps answering (idle logs close their segment files; --max-open-logs is the bound).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { freePort, ROOT } from "../helpers/process.js";
import { call } from "../helpers/server.js";
import { tempDir } from "../helpers/tmp.js";

const MODELS = 300;

describe("300 models under ulimit -n 200", () => {
  const tmp = tempDir();
  let child: ReturnType<typeof spawn> | undefined;
  after(async () => {
    if (child && child.exitCode === null) {
      child.kill("SIGKILL");
      await new Promise((r) => child!.once("exit", r));
    }
    tmp.remove();
  });

  it("every model learns; no EMFILE; a restart finds them all", { timeout: 240_000 }, async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const start = () => {
      const c = spawn(
        "sh",
        [
          "-c",
          `ulimit -n 200 && exec "${process.execPath}" --import tsx "${join(ROOT, "src/cli/main.ts")}" serve --workers 1 --host 127.0.0.1 --port ${port} --data-dir "${tmp.dir}"`,
        ],
        { cwd: ROOT, env: { ...process.env, BROOK_LOG_LEVEL: "warn" }, stdio: ["ignore", "pipe", "pipe"] },
      );
      let out = "";
      c.stdout!.on("data", (d) => {
        out += d;
      });
      c.stderr!.on("data", (d) => {
        out += d;
      });
      return { c, out: () => out };
    };
    const ready = async (s: ReturnType<typeof start>) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        if (s.c.exitCode !== null) throw new Error(`exited ${s.c.exitCode}: ${s.out()}`);
        try {
          if ((await fetch(`${url}/readyz`)).ok) return;
        } catch {}
        if (Date.now() > deadline) throw new Error(`not ready: ${s.out()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    let server = start();
    child = server.c;
    await ready(server);
    const names = Array.from({ length: MODELS }, (_, i) => `m${i}`);
    for (const name of names) {
      const r = await call(url, "PUT", `/v1/models/${name}`, { spec: "StandardScaler | LogisticRegression" });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    // Every model learns, 16 requests at a time, twice round.
    for (let round = 1; round <= 2; round++) {
      const queue = [...names];
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          for (let name = queue.shift(); name; name = queue.shift()) {
            const r = await call(url, "POST", `/v1/models/${name}/learn`, {
              x: { a: round, b: -round },
              y: round % 2 === 0,
            });
            assert.equal(r.status, 200, `${name}: ${JSON.stringify(r.body)}`);
            assert.equal(r.body.version, round);
          }
        }),
      );
    }
    assert.doesNotMatch(server.out(), /EMFILE/);
    server.c.kill("SIGTERM");
    await new Promise((r) => server.c.once("exit", r));
    server = start();
    child = server.c;
    await ready(server);
    const list = await call(url, "GET", "/v1/models");
    assert.equal(list.body.models.length, MODELS + 1);
    assert.ok(
      list.body.models
        .filter((m: { name: string }) => m.name !== "default")
        .every((m: { version: number }) => m.version === 2),
    );
    server.c.kill("SIGTERM");
    await new Promise((r) => server.c.once("exit", r));
  });
});
