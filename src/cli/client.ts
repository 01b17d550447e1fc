/**
 * The CLI's use of the client SDK: the server address, the client, and how its failures read
 * on a terminal.
 */
import { type BrookApiError, BrookClient, type BrookConnectionError } from "../client/index.js";

/** The address `--url` defaults to: `BROOK_URL`, or the port `brook serve` listens on by default. */
export function defaultUrl(): string {
  // An empty variable counts as unset, as a shell `BROOK_URL= brook ...` means.
  return process.env.BROOK_URL || "http://localhost:8080";
}

/** The API key `--api-key` defaults to: `BROOK_API_KEY` (none when unset or empty). */
export function defaultApiKey(): string | undefined {
  return process.env.BROOK_API_KEY || undefined;
}

/** The help of `--api-key`, the same on every command that talks to a server. */
export const API_KEY_HELP =
  "API key for a server with keys (env BROOK_API_KEY; prefer the variable: flags show in ps)";

/**
 * The SDK's client as the CLI uses it: learns retried a few times on a 503 or a dropped
 * connection (safe: each carries an event id), without waiting long for a server that is
 * not there; with the API key given (`--api-key`, else `BROOK_API_KEY`).
 */
export function clientFor(url: string, apiKey: string | undefined = defaultApiKey()): BrookClient {
  return new BrookClient(url, {
    retries: 3,
    retryDelayMs: 100,
    maxRetryDelayMs: 1000,
    ...(apiKey !== undefined && { apiKey }),
  });
}

/** One line for a problem in a list of failures: `404 BROOK_ID_NOT_FOUND no prediction ...`. */
export function problemLine(err: BrookApiError): string {
  return `${err.status} ${err.code} ${err.message}`;
}

/** A connection failure as the CLI says it, with a hint at the likely cause. */
export function connectionMessage(err: BrookConnectionError): string {
  return err.reason === "not-brook"
    ? `${err.message}: is it a Brook server?`
    : `${err.message}: is "brook serve" running?`;
}
