/**
 * Bulk learning from a stream of JSON lines (`POST /v1/models/{name}/learn` with
 * `Content-Type: application/x-ndjson`): in order, a bad line refused alone and named by its
 * number, a stream cut in the middle keeping exactly a prefix of its lines (and a resend with
 * the same event ids learning the rest once), and the reader's backpressure.
 */
import assert from "node:assert/strict";
import { request } from "node:http";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { featuresText } from "../../src/codec/events.js";
import { loadStream } from "../../src/data/datasets.js";
import { asSupervised, build } from "../../src/learn/index.js";
import { lineChunks } from "../../src/server/http/ndjson.js";
import { call, startTestServer, type TestServer } from "../helpers/server.js";
import { eventually } from "../helpers/wait.js";

const rows = loadStream("phishing").rows;
const SPEC = "StandardScaler | LogisticRegression";
const line = (i: number, eventId?: string) =>
  `{"x":${featuresText(rows[i % rows.length]!.x)},"y":${rows[i % rows.length]!.y}${eventId ? `,"event_id":"${eventId}"` : ""}}\n`;

/** POSTs a body made of `parts` (strings, sent as they come) as JSON lines; resolves with the answer. */
function postLines(url: string, path: string, parts: Iterable<string> | AsyncIterable<string>) {
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = request(
      url + path,
      { method: "POST", headers: { "content-type": "application/x-ndjson" } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => {
          text += d;
        });
        res.on("end", () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      },
    );
    req.on("error", reject);
    Readable.from(parts).pipe(req);
  });
}

/** The state a model has after learning `indices` of Phishing in order, with nothing else. */
function localState(indices: number[]): unknown {
  const m = asSupervised(build(SPEC));
  for (const i of indices) m.learnOne(rows[i % rows.length]!.x, rows[i % rows.length]!.y);
  return JSON.parse(JSON.stringify(m.toState()));
}

describe("a stream of examples (JSON lines)", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("learns every line in order, as one learn request per line would", async () => {
    await call(server.url, "PUT", "/v1/models/ordered", { spec: SPEC });
    const n = 3000;
    const r = await postLines(
      server.url,
      "/v1/models/ordered/learn",
      Array.from({ length: n }, (_, i) => line(i)),
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(
      {
        lines: r.body.lines,
        learned_now: r.body.learned_now,
        rejected: r.body.rejected,
        version: r.body.version,
      },
      { lines: n, learned_now: n, rejected: 0, version: n },
    );
    assert.equal(r.body.first_seq, 1);
    assert.equal(r.body.last_seq, n);
    assert.equal(r.body.last_line, n);
    const exp = await call(server.url, "GET", `/v1/models/ordered/export?min_version=${n}`);
    assert.deepEqual(exp.body.state, localState(Array.from({ length: n }, (_, i) => i)));
  });

  it("refuses a bad line alone, naming it, and learns the others in order", async () => {
    await call(server.url, "PUT", "/v1/models/picky", { spec: SPEC });
    const parts = [
      line(0),
      '{"x": {"https": "yes"}, "y": true}\n', // 2: a string for a numbers-only model
      line(2),
      "{not json\n", // 4
      "\n", // blank lines are skipped, not counted as lines
      line(4),
      `{"x": ${featuresText(rows[5]!.x)}, "y": 7}\n`, // 7: not a binary target
      `{"x": ${featuresText(rows[6]!.x)}, "y": true, "extra": 1}\n`, // 8: unknown field
      '{"id": "never-remembered", "y": true}\n', // 9: refused by the writer, not the reader
      line(9),
    ];
    const r = await postLines(server.url, "/v1/models/picky/learn", parts);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(
      r.body.errors.map((e: { line: number; code: string }) => [e.line, e.code]),
      [
        [2, "BROOK_INVALID_FEATURES"],
        [4, "BROOK_INVALID_JSON"],
        [7, "BROOK_INVALID_TARGET"],
        [8, "BROOK_INVALID_REQUEST"],
        [9, "BROOK_ID_NOT_FOUND"],
      ],
    );
    assert.equal(r.body.rejected, 5);
    assert.equal(r.body.learned_now, 4);
    assert.equal(r.body.lines, 9);
    const exp = await call(server.url, "GET", `/v1/models/picky/export?min_version=${r.body.version}`);
    assert.deepEqual(exp.body.state, localState([0, 2, 4, 9]));
  });

  it("a last line cut in the middle is refused and named; the lines before it stay learned", async () => {
    await call(server.url, "PUT", "/v1/models/cut", { spec: SPEC });
    const whole = line(0) + line(1) + line(2);
    const r = await postLines(server.url, "/v1/models/cut/learn", [whole + line(3).slice(0, 40)]);
    assert.equal(r.status, 200);
    assert.equal(r.body.learned_now, 3);
    assert.deepEqual(
      r.body.errors.map((e: { line: number }) => e.line),
      [4],
    );
  });

  it("a stream broken off keeps a prefix of its lines; a resend with the same event ids learns the rest once", async () => {
    await call(server.url, "PUT", "/v1/models/broken", { spec: SPEC });
    const n = 4000;
    const lines = Array.from({ length: n }, (_, i) => line(i, `e${i}`));
    // Send about half, then break the connection in the middle of a line.
    await new Promise<void>((resolve) => {
      const req = request(`${server.url}/v1/models/broken/learn`, {
        method: "POST",
        headers: { "content-type": "application/x-ndjson" },
      });
      req.on("error", () => resolve());
      req.write(lines.slice(0, 2000).join(""));
      req.write(lines[2000]!.slice(0, 30));
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 300);
    });
    // What was acknowledged is there: a prefix of the stream, in order, nothing else.
    const kept = await eventually(
      async () => {
        const d = (await call(server.url, "GET", "/v1/models/broken")).body;
        return d.version > 0 && d.version;
      },
      { what: "the first lines learned" },
    );
    const partial = await call(server.url, "GET", `/v1/models/broken/export?min_version=${kept}`);
    assert.ok(kept <= 2000);
    assert.deepEqual(
      partial.body.state,
      localState(Array.from({ length: partial.body.version }, (_, i) => i)),
    );
    // The whole stream again: the lines already learned are recognised by their event ids.
    const r = await postLines(server.url, "/v1/models/broken/learn", lines);
    assert.equal(r.status, 200);
    assert.equal(r.body.duplicates, partial.body.version);
    assert.equal(r.body.learned_now, n - partial.body.version);
    const exp = await call(server.url, "GET", `/v1/models/broken/export?min_version=${n}`);
    assert.deepEqual(exp.body.state, localState(Array.from({ length: n }, (_, i) => i)));
  });

  it("answers 404 for an unknown model and 415 for another media type, reading nothing", async () => {
    assert.equal((await postLines(server.url, "/v1/models/nope/learn", [line(0)])).status, 404);
    const r = await call(server.url, "POST", "/v1/models/default/learn", line(0), {
      "content-type": "text/csv",
    });
    assert.equal(r.status, 415);
    assert.match(r.body.error, /application\/x-ndjson/);
  });
});

