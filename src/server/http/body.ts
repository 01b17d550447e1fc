/** Reading request bodies, for both ways a route is served (the lean dispatcher and Fastify). */
import type { IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import { brookError } from "../../errors.js";

/** `application/json`, with or without parameters (`; charset=utf-8`), in any case. */
export function isJson(type: string | undefined): boolean {
  if (type === undefined || type.length < 16) return false;
  if (type.length > 16 && type[16] !== ";" && type[16] !== " ") return false;
  return type.slice(0, 16).toLowerCase() === "application/json";
}

export const tooLarge = () =>
  brookError("BODY_TOO_LARGE", "the request body is larger than the server accepts");

/** Whether the declared length is already over the limit (the body need not be read). */
export function declaredTooLarge(headers: IncomingHttpHeaders, limit: number): boolean {
  const declared = headers["content-length"];
  return declared !== undefined && Number(declared) > limit;
}

/**
 * Reads a body as UTF-8 text, refusing it once it grows past `limit` (what is sent after that
 * is drained, not kept). Callback style: one closure per request, no promise.
 */
export function readBody(
  stream: Readable,
  limit: number,
  done: (err: Error | null, text?: string) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  stream.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) {
      over = true;
      chunks.length = 0;
    } else if (!over) chunks.push(chunk);
  });
  stream.on("end", () => {
    if (over) return done(tooLarge());
    done(null, chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8"));
  });
  stream.on("error", (err) => done(err));
}
