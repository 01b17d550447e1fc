/**
 * API keys with `brook serve --workers 2`: every worker reads the keys file itself and notices
 * its changes, and the CLI passes a key (`--api-key`, `BROOK_API_KEY`). Requests go on new
 * connections so that the cluster hands them to both workers; the workers' own header says
 * which answered. It cannot tell a worker that reads the keys late from one that never does,
 * beyond the deadline of `eventually`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createKey, writeKeysFile } from "../../src/cli/commands/keys.js";
import { runBrook, type ServerProcess, spawnServer } from "../helpers/process.js";
import { tempDir } from "../helpers/tmp.js";
import { eventually } from "../helpers/wait.js";

/** The workers that answered `status` to GET /v1/models with `key`, over a few new connections. */
async function workersAnswering(url: string, key: string | undefined, status: number): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < 8; i++) {
    const headers: Record<string, string> = { connection: "close" };
    if (key) headers.authorization = `Bearer ${key}`;
    const res = await fetch(`${url}/v1/models`, { headers });
    await res.arrayBuffer();
    if (res.status === status) seen.add(res.headers.get("x-brook-worker") ?? "?");
  }
  return seen;
}

describe("API keys in a cluster (--workers 2)", () => {
  const dir = tempDir();
  const path = join(dir.dir, "keys.json");
  const first = createKey(path, "predict,admin");
  let server: ServerProcess;
  before(async () => {
    server = await spawnServer(["--workers", "2", "--store", "memory", "--keys-file", path], {}, 2);
  });
  after(async () => {
    server.child.kill("SIGTERM");
    await server.exited();
    dir.remove();
  });

  it("every worker checks keys, and takes a new key and a revoked one within a second or so", async () => {
    await eventually(async () => (await workersAnswering(server.url, undefined, 401)).size === 2, {
      what: "both workers refuse a request without a key",
    });
    await eventually(async () => (await workersAnswering(server.url, first.key, 200)).size === 2, {
      what: "both workers take the key",
    });
    const second = createKey(path, "predict");
    await eventually(async () => (await workersAnswering(server.url, second.key, 200)).size === 2, {
      what: "both workers take the new key",
    });
    writeKeysFile(path, [second.record]);
    await eventually(async () => (await workersAnswering(server.url, first.key, 401)).size === 2, {
      what: "both workers refuse the deleted key",
    });
  });

  it("the CLI sends --api-key or BROOK_API_KEY", async () => {
    const key = createKey(path, "predict").key;
    await eventually(async () => (await workersAnswering(server.url, key, 200)).size === 2, {
      what: "the key taken",
    });
    const without = await runBrook(["models", "list", "--url", server.url], { BROOK_API_KEY: "" });
    assert.equal(without.code, 1, without.stderr);
    assert.match(without.stderr, /needs an API key .*BROOK_UNAUTHORIZED/);
    const flag = await runBrook(["models", "list", "--url", server.url, "--api-key", key], {
      BROOK_API_KEY: "",
    });
    assert.equal(flag.code, 0, flag.stderr);
    assert.match(flag.stdout, /^default\s/m);
    const env = await runBrook(["models", "list", "--url", server.url], { BROOK_API_KEY: key });
    assert.equal(env.code, 0, env.stderr);
    assert.ok(!`${env.stdout}${env.stderr}`.includes(key), "the key is not printed");
  });
});

describe("brook serve --insecure", () => {
  it("is a bare flag, and the start says loudly what it means", async () => {
    const server = await spawnServer(["--workers", "1", "--store", "memory", "--insecure"]);
    try {
      await eventually(() => /INSECURE: no API keys and --insecure: ANY client/.test(server.output()), {
        what: "the warning at start",
      });
    } finally {
      server.child.kill("SIGTERM");
      await server.exited();
    }
  });
});
