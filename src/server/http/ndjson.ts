/**
 * Reading a body of JSON lines (`application/x-ndjson`) as it arrives, a chunk at a time, with
 * the stream's own backpressure: nothing more is read while the caller works on what it got, so
 * memory is bounded by one chunk and one line, whatever the stream's length.
 */
import type { Readable } from "node:stream";

/** A line of the body: its number (1-based, counting every line) and its text, or why it was skipped. */
export type Line = { n: number; text: string } | { n: number; tooLong: true };

/**
 * The body's non-empty lines, grouped by the chunk they completed in (so the caller can act
 * once per chunk). A line longer than `maxLine` bytes is reported, not kept. The last line
 * needs no newline; a body cut in the middle of a line gives that partial line, which then
 * fails to parse and is reported by the caller.
 */
export async function* lineChunks(body: Readable, maxLine: number): AsyncGenerator<Line[]> {
  let partial = "";
  let skipping = false; // inside a line that is already too long
  let n = 0;
  // Decoded as a stream, so a character split between two chunks stays whole.
  body.setEncoding("utf8");
  for await (const chunk of body) {
    const text = typeof chunk === "string" ? chunk : (chunk as Buffer).toString("utf8");
    const out: Line[] = [];
    let start = 0;
    for (;;) {
      const nl = text.indexOf("\n", start);
      if (nl < 0) break;
      const piece = text.slice(start, nl);
      start = nl + 1;
      n++;
      if (skipping) {
        skipping = false;
        out.push({ n, tooLong: true });
        partial = "";
        continue;
      }
      const line = partial === "" ? piece : partial + piece;
      partial = "";
      if (line.length > maxLine) out.push({ n, tooLong: true });
      else if (line.trim() !== "") out.push({ n, text: line });
    }
    if (!skipping) {
      partial += text.slice(start);
      if (partial.length > maxLine) {
        skipping = true;
        partial = "";
      }
    }
    if (out.length > 0) yield out;
  }
  if (skipping) yield [{ n: n + 1, tooLong: true }];
  else if (partial.trim() !== "") yield [{ n: n + 1, text: partial }];
}
