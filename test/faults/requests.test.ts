/**
 * Requests that used to kill the server or make replicas disagree (each reproduced on the
 * default two-worker shape): a deeply nested body, a spec nested thousands of levels deep, a
 * DELETE racing the learns in flight, a seedless random model served by two workers.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { loadStream } from "../../src/data/datasets.js";
import { type ServerProcess, spawnServer } from "../helpers/process.js";

const rows = loadStream("phishing").rows.slice(0, 200);
const obj = (x: ReadonlyMap<string, unknown>) => Object.fromEntries(x);

/** A request on a new connection, so that the cluster hands it to the next worker. */
async function fresh(url: string, method: string, path: string, body?: string | object) {
  const res = await fetch(url + path, {
    method,
    headers: { "content-type": "application/json", connection: "close" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, worker: res.headers.get("x-brook-worker"), text, body: safeJson(text) };
}

function safeJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const nested = (depth: number, inner = "1") => `${"[".repeat(depth)}${inner}${"]".repeat(depth)}`;
const nestedObject = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

async function alive(server: ServerProcess): Promise<void> {
  assert.equal(server.child.exitCode, null, `the server exited:\n${server.output()}`);
  for (let i = 0; i < 4; i++) {
    const r = await fresh(server.url, "GET", "/healthz");
    assert.equal(r.status, 200);
  }
  assert.doesNotMatch(server.output(), /worker exited/, "no worker died");
}

describe("requests no body can use to kill a two-worker server", () => {
  let server: ServerProcess;
  before(async () => {
    server = await spawnServer(["--workers", "2", "--store", "memory"], {}, 2);
  });
  after(async () => {
    server.child.kill("SIGTERM");
    await server.exited();
  });

  it("a 2,000-level nested spec or import body is a 400, and every process lives", async () => {
    for (const [method, path, body] of [
      ["PUT", "/v1/models/deep", `{"spec": ${nestedObject(2000)}}`],
      ["PUT", "/v1/models/deep", `{"spec": "LogisticRegression", "metrics": ${nested(2000)}}`],
      ["POST", "/v1/models/default/import", `{"state": ${nested(2000)}}`],
      ["POST", "/v1/models/default/learn", `{"x": {"1": 1}, "y": true, "pad": ${nested(2000)}}`],
      ["POST", "/v1/models/default/predict", `{"x": {"1": ${nested(3000)}}}`],
    ] as const) {
      const r = await fresh(server.url, method, path, body);
      assert.equal(r.status, 400, `${method} ${path}: ${r.text}`);
      assert.equal(r.body.code, "BROOK_INVALID_JSON", r.text);
      assert.match(r.body.error, /nested/);
    }
    await alive(server);
  });

  it("a spec string nested 3,000 levels deep is a 400 naming the spec, and every process lives", async () => {
    const spec = `${"Pipeline(".repeat(3000)}LogisticRegression${")".repeat(3000)}`;
    const r = await fresh(server.url, "PUT", "/v1/models/deepspec", { spec });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.code, "BROOK_INVALID_SPEC");
    await alive(server);
  });

  it("DELETE of a model while learns to it are in flight: 204, then 404s, and the server lives", async () => {
    for (let round = 0; round < 3; round++) {
      const name = `racy${round}`;
      const created = await fresh(server.url, "PUT", `/v1/models/${name}`, {
        spec: "StandardScaler | LogisticRegression",
      });
      assert.equal(created.status, 201, created.text);
      const learns = rows.map((r) =>
        fresh(server.url, "POST", `/v1/models/${name}/learn`, { x: obj(r.x), y: r.y }),
      );
      await new Promise((r) => setTimeout(r, 5 * round));
      const deleted = await fresh(server.url, "DELETE", `/v1/models/${name}`);
      assert.equal(deleted.status, 204, deleted.text);
      for (const r of await Promise.all(learns)) {
        assert.ok(r.status === 200 || r.status === 404, `learn answered ${r.status}: ${r.text}`);
        if (r.status === 404) assert.equal(r.body.code, "BROOK_MODEL_NOT_FOUND");
      }
      const gone = await fresh(server.url, "GET", `/v1/models/${name}`);
      assert.equal(gone.status, 404);
    }
    await alive(server);
  });

  it("a seedless random model answers the same score at the same version from both workers", async () => {
    const created = await fresh(server.url, "PUT", "/v1/models/hst", {
      spec: "MinMaxScaler | HalfSpaceTrees(n_trees=5, height=4, window_size=20)",
    });
    assert.equal(created.status, 201, created.text);
    for (const r of rows.slice(0, 60)) {
      const l = await fresh(server.url, "POST", "/v1/models/hst/learn", { x: obj(r.x) });
      assert.equal(l.status, 200, l.text);
    }
    const probe = { x: obj(rows[100]!.x), min_version: 60 };
    const seen = new Map<string, number>();
    for (let i = 0; i < 40 && seen.size < 2; i++) {
      const p = await fresh(server.url, "POST", "/v1/models/hst/predict", probe);
      assert.equal(p.status, 200, p.text);
      assert.equal(p.body.version, 60);
      seen.set(p.worker!, p.body.score);
    }
    assert.equal(seen.size, 2, "both workers answered");
    const [a, b] = [...seen.values()];
    assert.equal(a, b, "the two replicas agree");
    // The seed was drawn once, at creation, and is part of the model's record.
    const details = await fresh(server.url, "GET", "/v1/models/hst");
    assert.equal(typeof details.body.seeds?.["steps[1].seed"], "number", details.text);
  });
});
