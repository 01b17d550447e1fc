/**
 * The one place errors become problem JSON: an internal error never shows its raw message (it
 * may hold paths, data or stack details) and carries the request id to find it in the logs;
 * client errors keep their message, code, status and details.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { JsonDepthError, JsonSyntaxError } from "../../src/codec/ordered-json.js";
import { brookError } from "../../src/errors.js";
import { toProblem } from "../../src/server/http/problem.js";

describe("toProblem", () => {
  it("an internal error is a generic 500 with the request id, never its own message", () => {
    const secret = "EACCES: permission denied, open '/var/lib/brook/models/m/00000001.seg'";
    for (const err of [new Error(secret), new TypeError(secret), secret, { message: secret }]) {
      const p = toProblem(err, "req-42");
      assert.deepEqual(p, {
        error: "internal error",
        code: "BROOK_INTERNAL",
        status: 500,
        request_id: "req-42",
      });
      assert.ok(!JSON.stringify(p).includes("EACCES"));
    }
    assert.deepEqual(toProblem(new Error(secret)), {
      error: "internal error",
      code: "BROOK_INTERNAL",
      status: 500,
    });
  });

  it("client errors keep their message, code, status and details", () => {
    const p = toProblem(
      brookError("INVALID_TARGET", "y must be a finite number for a regressor, got Infinity", { path: "y" }),
    );
    assert.deepEqual(p, {
      path: "y",
      error: "y must be a finite number for a regressor, got Infinity",
      code: "BROOK_INVALID_TARGET",
      status: 400,
    });
    assert.equal(toProblem(new JsonSyntaxError("Unexpected end of JSON input")).code, "BROOK_INVALID_JSON");
    const deep = toProblem(new JsonDepthError(64));
    assert.equal(deep.code, "BROOK_INVALID_JSON");
    assert.equal(deep.status, 400);
  });
});
