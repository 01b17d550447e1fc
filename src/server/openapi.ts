/**
 * The OpenAPI 3.1 document of the API, generated from the route table: each route's method,
 * path (`:name` → `{name}`), summary, tag, scope, body and response schemas (TypeBox schemas
 * are JSON Schema; Brook's own `x-brook-*` validation markers are left out), and the problem
 * answer of its failures.
 */
import type { TSchema } from "@sinclair/typebox";
import { pathTemplate } from "./http/pipeline.js";
import { OipError } from "./oip/schemas.js";
import type { AnyRoute } from "./routes/route.js";
import { Problem } from "./validation/schemas.js";
import { BROOK_VERSION } from "./version.js";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A schema as plain JSON Schema: symbols (TypeBox's kinds) and `x-brook-*` markers removed. */
export function jsonSchema(schema: TSchema): Json {
  const strip = (v: unknown): Json => {
    if (Array.isArray(v)) return v.map(strip);
    if (typeof v !== "object" || v === null) return v as Json;
    const out: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v)) if (!k.startsWith("x-brook-")) out[k] = strip(x);
    return out;
  };
  return strip(schema);
}

/** `POST /v1/models/:name/predict` → `postV1ModelsNamePredict`. */
function operationId(method: string, path: string): string {
  const words = path
    .split(/[/:{}._-]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1));
  return method.toLowerCase() + (words.join("") || "Root");
}

function content(type: string, schema: Json): Record<string, Json> {
  return { [type]: { schema } };
}

function operation(r: AnyRoute): Record<string, Json> {
  const params: Json[] = [...r.path.matchAll(/:(\w+)/g)].map((m) => ({
    name: m[1]!,
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
  const query = r.query
    ? (jsonSchema(r.query) as { properties?: Record<string, Json>; required?: string[] })
    : {};
  for (const [name, schema] of Object.entries(query.properties ?? {})) {
    const { description, ...rest } = schema as { description?: string };
    const param: Record<string, Json> = {
      name,
      in: "query",
      required: query.required?.includes(name) ?? false,
      schema: rest,
    };
    if (description) param.description = description;
    params.push(param);
  }
  const status = String(r.response?.status ?? 200);
  const ok: Record<string, Json> = { description: r.response?.description ?? r.summary };
  if (status !== "204") {
    const media: Record<string, Json> = {};
    const type = r.response?.type;
    if (type) media[type] = { schema: { type: type.startsWith("text/") ? "string" : "object" } };
    if (r.response?.schema) media["application/json"] = { schema: jsonSchema(r.response.schema) };
    if (Object.keys(media).length > 0) ok.content = media;
  }
  const failure: Json =
    r.errors === "oip"
      ? {
          description: "the protocol's error body (Brook's code in the x-brook-error-code header)",
          content: content("application/json", { $ref: "#/components/schemas/OipError" }),
        }
      : {
          description: "a problem: what went wrong, with a stable code",
          content: content("application/problem+json", { $ref: "#/components/schemas/Problem" }),
        };
  const op: Record<string, Json> = {
    operationId: operationId(r.method, r.path),
    summary: r.summary,
    tags: [r.tag],
    "x-brook-scope": r.scope,
    responses: {
      [status]: ok,
      ...Object.fromEntries((r.response?.otherStatuses ?? []).map((s) => [String(s), ok])),
      "4XX": failure,
      "5XX": failure,
    },
  };
  // With API keys configured, a key with the scope (either header); public routes need none.
  // (Without keys, protected mode lets loopback in without one: see SECURITY.md.)
  op.security = r.scope === "public" ? [] : [{ bearerKey: [] }, { headerKey: [] }];
  if (params.length > 0) op.parameters = params;
  if (r.body) {
    const body: Record<string, Json> = content("application/json", jsonSchema(r.body));
    // A streamed body: its schema is that of one line (JSON lines, one document per line).
    if (r.streamed)
      body[r.streamed.type] = { schema: jsonSchema(r.streamed.line), "x-brook-each-line": true };
    op.requestBody = { required: true, content: body };
  }
  return op;
}

/** The OpenAPI 3.1 document of `routes`. */
export function openApiDocument(routes: readonly AnyRoute[]): Record<string, Json> {
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) {
    const p = pathTemplate(r.path);
    paths[p] ??= {};
    paths[p][r.method.toLowerCase()] = operation(r);
  }
  const tags = [...new Set(routes.map((r) => r.tag))].map((name) => ({ name }));
  return {
    openapi: "3.1.0",
    info: {
      title: "Brook",
      version: BROOK_VERSION,
      description:
        "Stateful online machine learning: predictions from a model that keeps learning from ground truth. Every operation's `x-brook-scope` says who may call it (public, predict, learn, admin): with API keys configured, a key with that scope (401 without a valid key, 403 without the scope or the model, 429 over --learn-rate); without keys, loopback clients may call anything and others only public and predict operations (protected mode).",
    },
    tags,
    paths,
    components: {
      schemas: { Problem: jsonSchema(Problem), OipError: jsonSchema(OipError) },
      securitySchemes: {
        bearerKey: {
          type: "http",
          scheme: "bearer",
          description: "an API key (brk_<id>_<secret>, made by `brook keys create`) as a Bearer token",
        },
        headerKey: {
          type: "apiKey",
          in: "header",
          name: "X-API-Key",
          description: "the same key in X-API-Key",
        },
      },
    },
  };
}
