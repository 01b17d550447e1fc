/**
 * A route that answers with a stream of its own, served by the lean dispatcher (the Fastify
 * side is covered by the live routes): the pipeline writes the head with the process's
 * headers, hands the response over, counts lasting streams against --max-streams, and ends
 * open streams when the server closes.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, describe, it } from "node:test";
import { loadConfig } from "../../src/config/config.js";
import { BodyReads } from "../../src/server/http/body.js";
import { Dispatcher } from "../../src/server/http/dispatcher.js";
import { Pipeline } from "../../src/server/http/pipeline.js";
import { route } from "../../src/server/routes/route.js";

describe("stream answers on the lean dispatcher", () => {
  let server: Server;
  let url: string;
  let pipeline: Pipeline;
  before(async () => {
    const config = loadConfig({ maxStreams: 1, logLevel: "silent" }, {});
    pipeline = new Pipeline(config, undefined, { "x-brook-worker": "7" });
    const routes = [
      route({
        method: "GET",
        path: "/once/:word",
        summary: "writes its word and ends",
        tag: "test",
        scope: "public",
        hot: true,
        handle: ({ params, query }) => ({
          headers: { "content-type": "text/plain" },
          lasting: false,
          stream: (res) => res.end(`${params.word} ${query.n ?? "-"}`),
        }),
      }),
      route({
        method: "GET",
        path: "/forever",
        summary: "stays open",
        tag: "test",
        scope: "public",
        hot: true,
        handle: async () => ({
          headers: { "content-type": "text/event-stream" },
          lasting: true,
          stream: (res) => res.write(": open\n\n"),
        }),
      }),
    ].map((r) => pipeline.prepare(r as never));
    const bodies = new BodyReads(config.bodyLimit, config.bodyMemory, config.bodyTimeout * 1000);
    const dispatcher = new Dispatcher(routes, pipeline, bodies);
    server = createServer((req, res) => {
      if (!dispatcher.handle(req, res)) res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it("hands the response to the route after writing the head with the process's headers", async () => {
    const r = await fetch(`${url}/once/hello?n=3`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("x-brook-worker"), "7");
    assert.equal(await r.text(), "hello 3");
  });

  it("counts lasting streams against --max-streams, frees them when they close, ends them at close", async () => {
    const ctl = new AbortController();
    const first = await fetch(`${url}/forever`, { signal: ctl.signal });
    assert.equal(first.status, 200);
    const refused = await fetch(`${url}/forever`);
    assert.equal(refused.status, 503);
    assert.equal(((await refused.json()) as { code: string }).code, "BROOK_TOO_MANY_STREAMS");
    // Non-lasting answers are not counted.
    assert.equal((await fetch(`${url}/once/still`)).status, 200);
    ctl.abort();
    const deadline = Date.now() + 5000;
    let again: Response;
    for (;;) {
      again = await fetch(`${url}/forever`);
      if (again.status === 200 || Date.now() > deadline) break;
      await again.text();
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(again.status, 200, "admitted once the first one closed");
    const text = again.text();
    pipeline.close();
    assert.equal(await text, ": open\n\n", "closing the pipeline ended the open stream");
  });
});
