/**
 * Server-sent events: an incremental parser of `text/event-stream` (the WHATWG rules: `id:`,
 * `event:`, `data:` and `retry:` fields, `:` comments such as heartbeats, any line ending) and a
 * subscription that reconnects with `Last-Event-ID`, so a dropped connection loses no event the
 * server still has.
 */
import { BrookApiError, connectionError } from "./errors.js";

/** One event as parsed: its data is the text of its `data:` lines joined by newlines. */
export interface SseMessage {
  /** The last `id:` seen on the stream (ids carry over to later events, as the standard says). */
  id: string | undefined;
  /** `event:`, or "message" when the event named none. */
  event: string;
  data: string;
}

/**
 * Parses a stream of text chunks into events. Feed it chunks as they come (split anywhere,
 * even between a CR and its LF); it calls `onMessage` once per complete event.
 */
export class SseParser {
  private buffer = "";
  private data: string[] = [];
  private eventType = "";
  private lastId: string | undefined;
  private sawCr = false;
  private started = false;

  constructor(
    private readonly onMessage: (message: SseMessage) => void,
    /** Called with the reconnection delay a `retry:` field asks for (ms). */
    private readonly onRetry: (ms: number) => void = () => {},
    lastEventId?: string,
  ) {
    this.lastId = lastEventId;
  }

  /** The last event id seen (or given at the start). */
  get lastEventId(): string | undefined {
    return this.lastId;
  }

  feed(chunk: string): void {
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    // A CR that ended the previous chunk ended its line; an LF right after it is the same end.
    if (this.sawCr && text.startsWith("\n")) text = text.slice(1);
    this.sawCr = false;
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.line(this.buffer + text.slice(start, i));
      this.buffer = "";
      if (c === 13) {
        if (i + 1 === text.length) this.sawCr = true;
        else if (text.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    this.buffer += text.slice(start);
  }

  /** The stream ended: an event not followed by a blank line is dropped, as the standard says. */
  end(): void {
    this.buffer = "";
    this.data = [];
    this.eventType = "";
    this.sawCr = false;
  }

  private line(line: string): void {
    if (line === "") {
      this.dispatch();
      return;
    }
    if (line.startsWith(":")) return; // a comment: heartbeats keep the connection open
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "data":
        this.data.push(value);
        break;
      case "event":
        this.eventType = value;
        break;
      case "id":
        if (!value.includes("\0")) this.lastId = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.onRetry(Number(value));
        break;
      // Any other field is ignored.
    }
  }

  private dispatch(): void {
    const event = this.eventType || "message";
    this.eventType = "";
    if (this.data.length === 0) return;
    const data = this.data.join("\n");
    this.data = [];
    this.onMessage({ id: this.lastId, event, data });
  }
}

/** An event of a Brook stream: its data parsed as JSON (the raw text if it is not JSON). */
export interface BrookEvent<T = unknown> {
  id: string | undefined;
  event: string;
  data: T;
}

/** Options of a subscription. */
export interface SubscribeOptions {
  /** Resume after this event id (sent as `Last-Event-ID` on the first connection). */
  lastEventId?: string;
  /** Reconnect when the connection ends or fails (default true). */
  reconnect?: boolean;
  /** First delay before reconnecting (ms, default 1000; a `retry:` field from the server replaces it). */
  retryMs?: number;
  /** Longest delay between attempts while the server stays away (ms, default 30000). */
  maxRetryMs?: number;
  /** Stops the subscription, like {@link Subscription.close}. */
  signal?: AbortSignal;
  /** Called each time a connection is open (after a reconnection too). */
  onOpen?: () => void;
  /**
   * Called with each failure: `willRetry` says whether the subscription tries again. When it
   * gives up, `done` rejects with the same error.
   */
  onError?: (err: unknown, willRetry: boolean) => void;
  /** Extra query parameters of the stream's URL. */
  query?: Record<string, string>;
}

/** A running subscription. */
export interface Subscription {
  /** Stops it; `done` then resolves. */
  close(): void;
  /** The id of the last event received: where a new subscription would resume. */
  readonly lastEventId: string | undefined;
  /** Resolves when closed; rejects when it gave up (a 4xx answer, or a failure without `reconnect`). */
  readonly done: Promise<void>;
}

/** What a subscription needs from the client. */
export interface SseTransport {
  base: string;
  headers: Record<string, string>;
  fetch: typeof fetch;
}

/** Subscribes to the event stream at `path`: see {@link BrookClient.stream}. */
export function subscribe<T>(
  transport: SseTransport,
  path: string,
  onEvent: (event: BrookEvent<T>) => void,
  options: SubscribeOptions = {},
): Subscription {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  if (options.signal?.aborted) stop();
  options.signal?.addEventListener("abort", stop, { once: true });
  const reconnect = options.reconnect ?? true;
  const maxRetryMs = options.maxRetryMs ?? 30_000;
  let retryMs = options.retryMs ?? 1000;
  let lastEventId = options.lastEventId;
  const query = options.query ? `?${new URLSearchParams(options.query)}` : "";
  const url = transport.base + path + query;

  const connect = async (): Promise<void> => {
    const headers: Record<string, string> = {
      ...transport.headers,
      accept: "text/event-stream",
      "cache-control": "no-cache",
    };
    if (lastEventId !== undefined) headers["last-event-id"] = lastEventId;
    let res: Response;
    try {
      res = await transport.fetch(url, { headers, signal: controller.signal });
    } catch (err) {
      throw controller.signal.aborted ? err : connectionError(err, transport.base);
    }
    if (!res.ok) throw await BrookApiError.from(res);
    const type = res.headers.get("content-type") ?? "";
    if (!type.startsWith("text/event-stream") || !res.body) {
      await res.body?.cancel();
      throw new BrookApiError(
        `${url} answered ${type || "no content type"}, not an event stream`,
        res.status,
        "HTTP_NOT_EVENT_STREAM",
      );
    }
    options.onOpen?.();
    const parser = new SseParser(
      (m) => {
        lastEventId = m.id;
        onEvent({ id: m.id, event: m.event, data: parseData(m.data) as T });
      },
      (ms) => {
        retryMs = ms;
      },
      lastEventId,
    );
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        parser.feed(decoder.decode(chunk, { stream: true }));
      }
      parser.feed(decoder.decode());
    } catch (err) {
      if (controller.signal.aborted) throw err;
      throw connectionError(err, transport.base);
    } finally {
      parser.end();
    }
  };

  const run = async (): Promise<void> => {
    let failures = 0;
    while (!controller.signal.aborted) {
      const idBefore = lastEventId;
      try {
        await connect();
        // The server ended the stream: reconnect (a deploy, a proxy's time limit).
        if (!reconnect) return;
      } catch (err) {
        if (controller.signal.aborted) return;
        const retryable = !(err instanceof BrookApiError) || err.status >= 500 || err.status === 429;
        const willRetry = reconnect && retryable;
        options.onError?.(err, willRetry);
        if (!willRetry) throw err;
      }
      // Back off while nothing gets through; start over once events flowed again.
      failures = lastEventId !== idBefore ? 0 : failures + 1;
      const delay = Math.min(maxRetryMs, retryMs * 2 ** Math.max(0, failures - 1));
      await sleep(delay, controller.signal);
    }
  };

  const done = run().finally(() => options.signal?.removeEventListener("abort", stop));
  // A subscription nobody awaits must not crash the process with an unhandled rejection;
  // whoever awaits `done` still sees the error.
  done.catch(() => {});
  return {
    close: stop,
    get lastEventId() {
      return lastEventId;
    },
    done,
  };
}

function parseData(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
