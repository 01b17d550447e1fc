/**
 * A small HTTP proxy in front of a real Brook server, for the client's retry tests: each
 * request is forwarded unless the test's `plan` says otherwise for that request: answer 503
 * without forwarding, or forward and then drop the connection (the server acted, the answer
 * is lost). Records every request body it saw.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";

export type Step = "pass" | "unavailable" | "drop-after-forward" | "drop-before-forward";

export interface Proxy {
  url: string;
  /** Bodies of every request received, in order. */
  bodies: string[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (c) => {
      text += c;
    });
    req.on("end", () => resolve(text));
    req.on("error", reject);
  });
}

/** Starts a proxy to `target`; `plan(i)` says what to do with the i-th request (0-based). */
export function startProxy(target: string, plan: (i: number) => Step): Promise<Proxy> {
  const bodies: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const step = plan(bodies.length);
    bodies.push(body);
    if (step === "drop-before-forward") {
      req.socket.destroy();
      return;
    }
    if (step === "unavailable") {
      res.writeHead(503, { "content-type": "application/problem+json" });
      res.end(JSON.stringify({ error: "try again later", code: "BROOK_UNAVAILABLE", status: 503 }));
      return;
    }
    const headers: Record<string, string> = {};
    for (const h of ["content-type", "accept"]) {
      const v = req.headers[h];
      if (typeof v === "string") headers[h] = v;
    }
    const init: RequestInit = { method: req.method!, headers };
    if (body !== "") init.body = body;
    const answer = await fetch(target + req.url, init);
    const text = await answer.text();
    if (step === "drop-after-forward") {
      req.socket.destroy();
      return;
    }
    res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "text/plain" });
    res.end(text);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}`,
        bodies,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}
