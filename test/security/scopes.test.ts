/**
 * Every route of the table × every kind of key × a client on loopback and one on another
 * address, over real sockets: the remote client connects from this machine's non-loopback
 * interface (192.0.2.2 on eth0 here) to a server listening on every interface, so the server
 * sees a non-loopback source address. It checks only who is let through (401/403 or not),
 * with requests that change nothing (a model that does not exist, empty bodies); what the
 * routes then answer is for their own tests. It cannot detect a route that checks the scope
 * right but then does something else with the caller.
 */
import assert from "node:assert/strict";
import { request } from "node:http";
import { networkInterfaces } from "node:os";
import { after, before, describe, it } from "node:test";
import { type Config, loadConfig } from "../../src/config/config.js";
import { routeTable } from "../../src/server/app.js";
import type { AnyRoute } from "../../src/server/routes/route.js";
import { generateKey, type KeyScope } from "../../src/server/security/keys.js";
import { type Brook, startBrook } from "../../src/server/start.js";

/** A non-internal IPv4 address of this machine, if it has one. */
function remoteAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return undefined;
}
const REMOTE = remoteAddress();
const NO_REMOTE = REMOTE
  ? false
  : "this machine has no non-loopback IPv4 interface: remote clients are covered by test/security/gate.test.ts only";

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One request from `from` (a local address to bind, or loopback) to `host`; the answer's
 * status, headers and (for a non-stream) body. A stream is cut once its head has come.
 */
