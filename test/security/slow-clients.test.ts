/**
 * Slow clients, with real sockets: headers or bodies that trickle get a 408 problem and a
 * closed connection once `--body-timeout` has passed (for the lean dispatcher's routes and
 * Fastify's alike), unfinished bodies together never hold more than `--body-memory` (a request
 * that would take them past it gets a 503 at once), connections past `--max-connections` are
 * closed, and a stream of examples (JSON lines) is not cut by the body timeout. Every refusal is
 * counted in `brook_requests_refused_total{reason}`.
 *
 * Waits are conditions with deadlines (`eventually`), never fixed sleeps; what it cannot see is
 * the memory the process saves (the soak script measures RSS).
 */
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { sampleOr0, scrape } from "../helpers/prometheus.js";
import { call, startTestServer, type TestServer } from "../helpers/server.js";
import { eventually } from "../helpers/wait.js";

/** A raw connection that keeps what the server sent and whether it closed. */
interface Raw {
  socket: Socket;
  received(): string;
  closed(): boolean;
}

function open(url: string): Promise<Raw> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    let data = "";
    let ended = false;
    const socket = connect(Number(port), hostname, () =>
      resolve({ socket, received: () => data, closed: () => ended }),
    );
    socket.setEncoding("utf8");
    socket.on("data", (d: string) => {
      data += d;
    });
    socket.on("close", () => {
      ended = true;
    });
    socket.on("error", () => {
      ended = true;
    });
    socket.once("error", reject);
  });
}

function head(method: string, path: string, length: number, type = "application/json"): string {
  return `${method} ${path} HTTP/1.1\r\nhost: test\r\ncontent-type: ${type}\r\ncontent-length: ${length}\r\n\r\n`;
}

/** The problem body of a raw HTTP answer. */
function problemOf(raw: string): { code: string; status: number } {
  return JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4));
}

async function refused(url: string, reason: string): Promise<number> {
  return sampleOr0((await scrape(url)).families, "brook_requests_refused_total", { reason });
}

describe("slow clients: bodies and headers that trickle", () => {
  let brook: TestServer;
  before(async () => {
    brook = await startTestServer({ bodyTimeout: 1 });
  });
  after(() => brook.close());

  for (const [what, method, path] of [
    ["the lean dispatcher (learn)", "POST", "/v1/models/default/learn"],
    ["Fastify (create a model)", "PUT", "/v1/models/slow"],
  ] as const) {
    it(`${what}: a body still unfinished after --body-timeout gets a 408 problem and is closed`, async () => {
      const count = await refused(brook.url, "body-timeout");
      const clients = await Promise.all(Array.from({ length: 10 }, () => open(brook.url)));
      for (const c of clients) c.socket.write(`${head(method, path, 1000)}{"x": {`);
      // Keep trickling a byte now and then, as a slow client would, until the server answers.
      const trickle = setInterval(() => {
        for (const c of clients) if (!c.closed()) c.socket.write(" ");
      }, 100);
      try {
        await eventually(() => clients.every((c) => c.closed()), { timeoutMs: 20_000, what: "all closed" });
      } finally {
        clearInterval(trickle);
      }
      for (const c of clients) {
        assert.match(c.received(), /^HTTP\/1.1 408 /, c.received());
        assert.match(c.received(), /content-type: application\/problem\+json/i);
        assert.equal(problemOf(c.received()).code, "BROOK_REQUEST_TIMEOUT");
      }
      assert.equal(await refused(brook.url, "body-timeout"), count + 10);
      assert.equal((await call(brook.url, "GET", "/v1/models/slow")).status, 404, "nothing was created");
    });
  }

  it("headers still unfinished after --body-timeout get a 408 problem and are closed", async () => {
    const count = await refused(brook.url, "body-timeout");
    const c = await open(brook.url);
    c.socket.write("POST /v1/models/default/learn HTTP/1.1\r\nhost: test\r\n");
    await eventually(() => c.closed(), { timeoutMs: 20_000, what: "closed" });
    assert.match(c.received(), /^HTTP\/1.1 408 /, c.received());
    assert.equal(problemOf(c.received()).code, "BROOK_REQUEST_TIMEOUT");
    assert.equal(await refused(brook.url, "body-timeout"), count + 1);
  });

  it("a stream of examples that lasts longer than --body-timeout is not cut", async () => {
    const c = await open(brook.url);
    const path = "/v1/models/default/learn";
    c.socket.write(
      `POST ${path} HTTP/1.1\r\nhost: test\r\ncontent-type: application/x-ndjson\r\ntransfer-encoding: chunked\r\n\r\n`,
    );
    const chunk = (s: string) => c.socket.write(`${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`);
    // One line now and then, until the stream has lasted three body timeouts.
    const started = Date.now();
    let sent = 0;
    await eventually(
      () => {
        chunk(`${JSON.stringify({ x: { a: sent }, y: sent % 2 === 0 })}\n`);
        sent++;
        return Date.now() - started > 3000;
      },
      { timeoutMs: 20_000, intervalMs: 200, what: "three seconds of lines" },
    );
    c.socket.write("0\r\n\r\n");
    await eventually(() => c.received().includes("\r\n\r\n{") && c.received().trimEnd().endsWith("}"), {
      what: "the answer",
    });
    assert.match(c.received(), /^HTTP\/1.1 200 /, c.received());
    const answer = JSON.parse(c.received().slice(c.received().indexOf("\r\n\r\n") + 4));
    assert.equal(answer.learned_now, sent, c.received());
    c.socket.destroy();
  });
});

