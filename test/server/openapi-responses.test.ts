/**
 * The OpenAPI document served at /openapi.json describes the real server: it lists every
 * route of the table, and REAL answers of the running server (predict, learn, batches,
 * create, details, metrics, checkpoints, export, import, rollback, errors, the Open Inference
 * Protocol, health) validate against the response schemas it gives for their status and
 * media type (Ajv, JSON Schema 2020-12, formats checked). The schemas forbid undocumented
 * fields, so an answer that grows a field the documentation lacks fails here.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { loadConfig } from "../../src/config/config.js";
import { loadStream } from "../../src/data/datasets.js";
import { routeTable } from "../../src/server/app.js";
import { pathTemplate } from "../../src/server/http/pipeline.js";
import { type Brook, startBrook } from "../../src/server/start.js";
import { tempDir } from "../helpers/tmp.js";

const phishing = loadStream("phishing").rows;
const row = (i: number) => ({ x: Object.fromEntries(phishing[i]!.x), y: phishing[i]!.y });

type Doc = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>
  >;
  components: { schemas: Record<string, unknown> };
};

/** Inlines `#/components/schemas/X` references (the only ones the document uses). */
function inline(schema: unknown, doc: Doc): unknown {
  if (Array.isArray(schema)) return schema.map((s) => inline(s, doc));
  if (typeof schema !== "object" || schema === null) return schema;
  const ref = (schema as { $ref?: string }).$ref;
  if (ref) return doc.components.schemas[ref.split("/").pop()!];
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, inline(v, doc)]));
}