function send(
  host: string,
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
  from?: string,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host,
        port,
        method,
        path,
        headers: { ...headers, connection: "close" },
        ...(from && { localAddress: from }),
      },
      (res) => {
        const type = String(res.headers["content-type"] ?? "");
        if (type.startsWith("text/event-stream")) {
          resolve({ status: res.statusCode!, headers: res.headers, body: "" });
          res.destroy();
          return;
        }
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => {
          text += d;
        });
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
      },
    );
    req.on("error", reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

/** The route's path with its parameters filled: a model that does not exist, version 1. */
function pathOf(route: AnyRoute, model = "ghost"): string {
  return route.path.replace(":name", model).replace(":version", "1");
}

/** A request to `route` as the matrix sends it (an empty JSON object to routes taking a body). */
function hit(brook: { port: number }, route: AnyRoute, headers: Record<string, string>, remote: boolean) {
  const host = remote ? REMOTE! : "127.0.0.1";
  const body = route.body ? "{}" : undefined;
  const h = body ? { ...headers, "content-type": "application/json" } : headers;
  return send(host, brook.port, route.method, pathOf(route), h, body, remote ? REMOTE : undefined);
}

const SCOPED_KEYS: Record<string, KeyScope[]> = {
  predict: ["predict"],
  learn: ["learn"],
  admin: ["admin"],
  all: ["predict", "learn", "admin"],
};

interface Running {
  brook: Brook;
  port: number;
  table: AnyRoute[];
  config: Config;
}

async function start(flags: Partial<Record<keyof Config, string | number>>): Promise<Running> {
  const config = loadConfig(
    // Every interface: loopback clients and the remote one reach the same server.
    { store: "memory", host: "0.0.0.0", port: 0, workers: 1, logLevel: "silent", ...flags },
    {},
  );
  const brook = await startBrook(config);
  const port = Number(new URL(brook.url).port);
  return { brook, port, config, table: routeTable(brook.backend, config) };
}

const let_through = (r: Reply) => r.status !== 401 && r.status !== 403;

describe("with API keys: each route × each scope × loopback and remote", () => {
  const keys = Object.fromEntries(Object.entries(SCOPED_KEYS).map(([name, s]) => [name, generateKey(s)]));
  let s: Running;
  before(async () => {
    s = await start({ apiKeys: JSON.stringify({ keys: Object.values(keys).map((k) => k.record) }) });
  });
  after(() => s.brook.close());

  for (const remote of [false, true]) {
    const where = remote ? "remote" : "loopback";
    it(`${where}: public routes need no key; the others a key with their scope, whatever the address`, {
      skip: remote && NO_REMOTE,
    }, async () => {
      const seen = new Set<string>();
      for (const route of s.table) {
        const name = `${route.method} ${route.path}`;
        seen.add(route.scope);
        const none = await hit(s, route, {}, remote);
        if (route.scope === "public") {
          assert.ok(let_through(none), `${name} is public, answered ${none.status} ${none.body}`);
          continue;
        }
        assert.equal(none.status, 401, `${name} without a key: ${none.body}`);
        assert.equal(none.headers["www-authenticate"], 'Bearer realm="brook"');
        const wrong = await hit(s, route, { authorization: `Bearer ${generateKey(["admin"]).key}` }, remote);
        assert.equal(wrong.status, 401, `${name} with an unknown key`);
        for (const [kind, k] of Object.entries(keys)) {
          const r = await hit(s, route, { authorization: `Bearer ${k.key}` }, remote);
          if (k.record.scopes.includes(route.scope as KeyScope)) {
            assert.ok(let_through(r), `${name} with a ${kind} key answered ${r.status} ${r.body}`);
          } else {
            assert.equal(r.status, 403, `${name} with a ${kind} key: ${r.body}`);
            assert.ok(!r.body.includes(k.key), "the key is not in the answer");
          }
        }
      }
      assert.deepEqual([...seen].sort(), ["admin", "learn", "predict", "public"], "every scope was covered");
    });
  }

  it("X-API-Key works as Bearer does; problem bodies never carry the key", async () => {
    const learn = s.table.find((r) => r.method === "POST" && r.path === "/v1/models/:name/learn")!;
    const ok = await hit(s, learn, { "x-api-key": keys.learn!.key }, false);
    assert.equal(ok.status, 404, ok.body); // let through: the model does not exist
    const r = await hit(s, learn, { "x-api-key": keys.predict!.key }, false);
    assert.equal(r.status, 403);
    const problem = JSON.parse(r.body);
    assert.equal(problem.code, "BROOK_FORBIDDEN");
    assert.equal(problem.key, keys.predict!.record.id, "the key's id names it");
    assert.ok(!r.body.includes(keys.predict!.key.slice(17)), "never its secret");
    const oip = s.table.find((r) => r.path === "/v2/models/:name/infer")!;
    const o = await hit(s, oip, {}, false);
    assert.equal(o.status, 401);
    assert.equal(o.headers["x-brook-error-code"], "BROOK_UNAUTHORIZED");
    assert.match(JSON.parse(o.body).error, /needs an API key/);
  });
});

describe("without API keys: protected mode", () => {
  let s: Running;
  let open: Running;
  before(async () => {
    s = await start({});
    open = await start({ insecure: "true" });
  });
  after(async () => {
    await s.brook.close();
    await open.brook.close();
  });

  it("loopback: every route, without a key (npm start + brook replay just work)", async () => {
    for (const route of s.table) {
      const r = await hit(s, route, {}, false);
      assert.ok(let_through(r), `${route.method} ${route.path} answered ${r.status} ${r.body}`);
    }
  });

  it("remote: public and predict routes only; learn and admin answer 403 saying how to configure keys", {
    skip: NO_REMOTE,
  }, async () => {
    for (const route of s.table) {
      const name = `${route.method} ${route.path}`;
      const r = await hit(s, route, {}, true);
      if (route.scope === "public" || route.scope === "predict") {
        assert.ok(let_through(r), `${name} answered ${r.status} ${r.body}`);
      } else {
        assert.equal(r.status, 403, `${name}: ${r.body}`);
        const body = JSON.parse(r.body);
        const message = route.errors === "oip" ? body.error : body.error;
        assert.match(message, /protected mode/);
        assert.match(message, /brook keys create/);
      }
    }
    // The original app's routes follow the same rules.
    const predict = await send(
      REMOTE!,
      s.port,
      "POST",
      "/predict",
      { "content-type": "application/json" },
      '{"x":{"a":1}}',
      REMOTE,
    );
    assert.equal(predict.status, 200, predict.body);
    const update = await send(
      REMOTE!,
      s.port,
      "PUT",
      "/update_model",
      { "content-type": "application/json" },
      '{"x":{"a":1},"y":true}',
      REMOTE,
    );
    assert.equal(update.status, 403);
  });

  it("--insecure: remote clients may do anything", { skip: NO_REMOTE }, async () => {
    for (const route of open.table) {
      const r = await hit(open, route, {}, true);
      assert.ok(let_through(r), `${route.method} ${route.path} answered ${r.status} ${r.body}`);
    }
  });
});

describe("the same check whoever serves the route", () => {
  const predict = generateKey(["predict"]);
  const learn = generateKey(["learn"]);
  let s: Running;
  before(async () => {
    s = await start({ apiKeys: JSON.stringify([predict.record, learn.record]), httpDispatch: "fastify" });
  });
  after(() => s.brook.close());

  it("hot routes on Fastify (--http-dispatch fastify), and HEAD requests", async () => {
    const hot = s.table.filter((r) => r.hot);
    assert.ok(hot.length >= 4);
    for (const route of hot) {
      const name = `${route.method} ${route.path}`;
      assert.equal((await hit(s, route, {}, false)).status, 401, name);
      const right = route.scope === "learn" ? learn : predict;
      const other = route.scope === "learn" ? predict : learn;
      assert.ok(let_through(await hit(s, route, { authorization: `Bearer ${right.key}` }, false)), name);
      assert.equal((await hit(s, route, { authorization: `Bearer ${other.key}` }, false)).status, 403, name);
    }
    assert.equal((await send("127.0.0.1", s.port, "HEAD", "/v1/models")).status, 401);
    assert.equal(
      (await send("127.0.0.1", s.port, "HEAD", "/v1/models", { "x-api-key": predict.key })).status,
      200,
    );
  });
});