/** These limits are per HTTP process: with several workers, connections are spread over them. */
const perProcess = {
  skip:
    Number(process.env.BROOK_TEST_WORKERS ?? 1) > 1 && "per-process limits: connections spread over workers",
};

describe("slow clients: the bytes unfinished bodies hold, and connections", () => {
  let brook: TestServer;
  before(async () => {
    brook = await startTestServer({ bodyMemory: 64 * 1024, bodyTimeout: 30, maxConnections: 40 });
  });
  after(() => brook.close());

  it(
    "bodies that would hold more than --body-memory together: 503 at once; the others go on",
    perProcess,
    async () => {
      const count = await refused(brook.url, "body-memory");
      const clients = await Promise.all(Array.from({ length: 12 }, () => open(brook.url)));
      // Each sends 10 KiB of a 100 KiB body and stops: 12 of them would hold 120 KiB.
      const part = `{"x": {"a": 1}, "y": true, "pad": "${"p".repeat(10 * 1024)}`;
      for (const c of clients) {
        await new Promise((r) =>
          c.socket.write(head("POST", "/v1/models/default/learn", 100 * 1024) + part, r),
        );
      }
      // 64 KiB holds at most six of the 10 KiB parts: at least six requests are refused.
      await eventually(() => clients.filter((c) => c.closed()).length >= 6, {
        timeoutMs: 20_000,
        what: "the bodies past the limit refused",
      });
      const refusedClients = clients.filter((c) => c.closed());
      for (const c of refusedClients) {
        assert.match(c.received(), /^HTTP\/1.1 503 /, c.received());
        assert.equal(problemOf(c.received()).code, "BROOK_OVERLOADED");
      }
      const waiting = clients.filter((c) => !c.closed());
      assert.ok(waiting.length >= 1 && waiting.length <= 6, `${waiting.length} bodies still being read`);
      for (const c of waiting) assert.equal(c.received(), "", "a body being read is not answered yet");
      assert.equal(await refused(brook.url, "body-memory"), count + refusedClients.length);
      // The held bodies are still waited for, and small requests are served meanwhile.
      const small = await call(brook.url, "POST", "/v1/models/default/predict", { x: { a: 1 } });
      assert.equal(small.status, 200, small.text);
      for (const c of clients) c.socket.destroy();
      // Once they went away, what they held is free again: full-size bodies are read.
      await eventually(
        async () => {
          const res = await call(brook.url, "POST", "/v1/models/default/learn", {
            x: { a: 1 },
            y: true,
            pad: "q".repeat(60 * 1024),
          });
          // The learn schema refuses the unknown field: the body was read whole to know it.
          return res.status === 400 && res.body.code === "BROOK_INVALID_REQUEST";
        },
        { what: "a 60 KiB body read" },
      );
    },
  );

  it("connections past --max-connections are closed at once, and counted", perProcess, async () => {
    const count = await refused(brook.url, "max-connections");
    const held = await Promise.all(Array.from({ length: 40 }, () => open(brook.url)));
    // The server may see the new connections a little after the client does.
    await eventually(
      async () => {
        const extra = await open(brook.url);
        try {
          await eventually(() => extra.closed(), { timeoutMs: 2000, what: "the extra one closed" });
          return extra.received() === "";
        } finally {
          extra.socket.destroy();
        }
      },
      { timeoutMs: 20_000, what: "a connection past the limit refused" },
    );
    for (const c of held) c.socket.destroy();
    // Once the server saw them go, it answers again (the scrape is a connection too).
    const now = await eventually(() => refused(brook.url, "max-connections"), { what: "a scrape" });
    assert.ok(now > count, `${now} refusals counted`);
    // Below the limit again, requests are served.
    await eventually(async () => (await call(brook.url, "GET", "/healthz")).status === 200);
  });

  it("headers larger than node accepts: 431 problem, counted", async () => {
    const count = await refused(brook.url, "headers-too-large");
    const c = await open(brook.url);
    c.socket.write(`GET /healthz HTTP/1.1\r\nhost: test\r\nx-big: ${"h".repeat(20_000)}\r\n\r\n`);
    await eventually(() => c.closed(), { what: "closed" });
    assert.match(c.received(), /^HTTP\/1.1 431 /);
    assert.equal(problemOf(c.received()).code, "BROOK_HEADERS_TOO_LARGE");
    assert.equal(await refused(brook.url, "headers-too-large"), count + 1);
  });
});