describe("OpenAPI: the document matches the server's real answers", () => {
  let brook: Brook;
  let doc: Doc;
  const tmp = tempDir();
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const checked = new Set<string>();

  before(async () => {
    brook = await startBrook(
      loadConfig(
        { port: 0, host: "127.0.0.1", workers: 1, logLevel: "silent", dataDir: tmp.dir, fsync: "never" },
        {},
      ),
    );
    doc = (await (await fetch(`${brook.url}/openapi.json`)).json()) as Doc;
  });
  after(async () => {
    await brook.close();
    tmp.remove();
  });

  /** Calls the server and validates its answer against the document; returns the body. */
  async function valid(
    method: string,
    template: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    const res = await fetch(brook.url + path, {
      method,
      headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    const op = doc.paths[template]?.[method.toLowerCase()];
    assert.ok(op, `${method} ${template} is not in the document`);
    const status = String(res.status);
    const answer = op.responses[status] ?? op.responses[`${status[0]}XX`];
    assert.ok(answer, `${method} ${template}: status ${status} is not documented`);
    if (res.status === 204) {
      assert.equal(text, "");
      assert.equal(answer.content, undefined, `${method} ${template}: a 204 documents no body`);
      checked.add(`${method} ${template}`);
      return { status: res.status, body: undefined as any };
    }
    const type = (res.headers.get("content-type") ?? "").split(";")[0]!;
    const media = Object.entries(answer.content ?? {}).find(([t]) => t.split(";")[0] === type)?.[1];
    assert.ok(media, `${method} ${template} ${status}: media type ${type} is not documented`);
    const parsed: any = type.endsWith("json") ? JSON.parse(text) : text;
    const validate = ajv.compile(inline(media.schema, doc) as object);
    assert.ok(
      validate(parsed),
      `${method} ${path} ${status}: ${ajv.errorsText(validate.errors)}\n${text.slice(0, 600)}`,
    );
    checked.add(`${method} ${template}`);
    return { status: res.status, body: parsed };
  }

  it("lists every route of the table, with {name} path parameters and no internal markers", async () => {
    const text = JSON.stringify(doc);
    assert.doesNotMatch(text, /x-brook-(semantic|message|errors)/);
    assert.match(text, /feature name → value/); // descriptions are kept
    const config = loadConfig({}, {});
    for (const r of routeTable(brook.backend, config)) {
      const template = pathTemplate(r.path);
      assert.ok(doc.paths[template]?.[r.method.toLowerCase()], `${r.method} ${template}`);
    }
    const predict = doc.paths["/v1/models/{name}/predict"]!.post as unknown as Record<string, unknown>;
    assert.deepEqual(predict.parameters, [
      { name: "name", in: "path", required: true, schema: { type: "string" } },
    ]);
    assert.equal(predict["x-brook-scope"], "predict");
  });

  it("the /v1 answers validate", async () => {
    const M = "/v1/models/{name}";
    await valid("GET", "/v1/models", "/v1/models");
    const created = await valid("PUT", M, "/v1/models/cm", {
      spec: "StandardScaler | LogisticRegression",
      metrics: ["Accuracy", "ConfusionMatrix"],
      drift: "ADWIN",
    });
    assert.equal(created.status, 201);
    assert.equal(
      (
        await valid("PUT", M, "/v1/models/cm", {
          spec: "StandardScaler | LogisticRegression",
          metrics: ["Accuracy", "ConfusionMatrix"],
          drift: "ADWIN",
        })
      ).status,
      200,
    );
    await valid("POST", `${M}/learn`, "/v1/models/cm/learn", row(0));
    const batch = await valid("POST", `${M}/learn`, "/v1/models/cm/learn", {
      instances: [0, 1, 2, 3, 4].map((i) => ({ ...row(i + 1), event_id: `e${i}` })),
    });
    assert.deepEqual(Object.keys(batch.body.metrics.ConfusionMatrix), ["labels", "counts"]);
    await valid("POST", `${M}/learn`, "/v1/models/cm/learn", { ...row(1), event_id: "e0" }); // duplicate
    await valid("POST", `${M}/learn`, "/v1/models/cm/learn", { instances: [{ ...row(1), event_id: "e0" }] });
    await valid("POST", `${M}/predict`, "/v1/models/cm/predict", { x: row(9).x });
    await valid("POST", `${M}/predict`, "/v1/models/cm/predict", {
      instances: [row(9).x, { x: row(10).x, id: "p1" }],
    });
    await valid("POST", `${M}/predict`, "/v1/models/cm/predict", { x: row(11).x, remember: true });
    await valid("POST", `${M}/learn`, "/v1/models/cm/learn", { id: "p1", y: true });
    await valid("GET", M, "/v1/models/cm");
    await valid("GET", `${M}/metrics`, "/v1/models/cm/metrics");
    assert.equal((await valid("POST", `${M}/checkpoints`, "/v1/models/cm/checkpoints")).status, 201);
    await valid("GET", `${M}/checkpoints`, "/v1/models/cm/checkpoints");
    const exported = await valid("GET", `${M}/export`, "/v1/models/cm/export");
    await valid("POST", `${M}/import`, "/v1/models/cm-copy/import", exported.body);
    await valid("POST", `${M}/import`, "/v1/models/cm-copy/import", exported.body);
    await valid("POST", `${M}/rollback`, "/v1/models/cm/rollback", { version: 6 });
    await valid("PUT", M, "/v1/models/hst", { spec: "MinMaxScaler | HalfSpaceTrees(seed=42)" });
    await valid("POST", `${M}/learn`, "/v1/models/hst/learn", { x: row(0).x });
    await valid("POST", `${M}/predict`, "/v1/models/hst/predict", { x: row(0).x });
    await valid("POST", `${M}/predict`, "/v1/models/hst/predict", { instances: [row(0).x] });
    await valid("PUT", M, "/v1/models/hw", { spec: "HoltWinters(alpha=0.3, beta=0.1)" });
    for (const y of [1, 2, 3, 4]) await valid("POST", `${M}/learn`, "/v1/models/hw/learn", { y });
    await valid("POST", `${M}/forecast`, "/v1/models/hw/forecast", { horizon: 3 });
    assert.equal((await valid("DELETE", M, "/v1/models/hw")).status, 204);
  });

  it("the original routes' JSON and text answers validate", async () => {
    const json = { accept: "application/json" };
    await valid("POST", "/predict", "/predict", { x: row(0).x }, json);
    await valid("POST", "/predict", "/predict", { x: row(0).x });
    await valid("PUT", "/update_model", "/update_model", row(0), json);
    await valid("PUT", "/update_model", "/update_model", row(0));
  });

  it("problems validate, whatever the error", async () => {
    const M = "/v1/models/{name}";
    assert.equal((await valid("POST", `${M}/learn`, "/v1/models/default/learn", "{oops")).status, 400);
    assert.equal(
      (await valid("POST", `${M}/learn`, "/v1/models/default/learn", { x: row(0).x, y: "no" })).status,
      400,
    );
    assert.equal(
      (await valid("POST", `${M}/predict`, "/v1/models/ghost/predict", { x: row(0).x })).status,
      404,
    );
    assert.equal((await valid("PUT", M, "/v1/models/cm", { spec: "LinearRegression" })).status, 409);
    assert.equal(
      (
        await valid("POST", `${M}/predict`, "/v1/models/default/predict", {
          x: row(0).x,
          min_version: 10_000,
        })
      ).status,
      503,
    );
    assert.equal(
      (await valid("POST", `${M}/rollback`, "/v1/models/default/rollback", { version: 0 })).status,
      404,
    );
  });

  it("the Open Inference Protocol's answers validate", async () => {
    const features = [...phishing[0]!.x.keys()];
    const inputs = features.map((name) => ({
      name,
      shape: [1],
      datatype: "FP64",
      data: [phishing[0]!.x.get(name)],
    }));
    await valid("GET", "/v2", "/v2");
    await valid("GET", "/v2/health/live", "/v2/health/live");
    await valid("GET", "/v2/health/ready", "/v2/health/ready");
    await valid("GET", "/v2/models/{name}", "/v2/models/default");
    await valid("GET", "/v2/models/{name}/ready", "/v2/models/default/ready");
    await valid("POST", "/v2/models/{name}/infer", "/v2/models/default/infer", { id: "1", inputs });
    await valid("POST", "/v2/models/{name}/learn", "/v2/models/default/learn", {
      inputs: [...inputs, { name: "y", shape: [1], datatype: "BOOL", data: [true] }],
    });
    const meta = (await (await fetch(`${brook.url}/v2/models/default`)).json()) as { versions: string[] };
    const version = meta.versions[0];
    await valid("GET", "/v2/models/{name}/versions/{version}", `/v2/models/default/versions/${version}`);
    await valid(
      "POST",
      "/v2/models/{name}/versions/{version}/infer",
      `/v2/models/default/versions/${version}/infer`,
      {
        inputs,
      },
    );
    assert.equal(
      (await valid("POST", "/v2/models/{name}/infer", "/v2/models/ghost/infer", { inputs })).status,
      404,
    );
    assert.equal(
      (await valid("POST", "/v2/models/{name}/infer", "/v2/models/default/infer", { inputs: [] })).status,
      400,
    );
  });

  /** Opens an event stream, checks its status and media type are documented, reads its first event. */
  async function validStream(template: string, path: string): Promise<string> {
    const aborter = new AbortController();
    const res = await fetch(brook.url + path, { signal: aborter.signal });
    const op = doc.paths[template]?.get;
    assert.ok(op, `GET ${template} is not in the document`);
    const answer = op.responses[String(res.status)];
    assert.ok(answer, `GET ${template}: status ${res.status} is not documented`);
    const type = (res.headers.get("content-type") ?? "").split(";")[0]!;
    assert.ok(answer.content?.[type], `GET ${template}: media type ${type} is not documented`);
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    aborter.abort();
    checked.add(`GET ${template}`);
    return new TextDecoder().decode(value);
  }

  it("the live routes and the dashboard validate", async () => {
    const M = "/v1/models/{name}";
    for (let i = 0; i < 12; i++) await valid("POST", `${M}/learn`, "/v1/models/default/learn", row(i));
    const history = await valid("GET", `${M}/metrics/history`, "/v1/models/default/metrics/history?since=0");
    assert.ok(history.body.points.length >= 1);
    await valid("GET", `${M}/weights`, "/v1/models/default/weights?k=3");
    assert.match(await validStream(`${M}/stream`, "/v1/models/default/stream"), /event: state/);
    await validStream("/v1/events", "/v1/events?types=learn");
    for (const file of [
      "/",
      "/dashboard/app.js",
      "/dashboard/style.css",
      "/dashboard/vendor/uPlot.iife.min.js",
      "/dashboard/vendor/uPlot.min.css",
    ]) {
      await valid("GET", file, file);
    }
    assert.equal((await valid("GET", `${M}/weights`, "/v1/models/default/weights?k=many")).status, 400);
  });

  it("health, metrics and the documentation itself", async () => {
    await valid("GET", "/healthz", "/healthz");
    await valid("GET", "/livez", "/livez");
    await valid("GET", "/readyz", "/readyz");
    await valid("GET", "/metrics", "/metrics");
    await valid("GET", "/openapi.json", "/openapi.json");
    await valid("GET", "/docs", "/docs");
  });

  it("every documented operation was checked against a real answer", () => {
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    const missing = documented.filter((op) => !checked.has(op) && !op.endsWith("/versions/{version}/ready"));
    assert.deepEqual(missing, []);
  });
});
