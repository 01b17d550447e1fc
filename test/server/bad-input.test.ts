import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { call, startTestServer, type TestServer } from "../helpers/server.js";

const X = { empty_server_form_handler: 1, popup_window: 0, https: 1, is_popular: 0.5 };

interface Case {
  name: string;
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  status: number;
  code: string;
}

const learnPaths = [
  ["PUT", "/update_model"],
  ["POST", "/v1/models/default/learn"],
] as const;
const predictPaths = [
  ["POST", "/predict"],
  ["POST", "/v1/models/default/predict"],
] as const;
const all = [...learnPaths, ...predictPaths];

const cases: Case[] = [];
for (const [method, path] of all) {
  const learn = learnPaths.some(([, p]) => p === path);
  const withY = (x: unknown) => (learn ? { x, y: true } : { x });
  cases.push(
    {
      name: "malformed JSON",
      method,
      path,
      body: '{"x": {"https": 1}',
      status: 400,
      code: "BROOK_INVALID_JSON",
    },
    { name: "empty body", method, path, body: "", status: 400, code: "BROOK_INVALID_JSON" },
    {
      name: "not JSON",
      method,
      path,
      body: "x=1",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      status: 415,
      code: "BROOK_UNSUPPORTED_MEDIA_TYPE",
    },
    { name: "array body", method, path, body: "[1, 2]", status: 400, code: "BROOK_INVALID_REQUEST" },
    { name: "null body", method, path, body: "null", status: 400, code: "BROOK_INVALID_REQUEST" },
    {
      name: "missing x",
      method,
      path,
      body: learn ? { y: true } : {},
      status: 400,
      code: "BROOK_INVALID_REQUEST",
    },
    { name: "x is a number", method, path, body: withY(3), status: 400, code: "BROOK_INVALID_FEATURES" },
    { name: "x is an array", method, path, body: withY([1, 2]), status: 400, code: "BROOK_INVALID_FEATURES" },
    { name: "x is null", method, path, body: withY(null), status: 400, code: "BROOK_INVALID_FEATURES" },
    {
      name: "string value",
      method,
      path,
      body: withY({ ...X, https: "yes" }),
      status: 400,
      code: "BROOK_INVALID_FEATURES",
    },
    {
      name: "boolean value",
      method,
      path,
      body: withY({ ...X, https: true }),
      status: 400,
      code: "BROOK_INVALID_FEATURES",
    },
    {
      name: "null value",
      method,
      path,
      body: withY({ ...X, https: null }),
      status: 400,
      code: "BROOK_INVALID_FEATURES",
    },
    {
      name: "nested value",
      method,
      path,
      body: withY({ ...X, https: { a: 1 } }),
      status: 400,
      code: "BROOK_INVALID_FEATURES",
    },
    {
      name: "non-finite value (1e999 parses to Infinity)",
      method,
      path,
      body: learn ? '{"x": {"https": 1e999}, "y": true}' : '{"x": {"https": -1e999}}',
      status: 400,
      code: "BROOK_INVALID_FEATURES",
    },
    {
      name: "too many features",
      method,
      path,
      body: withY(Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`f${i}`, i]))),
      status: 400,
      code: "BROOK_INVALID_FEATURES",
    },
    {
      name: "oversize body",
      method,
      path,
      body: withY({ big: 1, pad: 0, ...Object.fromEntries([["s".repeat(40_000), 1]]) }),
      status: 413,
      code: "BROOK_BODY_TOO_LARGE",
    },
  );
  if (learn) {
    cases.push(
      { name: "missing y", method, path, body: { x: X }, status: 400, code: "BROOK_INVALID_TARGET" },
      {
        name: "y is a string",
        method,
        path,
        body: { x: X, y: "yes" },
        status: 400,
        code: "BROOK_INVALID_TARGET",
      },
      { name: "y is 2", method, path, body: { x: X, y: 2 }, status: 400, code: "BROOK_INVALID_TARGET" },
      { name: "y is 0.5", method, path, body: { x: X, y: 0.5 }, status: 400, code: "BROOK_INVALID_TARGET" },
      { name: "y is null", method, path, body: { x: X, y: null }, status: 400, code: "BROOK_INVALID_TARGET" },
    );
  }
}

