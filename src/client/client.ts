/**
 * `BrookClient`: Brook's HTTP API from JavaScript, over `fetch`, with no dependency. One method
 * per route; failures are a `BrookApiError` (the server said no) or a `BrookConnectionError`
 * (no usable answer). Learn calls carry an event id and are retried on network errors and 503s
 * with backoff: the server recognises the id, so a retry never learns an example twice.
 */
import { BrookApiError, BrookConnectionError, connectionError } from "./errors.js";
import { toJson } from "./json.js";
import { type BrookEvent, type SubscribeOptions, type Subscription, subscribe } from "./sse.js";
import type {
  BatchPrediction,
  Checkpoint,
  CheckpointList,
  CreatedModel,
  CreateModel,
  Features,
  ForecastBody,
  ForecastResult,
  ImportResult,
  LearnBody,
  LearnBodyItem,
  LearnItem,
  LearnOptions,
  LearnResult,
  MetricsResult,
  ModelDetails,
  ModelExport,
  ModelSummary,
  PredictBatchOptions,
  PredictBody,
  PredictInstance,
  Prediction,
  PredictOptions,
  RollbackResult,
  StreamLearnResult,
  Target,
  UpdateModelResult,
} from "./types.js";

/** How a {@link BrookClient} talks to the server. */
export interface BrookClientOptions {
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /**
   * The API key (`brk_...`) sent on every request as `Authorization: Bearer <key>`, for a
   * server with keys (see SECURITY.md). An `authorization` header in `headers` wins.
   */
  apiKey?: string;
  /** Longest wait for an answer, per attempt (ms; default 30000; 0: no limit). */
  timeoutMs?: number;
  /** Retries of a learn after a network error or a 503 (default 4; 0: none, and no made-up event ids). */
  retries?: number;
  /** First delay before a retry (ms, default 100), doubled each time, with jitter. */
  retryDelayMs?: number;
  /** Longest delay before a retry (ms, default 2000). */
  maxRetryDelayMs?: number;
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
}

/** A request: its body (text is sent as is, anything else as JSON), what to accept, a signal. */
export interface RequestOptions {
  body?: unknown;
  accept?: string;
  signal?: AbortSignal;
}

/** An answer: its status, headers and text, and the text parsed as JSON (undefined when empty). */
export interface Answer<T> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

const model = (name: string, suffix = ""): string => `/v1/models/${encodeURIComponent(name)}${suffix}`;

/** `?min_version=n` for a read that must see a version (nothing when none is asked). */
const atVersion = (minVersion: number | undefined): string =>
  minVersion === undefined ? "" : `?min_version=${minVersion}`;

/** Brook's HTTP API. */
export class BrookClient {
  /** The server's address, without a trailing slash. */
  readonly url: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly fetchFn: typeof fetch;

