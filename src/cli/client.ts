import { UsageError } from "../errors.js";

/** The address `--url` defaults to: `BROOK_URL`, or the port `brook serve` listens on by default. */
export function defaultUrl(): string {
  // An empty variable counts as unset, as a shell `BROOK_URL= brook ...` means.
  return process.env.BROOK_URL || "http://localhost:8080";
}

/**
 * A problem the server answered (`{"error", "code", "status"}`): the request reached Brook and
 * Brook said no. The CLI prints it as `brook: <error> (<code>)` and exits with 1, unlike usage
 * mistakes and an unreachable server (exit 2), so scripts can tell the two apart.
 */
export class ServerError extends Error {
  constructor(
    message: string,
    /** `BROOK_...`, or `HTTP_<status>` when the answer was not a Brook problem (a proxy, say). */
    readonly code: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "ServerError";
  }
}

/** Reads a failed response as a `ServerError`, whatever its body is. */
export async function problemOf(res: Response): Promise<ServerError> {
  const text = await res.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { error?: unknown; code?: unknown };
    if (typeof body.error === "string" && typeof body.code === "string") {
      return new ServerError(body.error, body.code, res.status);
    }
  } catch {
    // Not JSON: fall through to the status line.
  }
  return new ServerError(`HTTP ${res.status} ${res.statusText}`.trim(), `HTTP_${res.status}`, res.status);
}

/** One line for a problem in a list of failures: `404 BROOK_ID_NOT_FOUND no prediction ...`. */
export function problemLine(err: ServerError): string {
  return `${err.status} ${err.code} ${err.message}`;
}

/** A request body: text is sent as is (exported states keep their exact bytes), anything else as JSON. */
export type Body = string | object;

/**
 * A small client of Brook's HTTP API for the CLI. Network failures become one clear usage
 * error ("is brook serve running?"); server answers are left to the caller (`send`) or turned
 * into `ServerError`s (`json`, `text`).
 */
export class BrookClient {
  /** The server address without a trailing slash. */
  readonly base: string;

  constructor(url: string) {
    this.base = url.replace(/\/+$/, "");
  }

  /** The path of a named model's route: `/v1/models/<name>` plus `suffix`. */
  static modelPath(name: string, suffix = ""): string {
    return `/v1/models/${encodeURIComponent(name)}${suffix}`;
  }

  /** Sends a request and returns the response, whatever its status. */
  async send(method: string, path: string, body?: Body, accept = "application/json"): Promise<Response> {
    const headers: Record<string, string> = { accept };
    const init: RequestInit = { method, headers };
    if (body !== undefined) {
      headers["content-type"] = "application/json";
      init.body = typeof body === "string" ? body : JSON.stringify(body);
    }
    try {
      return await fetch(this.base + path, init);
    } catch (err) {
      throw this.unreachable(err);
    }
  }

  /** Sends a request and returns the parsed JSON answer (null when empty); throws a `ServerError` otherwise. */
  async json<T = unknown>(method: string, path: string, body?: Body): Promise<{ status: number; body: T }> {
    const { status, text } = await this.text(method, path, body);
    try {
      return { status, body: (text === "" ? null : JSON.parse(text)) as T };
    } catch {
      // Something answers at that address, but not Brook (another service, a login page...).
      throw new UsageError(`${this.base}${path} did not answer JSON: is it a Brook server?`);
    }
  }

  /** Sends a request and returns the answer's text; throws a `ServerError` on a failure status. */
  async text(method: string, path: string, body?: Body): Promise<{ status: number; text: string }> {
    const res = await this.send(method, path, body);
    if (!res.ok) throw await problemOf(res);
    try {
      return { status: res.status, text: await res.text() };
    } catch (err) {
      // The connection dropped mid-answer: as unreachable as it gets.
      throw this.unreachable(err);
    }
  }

  private unreachable(err: unknown): UsageError {
    // fetch says only "fetch failed"; the cause says why (ECONNREFUSED, ENOTFOUND, "bad port").
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (err as Error).message;
    return new UsageError(`cannot reach Brook at ${this.base} (${why}): is "brook serve" running?`);
  }
}
