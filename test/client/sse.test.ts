import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { describe, it } from "node:test";
import {
  BrookApiError,
  BrookClient,
  type BrookEvent,
  type SseMessage,
  SseParser,
} from "../../src/client/index.js";

/** Every message a parser yields for `chunks`. */
function parse(chunks: string[]): SseMessage[] {
  const out: SseMessage[] = [];
  const parser = new SseParser((m) => out.push(m));
  for (const c of chunks) parser.feed(c);
  parser.end();
  return out;
}

const STREAM =
  "\uFEFF: hello\r\n" +
  "retry: 5\n" +
  'id: 1\nevent: learned\ndata: {"version": 1}\n\n' +
  ":heartbeat\n\n" +
  "id: 2\r\ndata: first line\r\ndata:second line\r\n\r\n" +
  "data: no id of its own\r\rid\ndata: id reset\n\n" +
  "event: partial\ndata: never finished";

describe("SseParser", () => {
  const expected: SseMessage[] = [
    { id: "1", event: "learned", data: '{"version": 1}' },
    { id: "2", event: "message", data: "first line\nsecond line" },
    { id: "2", event: "message", data: "no id of its own" },
    { id: "", event: "message", data: "id reset" },
  ];

  it("reads ids, event names, multi-line data and every line ending; skips comments and an unfinished event", () => {
    assert.deepEqual(parse([STREAM]), expected);
  });

  it("gives the same events whatever the chunks, even a CR and its LF apart", () => {
    for (let i = 0; i <= STREAM.length; i++) {
      assert.deepEqual(parse([STREAM.slice(0, i), STREAM.slice(i)]), expected, `split at ${i}`);
    }
    assert.deepEqual(parse([...STREAM]), expected, "one character at a time");
  });

  it("reports retry: and starts from a given last id", () => {
    const retries: number[] = [];
    const out: SseMessage[] = [];
    const p = new SseParser(
      (m) => out.push(m),
      (ms) => retries.push(ms),
      "41",
    );
    p.feed("retry: 250\nretry: soon\ndata: x\n\n");
    assert.deepEqual(retries, [250]);
    assert.deepEqual(out, [{ id: "41", event: "message", data: "x" }]);
    assert.equal(p.lastEventId, "41");
  });
});

/**
 * A local event stream: events 1..total, `perConnection` per connection, each connection ended
 * by the server (as a restart or a proxy would), resuming after the client's Last-Event-ID.
 */
async function eventServer(total: number, perConnection: number) {
  const seen: { url: string; lastEventId: string | undefined }[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const lastEventId = req.headers["last-event-id"] as string | undefined;
    seen.push({ url: req.url!, lastEventId });
    if (req.url!.startsWith("/v1/models/nope/")) {
      res.writeHead(404, { "content-type": "application/problem+json" });
      res.end(
        JSON.stringify({
          error: 'there is no model called "nope"',
          code: "BROOK_MODEL_NOT_FOUND",
          status: 404,
        }),
      );
      return;
    }
    const from = lastEventId === undefined ? 1 : Number(lastEventId) + 1;
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    // A short retry keeps the test fast; a heartbeat comes before anything.
    res.write("retry: 10\n: heartbeat\n\n");
    const to = Math.min(total, from + perConnection - 1);
    let text = "";
    for (let id = from; id <= to; id++) {
      text += `id: ${id}\nevent: learned\ndata: ${JSON.stringify({ version: id, model: "m" })}\n\n`;
    }
    // In two writes split mid-line: the client must put them back together.
    const cut = Math.floor(text.length / 2);
    res.write(text.slice(0, cut));
    setTimeout(() => {
      res.write(text.slice(cut));
      // Past the last event the stream stays open with heartbeats, as a live one does.
      if (to < total) res.end();
    }, 5);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Resolves once `check()` holds, or fails after `ms`. */
async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail("timed out waiting");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("BrookClient.stream and events", () => {
  it("delivers every event once, in order, across reconnections with Last-Event-ID", async () => {
    const server = await eventServer(10, 3);
    try {
      const got: BrookEvent<{ version: number }>[] = [];
      let opened = 0;
      const sub = new BrookClient(server.url).stream<{ version: number }>("m", (e) => got.push(e), {
        onOpen: () => opened++,
      });
      await until(() => got.length === 10);
      assert.deepEqual(
        got.map((e) => [e.id, e.event, e.data.version]),
        Array.from({ length: 10 }, (_, i) => [String(i + 1), "learned", i + 1]),
      );
      assert.equal(sub.lastEventId, "10");
      sub.close();
      await sub.done;
      assert.equal(opened, 4);
      assert.deepEqual(
        server.seen.map((s) => s.lastEventId),
        [undefined, "3", "6", "9"],
      );
      assert.ok(server.seen.every((s) => s.url === "/v1/models/m/stream"));
    } finally {
      await server.close();
    }
  });

  it("resumes from a given id, and follows the server-wide stream with query parameters", async () => {
    const server = await eventServer(5, 10);
    try {
      const got: string[] = [];
      const sub = new BrookClient(server.url).events((e) => got.push(e.id!), {
        lastEventId: "2",
        query: { models: "a,b" },
      });
      await until(() => got.length === 3);
      sub.close();
      await sub.done;
      assert.deepEqual(got, ["3", "4", "5"]);
      assert.deepEqual(server.seen[0], { url: "/v1/events?models=a%2Cb", lastEventId: "2" });
    } finally {
      await server.close();
    }
  });

  it("gives up on a refusal with the server's problem, and retries when nothing answers", async () => {
    const server = await eventServer(1, 1);
    try {
      const errors: [unknown, boolean][] = [];
      const sub = new BrookClient(server.url).stream("nope", () => {}, {
        onError: (err, willRetry) => errors.push([err, willRetry]),
      });
      const err = await sub.done.then(
        () => assert.fail("a 404 ends the subscription"),
        (e: unknown) => e,
      );
      assert.ok(err instanceof BrookApiError);
      assert.equal(err.code, "BROOK_MODEL_NOT_FOUND");
      assert.deepEqual(errors, [[err, false]]);
      assert.equal(server.seen.length, 1);
    } finally {
      await server.close();
    }

    // A port nobody listens on: each failure is reported as retried until close().
    const idle = createServer();
    await new Promise<void>((r) => idle.listen(0, "127.0.0.1", r));
    const { port } = idle.address() as { port: number };
    await new Promise<void>((r) => idle.close(() => r()));
    const failures: boolean[] = [];
    const sub = new BrookClient(`http://127.0.0.1:${port}`).stream("m", () => {}, {
      retryMs: 5,
      onError: (_e, willRetry) => failures.push(willRetry),
    });
    await until(() => failures.length >= 2);
    sub.close();
    await sub.done;
    assert.ok(failures.every((w) => w));
  });
});
