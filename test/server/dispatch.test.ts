/**
 * One definition per route, whoever serves it: the hot routes answer byte for byte the same
 * from the lean dispatcher (the default) and from Fastify (`--http-dispatch fastify`), for
 * good requests and for every kind of bad one.
 */
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { loadStream } from "../../src/data/datasets.js";
import { call, startTestServer, type TestServer } from "../helpers/server.js";

const rows = loadStream("phishing").rows.slice(0, 30);
const obj = (x: ReadonlyMap<string, unknown>) => Object.fromEntries(x);
const X = obj(rows[0]!.x);

type Req = [
  method: string,
  path: string,
  body: string | object | undefined,
  headers?: Record<string, string>,
];

const requests: Req[] = [
  ["POST", "/predict", { x: X }],
  ["POST", "/predict", { x: X }, { accept: "application/json" }],
  ["PUT", "/update_model", { x: X, y: 1 }],
  ["PUT", "/update_model", { x: X, y: true }, { accept: "application/json" }],
  ["POST", "/v1/models/default/learn", { x: X, y: true, event_id: "e1" }],
  ["POST", "/v1/models/default/learn", { x: X, y: true, event_id: "e1" }],
  ["POST", "/v1/models/default/learn", { instances: rows.map((r) => ({ x: obj(r.x), y: r.y })) }],
  ["POST", "/v1/models/default/predict", { x: X }],
  ["POST", "/v1/models/default/predict", { instances: [X, X], remember: false }],
  ["POST", "/v1/models/default/predict", '{"x": {"b": 1, "10": 2}}'],
  ["POST", "/v1/models/default/predict?debug=1", { x: X }],
  // Bad requests of every kind.
  ["POST", "/v1/models/default/predict", '{"x": '],
  ["POST", "/v1/models/default/predict", ""],
  ["POST", "/v1/models/default/predict", "[1]"],
  ["POST", "/v1/models/default/predict", "x=1", { "content-type": "text/plain" }],
  ["POST", "/v1/models/default/predict", { x: X, nope: 1 }],
  ["POST", "/v1/models/default/predict", { x: { https: "yes" } }],
  ["POST", "/v1/models/default/predict", { x: X, min_version: -1 }],
  ["POST", "/v1/models/default/predict", { x: X, instances: [X] }],
  ["POST", "/v1/models/default/predict", { instances: [] }],
  ["POST", "/v1/models/default/predict", `{"x": ${"[".repeat(300)}${"]".repeat(300)}}`],
  ["POST", "/v1/models/default/learn", { x: X }],
  ["POST", "/v1/models/default/learn", { x: X, y: "maybe" }],
  ["POST", "/v1/models/default/learn", { id: "never-remembered", y: true }],
  [
    "POST",
    "/v1/models/default/learn",
    {
      instances: [
        { x: X, y: true },
        { x: X, y: 2 },
      ],
    },
  ],
  ["POST", "/v1/models/nope/learn", { x: X, y: true }],
  ["POST", "/v1/models/nope/predict", { x: X }],
  ["POST", "/v1/models/%E0%A4%A/predict", { x: X }],
  ["PUT", "/update_model", { x: X }],
  ["POST", "/predict", { y: 1 }],
];

async function answers(server: TestServer): Promise<string[]> {
  const out: string[] = [];
  for (const [method, path, body, headers] of requests) {
    const r = await call(server.url, method, path, body, headers);
    out.push(`${method} ${path} → ${r.status} ${r.type} ${r.text}`);
  }
  return out;
}

describe("the lean dispatcher and Fastify answer the same", () => {
  let lean: TestServer;
  let fastify: TestServer;
  before(async () => {
    lean = await startTestServer();
    fastify = await startTestServer({ httpDispatch: "fastify" });
  });
  after(async () => {
    await lean.close();
    await fastify.close();
  });

  it("status, content type and body, request by request", async () => {
    const a = await answers(lean);
    const b = await answers(fastify);
    for (const [i, line] of a.entries()) assert.equal(b[i], line);
    // And the requests did what they say (not two servers failing alike).
    assert.match(a[0]!, /→ 200 text\/plain; charset=utf-8 False$/);
    assert.match(a[5]!, /"duplicate":true/);
    assert.match(a[11]!, /→ 400 application\/problem\+json.*BROOK_INVALID_JSON/);
    assert.match(a[14]!, /→ 415 /);
    assert.match(a[20]!, /nested deeper than/);
  });
});

/** Sends raw bytes and reads the whole answer (the server closes the connection). */
function raw(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    let out = "";
    socket.on("data", (d) => {
      out += d;
    });
    socket.on("end", () => resolve(out));
    socket.on("error", reject);
    socket.setTimeout(5000, () => reject(new Error("no answer")));
  });
}

describe("what node:http refuses itself is a problem too", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("headers too large: 431 with a problem body", async () => {
    const answer = await raw(
      server.url,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
    );
    assert.match(answer, /^HTTP\/1.1 431 /);
    assert.match(answer, /application\/problem\+json/);
    assert.match(answer, /"code":"BROOK_HEADERS_TOO_LARGE"/);
  });

  it("not HTTP at all: 400 with a problem body", async () => {
    const answer = await raw(server.url, "HELLO THERE\r\n\r\n");
    assert.match(answer, /^HTTP\/1.1 400 /);
    assert.match(answer, /"code":"BROOK_INVALID_REQUEST"/);
  });
});