  /** A client of the Brook server at `url` (default `http://localhost:8080`). */
  constructor(url = "http://localhost:8080", options: BrookClientOptions = {}) {
    this.url = url.replace(/\/+$/, "");
    this.headers = {
      ...(options.apiKey !== undefined &&
        options.apiKey !== "" && { authorization: `Bearer ${options.apiKey}` }),
      ...options.headers,
    };
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retries = Math.max(0, Math.floor(options.retries ?? 4));
    this.retryDelayMs = options.retryDelayMs ?? 100;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 2000;
    this.fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  // ---------------------------------------------------------------------------- transport

  /** Sends a request and returns the response whatever its status; throws only when nothing answered. */
  async send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: options.accept ?? "application/json", ...this.headers };
    const init: RequestInit = { method, headers };
    if (options.body !== undefined) {
      headers["content-type"] = "application/json";
      init.body = typeof options.body === "string" ? options.body : toJson(options.body);
    }
    const signals = [options.signal, this.timeoutMs > 0 ? AbortSignal.timeout(this.timeoutMs) : undefined];
    const present = signals.filter((s): s is AbortSignal => s !== undefined);
    if (present.length > 0) init.signal = present.length === 1 ? present[0]! : AbortSignal.any(present);
    try {
      return await this.fetchFn(this.url + path, init);
    } catch (err) {
      if (options.signal?.aborted) throw err;
      throw connectionError(err, this.url);
    }
  }

  /**
   * Sends a request and reads its answer: a failure status throws a {@link BrookApiError}; a
   * success whose body is not JSON (when JSON was asked for) a {@link BrookConnectionError}.
   */
  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<Answer<T>> {
    const res = await this.send(method, path, options);
    if (!res.ok) throw await BrookApiError.from(res);
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      // The connection dropped mid-answer: as unreachable as it gets.
      throw connectionError(err, this.url);
    }
    const accept = options.accept ?? "application/json";
    if (!accept.includes("json") || text === "") {
      return { status: res.status, headers: res.headers, text, body: undefined as T };
    }
    try {
      return { status: res.status, headers: res.headers, text, body: JSON.parse(text) as T };
    } catch {
      throw new BrookConnectionError(`${this.url}${path} did not answer JSON`, this.url, "not-brook");
    }
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await this.request<T>(method, path, { body })).body;
  }

  /**
   * Sends a request that is safe to repeat (a learn with event ids), retrying on a network
   * error or a 503 with exponential backoff and jitter (a 503's `Retry-After` is honoured).
   */
  private async retried<T>(method: string, path: string, body: unknown): Promise<T> {
    const text = toJson(body);
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.request<T>(method, path, { body: text })).body;
      } catch (err) {
        const retryable =
          (err instanceof BrookApiError || err instanceof BrookConnectionError) && err.retryable;
        if (!retryable || attempt >= this.retries) throw err;
        const backoff = Math.min(this.maxRetryDelayMs, this.retryDelayMs * 2 ** attempt);
        let delay = backoff / 2 + Math.random() * (backoff / 2);
        const after = err instanceof BrookApiError ? err.retryAfterMs : undefined;
        if (after !== undefined) delay = Math.min(this.maxRetryDelayMs, Math.max(delay, after));
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** An event id for an item that has none, when this client retries. */
  private eventId(given: string | undefined): string | undefined {
    if (given !== undefined || this.retries === 0) return given;
    return globalThis.crypto.randomUUID();
  }

  // ---------------------------------------------------------------------------- predict

  /** Predicts one example. With `id` or `remember`, the server keeps it for a label that comes later. */
  predict(name: string, x: Features, options: PredictOptions = {}): Promise<Prediction> {
    const body: PredictBody = {
      x,
      id: options.id,
      remember: options.remember,
      min_version: options.minVersion,
    };
    return this.json("POST", model(name, "/predict"), body);
  }

  /** Predicts a batch, in one request. */
  predictBatch(
    name: string,
    instances: readonly PredictInstance[],
    options: PredictBatchOptions = {},
  ): Promise<BatchPrediction> {
    const body: PredictBody = {
      instances: [...instances],
      remember: options.remember,
      min_version: options.minVersion,
    };
    return this.json("POST", model(name, "/predict"), body);
  }

  // ---------------------------------------------------------------------------- learn

  /**
   * Learns one labelled example. `y` may be left out for an anomaly detector, `x` (undefined)
   * for a forecaster without exogenous features. Retried safely.
   */
  learn(name: string, x: Features | undefined, y?: Target, options: LearnOptions = {}): Promise<LearnResult> {
    const body: LearnBody = { x, y, event_id: this.eventId(options.eventId) };
    return this.retried("POST", model(name, "/learn"), body);
  }

  /** Sends the label of a prediction remembered under `id`: the model learns the features it served. */
  label(name: string, id: string, y: Target, options: LearnOptions = {}): Promise<LearnResult> {
    const body: LearnBody = { id, y, event_id: this.eventId(options.eventId) };
    return this.retried("POST", model(name, "/learn"), body);
  }

  /** Learns a batch of examples and labels, all or nothing, in order. Retried safely. */
  learnBatch(name: string, items: readonly LearnItem[]): Promise<LearnResult> {
    const instances: LearnBodyItem[] = items.map((item) => {
      const out: LearnBodyItem = "id" in item ? { id: item.id } : { x: item.x };
      out.y = item.y;
      out.event_id = this.eventId(item.eventId);
      return out;
    });
    return this.retried("POST", model(name, "/learn"), { instances } satisfies LearnBody);
  }

  /**
   * Learns a stream of examples of any length in one request (JSON lines): in order, a bad
   * example refused alone (listed by its line number in the answer), memory bounded on both
   * sides. Every line gets an event id (unless it has one): if the stream breaks off, send it
   * again, and what was already learned is recognised and not learned twice. Not retried
   * itself (an iterable cannot be replayed).
   */
  async learnStream(
    name: string,
    items: Iterable<LearnItem> | AsyncIterable<LearnItem>,
    options: { signal?: AbortSignal } = {},
  ): Promise<StreamLearnResult> {
    async function* chunks(): AsyncGenerator<Uint8Array> {
      const encoder = new TextEncoder();
      let text = "";
      for await (const item of items) {
        const line: LearnBodyItem = "id" in item ? { id: item.id } : { x: item.x };
        line.y = item.y;
        line.event_id = item.eventId ?? globalThis.crypto.randomUUID();
        text += `${toJson(line)}\n`;
        if (text.length >= 65536) {
          yield encoder.encode(text);
          text = "";
        }
      }
      if (text) yield encoder.encode(text);
    }
    const init: RequestInit & { duplex: "half" } = {
      method: "POST",
      headers: { accept: "application/json", ...this.headers, "content-type": "application/x-ndjson" },
      body: ReadableStream.from(chunks()) as unknown as RequestInit["body"],
      duplex: "half",
      signal: options.signal,
    };
    let res: Response;
    try {
      res = await this.fetchFn(this.url + model(name, "/learn"), init);
    } catch (err) {
      if (options.signal?.aborted) throw err;
      throw connectionError(err, this.url);
    }
    if (!res.ok) throw await BrookApiError.from(res);
    return (await res.json()) as StreamLearnResult;
  }

  /**
   * The original `PUT /update_model` (the `default` model): predicts, learns, scores. Not
   * retried: the original route takes no event id.
   */
  updateModel(x: Features, y: Target): Promise<UpdateModelResult> {
    return this.json("PUT", "/update_model", { x, y });
  }

  // ---------------------------------------------------------------------------- models

  /** The models served. */
  async listModels(): Promise<ModelSummary[]> {
    return (await this.json<{ models: ModelSummary[] }>("GET", "/v1/models")).models;
  }

  /**
   * Creates a model, or finds it with the same spec, metrics and drift detector
   * (`created: false`); another spec is a 409 `BROOK_MODEL_EXISTS`.
   */
  async createModel(name: string, definition: CreateModel): Promise<CreatedModel> {
    const answer = await this.request<ModelDetails>("PUT", model(name), { body: definition });
    return { created: answer.status === 201, model: answer.body };
  }

  /** What the server says about a model: spec, params, version, metrics, pending labels, checkpoints. */
  getModel(name: string): Promise<ModelDetails> {
    return this.json("GET", model(name));
  }

  /** Deletes a model and all its data. */
  async deleteModel(name: string): Promise<void> {
    await this.request("DELETE", model(name));
  }

  /** The live metrics, with River's texts (`minVersion`: once the model answering has that version). */
  metrics(name: string, minVersion?: number): Promise<MetricsResult> {
    return this.json("GET", model(name, `/metrics${atVersion(minVersion)}`));
  }

  /** The model's checkpoints, oldest first. */
  checkpoints(name: string): Promise<CheckpointList> {
    return this.json("GET", model(name, "/checkpoints"));
  }

  /** Takes a checkpoint now. */
  async checkpoint(name: string): Promise<Checkpoint> {
    return (await this.json<{ checkpoint: Checkpoint }>("POST", model(name, "/checkpoints"))).checkpoint;
  }

  /** Back to the newest checkpoint at or before `version` (logged: a replay reproduces it). */
  rollback(name: string, version: number): Promise<RollbackResult> {
    return this.json("POST", model(name, "/rollback"), { version });
  }

  /** The learned state, parsed (`minVersion`: once the model answering has that version). */
  exportModel(name: string, minVersion?: number): Promise<ModelExport> {
    return this.json("GET", model(name, `/export${atVersion(minVersion)}`));
  }

  /** The learned state as the server's exact text (feature order kept, for files and other servers). */
  async exportText(name: string, minVersion?: number): Promise<string> {
    return (await this.request("GET", model(name, `/export${atVersion(minVersion)}`))).text;
  }

  /** Warm start: the model takes an exported state (text as exported, or the parsed object). */
  importModel(name: string, exported: string | object): Promise<ImportResult> {
    return this.json("POST", model(name, "/import"), exported);
  }

  /**
   * The next `horizon` values of a forecaster (with one feature object per step if it takes
   * them; `minVersion`: once the model answering has that version).
   */
  forecast(
    name: string,
    horizon = 1,
    xs?: readonly Features[],
    minVersion?: number,
  ): Promise<ForecastResult> {
    const body: ForecastBody = { horizon, xs: xs ? [...xs] : undefined, min_version: minVersion };
    return this.json("POST", model(name, "/forecast"), body);
  }

  /** Readiness: the models are loaded. */
  ready(): Promise<{ status: string; models: number }> {
    return this.json("GET", "/readyz");
  }

  // ---------------------------------------------------------------------------- events

  /**
   * Follows a model's events (`GET /v1/models/{name}/stream`): `onEvent` gets each one, its
   * data parsed. The subscription reconnects by itself with `Last-Event-ID` and stops on
   * `close()`.
   */
  stream<T = unknown>(
    name: string,
    onEvent: (event: BrookEvent<T>) => void,
    options?: SubscribeOptions,
  ): Subscription {
    return subscribe(this.transport(), model(name, "/stream"), onEvent, options);
  }

  /** Follows the server's events, all models (`GET /v1/events`); like {@link stream}. */
  events<T = unknown>(onEvent: (event: BrookEvent<T>) => void, options?: SubscribeOptions): Subscription {
    return subscribe(this.transport(), "/v1/events", onEvent, options);
  }

  private transport() {
    return { base: this.url, headers: this.headers, fetch: this.fetchFn };
  }
}
