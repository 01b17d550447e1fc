/**
 * A server-sent events client for tests, over fetch: it parses frames as they arrive and
 * waits for conditions with a deadline.
 */

export interface SseEvent {
  id: string | undefined;
  event: string;
  data: any;
}

export interface SseClient {
  status: number;
  /** Which cluster worker answered (`x-brook-worker`). */
  worker: string | null;
  headers: Headers;
  events: SseEvent[];
  /** Comment lines received (heartbeats). */
  comments: string[];
  /** Resolves with the first event (from the start) that passes `pred`; rejects after `timeoutMs`. */
  waitFor(pred: (e: SseEvent) => boolean, timeoutMs?: number, what?: string): Promise<SseEvent>;
  /** Resolves once `cond()` holds (checked on every frame); rejects after `timeoutMs`. */
  until(cond: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  /** Whether the server ended the stream. */
  ended(): boolean;
  close(): void;
  /** The body when the server did not open a stream (an error). */
  body(): Promise<any>;
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const abort = new AbortController();
  const res = await fetch(url, {
    headers: { accept: "text/event-stream", ...headers },
    signal: abort.signal,
  });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const waiters = new Set<() => void>();
  let done = false;
  const wake = () => {
    for (const w of [...waiters]) w();
  };
  const streaming = res.ok && (res.headers.get("content-type") ?? "").startsWith("text/event-stream");
  if (streaming) {
    void (async () => {
      const decoder = new TextDecoder();
      let buf = "";
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buf += decoder.decode(chunk, { stream: true });
          let cut = buf.indexOf("\n\n");
          while (cut >= 0) {
            const frame = buf.slice(0, cut);
            buf = buf.slice(cut + 2);
            parseFrame(frame, events, comments);
            cut = buf.indexOf("\n\n");
          }
          wake();
        }
      } catch {
        // aborted
      }
      done = true;
      wake();
    })();
  }
  const until = (cond: () => boolean, timeoutMs = 10_000, what = "a condition") =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (cond()) {
          cleanup();
          resolve();
        } else if (done) {
          cleanup();
          reject(new Error(`the stream ended before ${what}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(events.slice(-5))}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  return {
    status: res.status,
    worker: res.headers.get("x-brook-worker"),
    headers: res.headers,
    events,
    comments,
    until,
    async waitFor(pred, timeoutMs, what = "an event") {
      await until(() => events.some(pred), timeoutMs, what);
      return events.find(pred)!;
    },
    ended: () => done,
    close: () => abort.abort(),
    body: async () => (streaming ? undefined : res.json()),
  };
}

function parseFrame(frame: string, events: SseEvent[], comments: string[]): void {
  let id: string | undefined;
  let event = "message";
  const data: string[] = [];
  let any = false;
  for (const line of frame.split("\n")) {
    if (line.startsWith(":")) {
      comments.push(line.slice(1).trim());
      continue;
    }
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "id") id = value;
    else if (field === "event") event = value;
    else if (field === "data") data.push(value);
    else continue;
    any = true;
  }
  if (any && data.length > 0) events.push({ id, event, data: JSON.parse(data.join("\n")) });
}
