/**
 * Server-sent events on a raw response: frames (`id:`, `event:`, `data:`), heartbeats (a
 * comment line, so that proxies and clients see the connection alive), and a bound on what a
 * slow client may leave unread (past it the stream ends; the client resumes with
 * Last-Event-ID and misses nothing that is still in the feed).
 */
import type { ServerResponse } from "node:http";

/** The headers of an event stream. */
export const SSE_HEADERS: Record<string, string> = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  connection: "keep-alive",
  // Tells nginx-like proxies not to buffer the stream.
  "x-accel-buffering": "no",
};

/** Bytes a client may leave unread before its stream is ended. */
const MAX_UNREAD = 4 * 1024 * 1024;

/** How long an EventSource waits before it reconnects (ms), sent once at the start. */
const RETRY_MS = 2000;

export class SseStream {
  private readonly heartbeat: NodeJS.Timeout;
  private ended = false;
  private readonly closers: (() => void)[] = [];

  constructor(
    private readonly res: ServerResponse,
    heartbeatMs: number,
  ) {
    res.write(`retry: ${RETRY_MS}\n\n`);
    this.heartbeat = setInterval(
      () => this.write(`: heartbeat ${new Date().toISOString()}\n\n`),
      heartbeatMs,
    );
    this.heartbeat.unref();
    res.once("close", () => this.closed());
  }

  /** Sends one event; `data` is written as one line of JSON. */
  send(event: string, id: string, data: unknown): void {
    this.write(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Runs `fn` when the stream ends, whoever ends it. */
  onClose(fn: () => void): void {
    if (this.ended) fn();
    else this.closers.push(fn);
  }

  end(): void {
    if (!this.ended) this.res.end();
    this.closed();
  }

  get isOpen(): boolean {
    return !this.ended;
  }

  private write(text: string): void {
    if (this.ended) return;
    if (this.res.writableLength > MAX_UNREAD) {
      this.end();
      return;
    }
    this.res.write(text);
  }

  private closed(): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.heartbeat);
    for (const fn of this.closers.splice(0)) fn();
  }
}