const v1Learn = "/v1/models/default/learn";
const v1Predict = "/v1/models/default/predict";
cases.push(
  {
    name: "unknown field",
    method: "POST",
    path: v1Learn,
    body: { x: X, y: true, weight: 2 },
    status: 400,
    code: "BROOK_INVALID_REQUEST",
  },
  {
    name: "unknown field",
    method: "POST",
    path: v1Predict,
    body: { x: X, X: 1 },
    status: 400,
    code: "BROOK_INVALID_REQUEST",
  },
  {
    name: "x and instances",
    method: "POST",
    path: v1Predict,
    body: { x: X, instances: [X] },
    status: 400,
    code: "BROOK_INVALID_REQUEST",
  },
  {
    name: "instances not a list",
    method: "POST",
    path: v1Learn,
    body: { instances: { x: X, y: true } },
    status: 400,
    code: "BROOK_INVALID_REQUEST",
  },
  {
    name: "empty instances",
    method: "POST",
    path: v1Predict,
    body: { instances: [] },
    status: 400,
    code: "BROOK_INVALID_REQUEST",
  },
  {
    name: "too many instances",
    method: "POST",
    path: v1Predict,
    body: { instances: Array.from({ length: 6 }, () => X) },
    status: 413,
    code: "BROOK_BATCH_TOO_LARGE",
  },
  {
    name: "one bad instance rejects the whole batch",
    method: "POST",
    path: v1Learn,
    body: {
      instances: [
        { x: X, y: true },
        { x: X, y: false },
        { x: X, y: "maybe" },
      ],
    },
    status: 400,
    code: "BROOK_INVALID_TARGET",
  },
  {
    name: "batch-level y",
    method: "POST",
    path: v1Learn,
    body: { instances: [{ x: X, y: true }], y: true },
    status: 400,
    code: "BROOK_INVALID_REQUEST",
  },
  {
    name: "unknown model",
    method: "POST",
    path: "/v1/models/nope/learn",
    body: { x: X, y: true },
    status: 404,
    code: "BROOK_MODEL_NOT_FOUND",
  },
  {
    name: "unknown model",
    method: "GET",
    path: "/v1/models/nope",
    status: 404,
    code: "BROOK_MODEL_NOT_FOUND",
  },
  {
    name: "unknown model",
    method: "GET",
    path: "/v1/models/nope/export",
    status: 404,
    code: "BROOK_MODEL_NOT_FOUND",
  },
  { name: "wrong method", method: "GET", path: "/predict", status: 405, code: "BROOK_METHOD_NOT_ALLOWED" },
  {
    name: "unknown route",
    method: "POST",
    path: "/v1/models/default/fit",
    body: { x: X },
    status: 404,
    code: "BROOK_ROUTE_NOT_FOUND",
  },
);

describe("bad input gets a 4xx problem and never touches the model", () => {
  let brook: TestServer;
  let before_: string;
  before(async () => {
    brook = await startTestServer({ maxFeatures: 50, maxBatch: 5, bodyLimit: 32_768 });
    // Some learning first, so that "untouched" means something.
    for (let i = 0; i < 20; i++) {
      await call(brook.url, "POST", v1Learn, { x: { ...X, https: i % 3 }, y: i % 2 === 0 });
    }
    before_ = (await call(brook.url, "GET", "/v1/models/default/export")).text;
  });
  after(() => brook.close());

  for (const c of cases) {
    it(`${c.method} ${c.path}: ${c.name} → ${c.status} ${c.code}`, async () => {
      const res = await call(brook.url, c.method, c.path, c.body, c.headers);
      assert.equal(res.status, c.status, res.text);
      assert.match(res.type, /^application\/problem\+json/);
      assert.equal(res.body.code, c.code);
      assert.equal(res.body.status, c.status);
      assert.equal(typeof res.body.error, "string");
      assert.ok(res.body.error.length > 10, res.body.error);
    });
  }

  it("the exported model is byte-identical after all of them", async () => {
    const now = (await call(brook.url, "GET", "/v1/models/default/export")).text;
    assert.equal(now, before_);
  });

  it("errors name the offending field", async () => {
    const res = await call(brook.url, "POST", v1Learn, {
      instances: [
        { x: X, y: true },
        { x: { ...X, https: "1" }, y: true },
      ],
    });
    assert.equal(res.body.path, "instances[1].x.https");
    assert.match(
      res.body.error,
      /instances\[1\]\.x\.https is the string "1", but model "default" only takes numbers/,
    );
  });

  it("a __proto__ feature is data, not a prototype", async () => {
    const res = await call(brook.url, "POST", v1Predict, '{"x": {"__proto__": 1, "https": 1}}');
    assert.equal(res.status, 200);
    assert.equal(({} as Record<string, unknown>).https, undefined);
  });
});