describe("the JSON-lines reader", () => {
  /** A body from these chunks (as the network might cut it). */
  const body = (chunks: string[]) =>
    Readable.from(
      chunks.map((c) => Buffer.from(c)),
      { objectMode: false },
    );
  async function read(chunks: string[], maxLine = 1000) {
    const out: unknown[] = [];
    for await (const group of lineChunks(body(chunks), maxLine)) out.push(...group);
    return out;
  }

  it("numbers lines across chunk boundaries, CRLF and a character split between chunks", async () => {
    const euro = Buffer.from("€");
    // Send the euro sign's bytes split over two chunks, as raw bytes.
    const raw = Readable.from([
      Buffer.from('{"a":1}\r\n{"b":'),
      Buffer.from('2}\n\n{"c":"'),
      euro.subarray(0, 1),
      Buffer.concat([euro.subarray(1), Buffer.from('"}')]),
    ]);
    const out: unknown[] = [];
    for await (const g of lineChunks(raw, 1000)) out.push(...g);
    assert.deepEqual(out, [
      { n: 1, text: '{"a":1}\r' },
      { n: 2, text: '{"b":2}' },
      { n: 4, text: '{"c":"€"}' },
    ]);
  });

  it("reports a line over the limit without keeping it, and goes on", async () => {
    const out = await read([`{"a":"${"x".repeat(50)}`, `${"y".repeat(50)}"}\n{"b":1}\n`], 40);
    assert.deepEqual(out, [
      { n: 1, tooLong: true },
      { n: 2, text: '{"b":1}' },
    ]);
  });

  it("reads no further while the consumer works: backpressure", async () => {
    let produced = 0;
    const source = new Readable({
      highWaterMark: 1024,
      read() {
        produced++;
        this.push(`${'{"x":1}\n'.repeat(64)}`);
      },
    });
    const it = lineChunks(source, 1000)[Symbol.asyncIterator]();
    await it.next();
    await new Promise((r) => setTimeout(r, 50));
    const whileBusy = produced;
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(produced, whileBusy, "nothing more was produced while the consumer held the first chunk");
    assert.ok(produced < 10, `produced ${produced} chunks ahead`);
    await it.return?.(undefined);
    source.destroy();
  });
});
