/**
 * The lean dispatcher: the hot routes (predict and learn) served straight on node:http, in
 * front of Fastify, from the same route table and through the same pipeline. A framework's
 * per-request machinery costs a third of the throughput of a bare server here (see
 * `npm run bench http`, which measures both ways in one run), and these routes are the product.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { BrookError, brookError } from "../../errors.js";
import type { Answer } from "../routes/route.js";
import type { BodyReads } from "./body.js";
import type { Pipeline, PreparedRoute, Rendered } from "./pipeline.js";

interface Compiled {
  route: PreparedRoute;
  method: string;
  pattern: RegExp;
  params: string[];
}

/** `/v1/models/:name/predict` → a regex capturing `name`, query string allowed. */
function compilePath(path: string): { pattern: RegExp; params: string[] } {
  const params: string[] = [];
  const source = path
    .split("/")
    .map((part) => {
      if (!part.startsWith(":")) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      params.push(part.slice(1));
      return "([^/?]+)";
    })
    .join("/");
  return { pattern: new RegExp(`^${source}(?:\\?.*)?$`), params };
}

const NO_QUERY: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** The query string's parameters (the last of a repeated one). */
export function queryOf(url: string): Record<string, string> {
  const q = url.indexOf("?");
  if (q < 0) return NO_QUERY;
  return Object.fromEntries(new URLSearchParams(url.slice(q + 1)));
}

export class Dispatcher {
  private readonly routes: Compiled[];

  constructor(
    routes: readonly PreparedRoute[],
    private readonly pipeline: Pipeline,
    private readonly bodies: BodyReads,
  ) {
    this.routes = routes.map((route) => ({
      route,
      method: route.def.method,
      ...compilePath(route.def.path),
    }));
  }

  /** Serves the request if it is one of the dispatcher's routes; false lets Fastify have it. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = req.url ?? "";
    for (const r of this.routes) {
      if (r.method !== req.method) continue;
      const m = r.pattern.exec(url);
      if (!m) continue;
      this.serve(r, m, req, res);
      return true;
    }
    return false;
  }

  private serve(r: Compiled, m: RegExpExecArray, req: IncomingMessage, res: ServerResponse): void {
    const started = this.pipeline.started();
    const route = r.route;
    const fail = (err: unknown) =>
      this.send(
        route,
        req,
        res,
        this.pipeline.renderProblem(err, req.headers, req.method!, req.url!, route.def.errors),
        started,
      );
    const params: Record<string, string> = {};
    try {
      for (let i = 0; i < r.params.length; i++) params[r.params[i]!] = decodeURIComponent(m[i + 1]!);
    } catch {
      req.resume();
      fail(brookError("INVALID_REQUEST", "the path is not valid percent-encoding"));
      return;
    }
    const refusal = this.pipeline.admit(r.route, req.headers, req.socket.remoteAddress, params);
    if (refusal) {
      req.resume();
      fail(refusal);
      return;
    }
    if (this.pipeline.streamed(r.route, req.headers)) {
      let answer: ReturnType<Pipeline["execute"]>;
      try {
        answer = this.pipeline.executeStreamed(r.route, req, params, req.headers, queryOf(req.url ?? ""));
      } catch (e) {
        req.resume();
        fail(e);
        return;
      }
      if (answer instanceof Promise) answer.then((a) => this.answer(route, req, res, a, started, fail), fail);
      else this.answer(route, req, res, answer, started, fail);
      return;
    }
    this.bodies.read(req, (err, text) => {
      // A client that goes away mid-body gets no answer; a body over a limit gets its 4xx/503.
      if (err) return err instanceof BrookError ? fail(err) : void res.destroy();
      let answer: ReturnType<Pipeline["execute"]>;
      try {
        answer = this.pipeline.execute(r.route, text, params, req.headers, queryOf(req.url ?? ""));
      } catch (e) {
        return fail(e);
      }
      // Predictions answer synchronously; writes wait for their writer.
      if (answer instanceof Promise) answer.then((a) => this.answer(route, req, res, a, started, fail), fail);
      else this.answer(route, req, res, answer, started, fail);
    });
  }

  private answer(
    route: PreparedRoute,
    req: IncomingMessage,
    res: ServerResponse,
    answer: Answer,
    started: number,
    fail: (err: unknown) => void,
  ): void {
    if ("stream" in answer) {
      const refusal = this.pipeline.admitStream(answer);
      if (refusal) fail(refusal);
      else this.pipeline.startStream(answer, req, res, started, route);
      return;
    }
    let rendered: Rendered;
    try {
      rendered = this.pipeline.render(answer);
    } catch (e) {
      fail(e);
      return;
    }
    this.send(route, req, res, rendered, started);
  }

  private send(
    route: PreparedRoute,
    req: IncomingMessage,
    res: ServerResponse,
    r: Rendered,
    started: number,
  ): void {
    const headers: Record<string, string | number> = { "content-length": Buffer.byteLength(r.payload) };
    if (r.type) headers["content-type"] = r.type;
    const extra = this.pipeline.headers;
    for (const k in extra) headers[k] = extra[k]!;
    if (r.headers) for (const k in r.headers) headers[k] = r.headers[k]!;
    if (r.close) headers.connection = "close";
    res.writeHead(r.status, headers);
    res.end(r.payload);
    this.pipeline.finished(route, req.headers, req.method!, req.url!, r.status, started);
  }
}
