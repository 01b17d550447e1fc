import type { IncomingMessage, ServerResponse } from "node:http";
import type { FastifyBaseLogger } from "fastify";
import type { Config } from "../config/config.js";
import { brookError } from "../errors.js";
import type { Backend } from "../runtime/backend.js";
import { type Answer, acceptsJson, learnModel, learnSeed, predictModel, predictSeed } from "./handlers.js";
import { parseJsonBody } from "./json-body.js";
import { toProblem } from "./problem.js";

type Route = (body: unknown, req: IncomingMessage) => Promise<Answer> | Answer;

/** `application/json`, with or without parameters (`; charset=utf-8`), in any case. */
function isJson(type: string | undefined): boolean {
  if (type === undefined || type.length < 16) return false;
  if (type.length > 16 && type[16] !== ";" && type[16] !== " ") return false;
  return type.slice(0, 16).toLowerCase() === "application/json";
}

const MODEL_ROUTE = /^\/v1\/models\/([^/?]+)\/(predict|learn)(?:\?.*)?$/;

/**
 * The hot routes (predict and learn, the original two and the /v1 ones) answered straight on
 * node:http, ahead of Fastify: a framework's per-request machinery costs about a third of the
 * throughput of a bare server here, and these routes are the product. Everything else goes to
 * Fastify. The answers, errors included, are the same as Fastify's routes give (both call
 * handlers.ts); the API tests run against this lane.
 */
export class FastLane {
  private closing = false;

  constructor(
    private readonly backend: Backend,
    private readonly config: Config,
    private readonly log: FastifyBaseLogger | undefined,
    private readonly headers: Record<string, string> = {},
  ) {}

  /** From now on, answer 503 (the server is shutting down). */
  close(): void {
    this.closing = true;
  }

  private route(req: IncomingMessage): Route | undefined {
    const url = req.url ?? "";
    const { backend, config } = this;
    if (req.method === "POST") {
      if (url === "/predict" || url.startsWith("/predict?")) {
        return (body) => predictSeed(backend, config, body, acceptsJson(req.headers.accept));
      }
      const m = MODEL_ROUTE.exec(url);
      if (m) {
        let name: string;
        try {
          name = decodeURIComponent(m[1]!);
        } catch {
          return undefined;
        }
        if (m[2] === "predict") {
          return (body) => {
            const r = predictModel(backend, config, name, body);
            return r instanceof Promise ? r.then((json) => ({ json })) : { json: r };
          };
        }
        return async (body) => ({ json: await learnModel(backend, config, name, body) });
      }
    } else if (req.method === "PUT" && (url === "/update_model" || url.startsWith("/update_model?"))) {
      return (body) => learnSeed(backend, config, body, acceptsJson(req.headers.accept));
    }
    return undefined;
  }

  /** Handles the request if it is a hot route; returns false to let Fastify handle it. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const route = this.route(req);
    if (!route) return false;
    if (this.closing) {
      this.problem(res, brookError("UNAVAILABLE", "the server is shutting down"), true);
      req.resume();
      return true;
    }
    if (!isJson(req.headers["content-type"])) {
      this.problem(
        res,
        brookError(
          "UNSUPPORTED_MEDIA_TYPE",
          "send the body as JSON with the header Content-Type: application/json",
        ),
        false,
      );
      req.resume();
      return true;
    }
    const limit = this.config.bodyLimit;
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) {
      this.problem(
        res,
        brookError("BODY_TOO_LARGE", "the request body is larger than the server accepts"),
        true,
      );
      req.resume();
      return true;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => {
      if (tooLarge) {
        this.problem(
          res,
          brookError("BODY_TOO_LARGE", "the request body is larger than the server accepts"),
          true,
        );
        return;
      }
      const text = chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8");
      chunks.length = 0;
      this.answer(route, text, req, res);
    });
    req.on("error", () => res.destroy());
    return true;
  }

  private answer(route: Route, text: string, req: IncomingMessage, res: ServerResponse): void {
    let answer: Answer | Promise<Answer>;
    try {
      if (text === "") throw brookError("INVALID_JSON", "the request body is empty: send a JSON object");
      answer = route(parseJsonBody(text), req);
    } catch (err) {
      this.problem(res, err, false);
      return;
    }
    // Predictions answer synchronously; writes wait for their writer.
    if (answer instanceof Promise) {
      answer.then(
        (a) => this.reply(res, a),
        (err: unknown) => this.problem(res, err, false),
      );
    } else {
      this.reply(res, answer);
    }
  }

  private reply(res: ServerResponse, answer: Answer): void {
    if ("json" in answer) this.send(res, 200, "application/json; charset=utf-8", JSON.stringify(answer.json));
    else this.send(res, 200, "text/plain; charset=utf-8", answer.text);
  }

  private send(res: ServerResponse, status: number, type: string, payload: string, close = false): void {
    const headers: Record<string, string | number> = {
      "content-type": type,
      "content-length": Buffer.byteLength(payload),
    };
    for (const k in this.headers) headers[k] = this.headers[k]!;
    if (close) headers.connection = "close";
    res.writeHead(status, headers);
    res.end(payload);
  }

  private problem(res: ServerResponse, err: unknown, close: boolean): void {
    const p = toProblem(err);
    if (p.status === 500) this.log?.error({ err }, "request failed");
    this.send(res, p.status, "application/problem+json; charset=utf-8", JSON.stringify(p), close);
  }
}
