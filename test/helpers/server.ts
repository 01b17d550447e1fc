/** Starts a real Brook server on an ephemeral loopback port for a test file. */
import { type Config, loadConfig } from "../../src/config/config.js";
import { type Brook, startBrook } from "../../src/runtime/start.js";

export async function startTestServer(
  overrides: Partial<Record<keyof Config, string | number>> = {},
): Promise<Brook> {
  const config = loadConfig(
    { port: 0, host: "127.0.0.1", logLevel: "silent", store: "memory", ...overrides },
    {},
  );
  return startBrook(config);
}

/** A JSON request; returns status, headers and the parsed body (or text when not JSON). */
export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; type: string; body: any; text: string }> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] ??= "application/json";
  }
  const res = await fetch(base + path, init);
  const text = await res.text();
  const type = res.headers.get("content-type") ?? "";
  let parsed: unknown = text;
  if (type.includes("json")) parsed = JSON.parse(text);
  return { status: res.status, type, body: parsed, text };
}
