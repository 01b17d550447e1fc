/** Reading request bodies, for both ways a route is served (the lean dispatcher and Fastify). */
import type { IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import { brookError, limitError } from "../../errors.js";

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

/** A body being read: its bytes so far, and when it started. */
interface Read {
  readonly started: number;
  /** Bytes kept (counted in the process's total until the read ends). */
  held: number;
  /** Ends the read with a refusal (too slow); the rest of the body is not read. */
  abort(err: Error): void;
}

/**
 * Every buffered request body this process is reading: each one bounded in size (`limit`,
 * refused once over it) and in time (`timeoutMs`: a body still unfinished then is refused with
 * a 408), and all of them together bounded in memory (`memory`: a chunk that would take the
 * total past it refuses its request with a 503 at once). Slow clients holding bodies open can
 * so neither keep a request forever nor take the process's memory. Refusals close the
 * connection (the rest of the body is not read).
 */
export class BodyReads {
  private heldBytes = 0;
  private readonly reads = new Set<Read>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    readonly limit: number,
    readonly memory: number,
    readonly timeoutMs: number,
  ) {}

  /** Bytes the unfinished bodies hold now. */
  get held(): number {
    return this.heldBytes;
  }

  /**
   * Reads a body as UTF-8 text, refusing it once it grows past the limit (what is sent after
   * that is drained, not kept), once it takes longer than the timeout, or when the process
   * holds too many body bytes already. Callback style: one closure per request, no promise.
   */
  read(stream: Readable, done: (err: Error | null, text?: string) => void): void {
    const chunks: Buffer[] = [];
    let over = false;
    let finished = false;
    const finish = (err: Error | null, text?: string) => {
      if (finished) return;
      finished = true;
      this.heldBytes -= read.held;
      read.held = 0;
      this.reads.delete(read);
      done(err, text);
    };
    const read: Read = {
      started: Date.now(),
      held: 0,
      abort: (err) => {
        chunks.length = 0;
        stream.pause();
        finish(err);
      },
    };
    this.reads.add(read);
    if (this.sweeper === undefined) {
      this.sweeper = setInterval(() => this.sweep(), Math.min(1000, Math.max(50, this.timeoutMs / 4)));
      this.sweeper.unref();
    }
    let size = 0;
    stream.on("data", (chunk: Buffer) => {
      if (finished) return;
      size += chunk.length;
      if (size > this.limit) {
        if (!over) {
          over = true;
          chunks.length = 0;
          this.heldBytes -= read.held;
          read.held = 0;
        }
        return;
      }
      if (this.heldBytes + chunk.length > this.memory) {
        read.abort(overloaded(this.memory));
        return;
      }
      chunks.push(chunk);
      read.held += chunk.length;
      this.heldBytes += chunk.length;
    });
    stream.on("end", () => {
      if (finished) return;
      if (over) return finish(tooLarge());
      finish(
        null,
        chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8"),
      );
    });
    stream.on("error", (err) => finish(err));
  }

  /** Refuses the bodies that took too long; stops once none is being read. */
  private sweep(): void {
    if (this.reads.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
      return;
    }
    const now = Date.now();
    for (const r of this.reads) {
      if (now - r.started > this.timeoutMs) r.abort(bodyTimeout(this.timeoutMs));
    }
  }

  /** Stops the sweeper (the server is closing). */
  close(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}

function overloaded(memory: number) {
  return limitError(
    "body-memory",
    memory,
    "the server holds as many unfinished request bodies as it allows: try again in a moment",
    {},
    "OVERLOADED",
  );
}

function bodyTimeout(ms: number) {
  return limitError(
    "body-timeout",
    ms / 1000,
    `the request body did not arrive within ${ms / 1000} s`,
    {},
    "REQUEST_TIMEOUT",
  );
}
