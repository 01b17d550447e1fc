import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { featuresText } from "../../src/codec/events.js";
import { loadStream } from "../../src/data/datasets.js";
import { pyPercent } from "../../src/learn/math/py-format.js";
import { num, readCombo } from "../helpers/river.js";
import { call, startTestServer, type TestServer } from "../helpers/server.js";

describe("the original blog routes", () => {
  let brook: TestServer;
  before(async () => {
    brook = await startTestServer();
  });
  after(() => brook.close());

  it("POST /predict answers the label as Python text before any learning (p = 0.5 → False)", async () => {
    const res = await call(brook.url, "POST", "/predict", { x: { https: 1, popup_window: 0 } });
    assert.equal(res.status, 200);
    assert.match(res.type, /^text\/plain/);
    assert.equal(res.text, "False");
  });

  it("replaying Phishing through PUT /update_model gives River's metric text on every row", async () => {
    const combo = readCombo("i_blog_loop_phishing.json");
    const { rows } = loadStream("phishing");
    for (const [i, row] of rows.entries()) {
      // Exactly what the original send_requests.py sent: the features and int(y).
      const body = `{"x":${featuresText(row.x)},"y":${row.y ? 1 : 0}}`;
      const res = await call(brook.url, "PUT", "/update_model", body);
      assert.equal(res.status, 200);
      const expected = `ROCAUC: ${pyPercent(num(combo.rows[i].metrics["ROCAUC(n_thresholds=10)"]), 2)}`;
      assert.equal(res.text, expected, `row ${i}`);
    }
    const last = await call(brook.url, "GET", "/v1/models/default/metrics?min_version=1250");
    assert.deepEqual(last.body.text, ["ROCAUC: 95.07%"]);
    assert.equal(last.body.version, 1250);
    assert.equal(last.body.metrics.ROCAUC, combo.final.metrics["ROCAUC(n_thresholds=10)"]);
  });

  it("POST /predict uses the freshest model and answers True/False like str(bool)", async () => {
    const phishy = {
      x: {
        empty_server_form_handler: 0,
        popup_window: 0,
        https: 0,
        request_from_other_domain: 0,
        anchor_from_other_domain: 0,
        is_popular: 1,
        long_url: 1,
        age_of_domain: 0,
        ip_in_url: 1,
      },
    };
    const safe = {
      x: {
        empty_server_form_handler: 1,
        popup_window: 1,
        https: 1,
        request_from_other_domain: 1,
        anchor_from_other_domain: 1,
        is_popular: 0,
        long_url: 0,
        age_of_domain: 1,
        ip_in_url: 0,
      },
    };
    assert.equal((await call(brook.url, "POST", "/predict", phishy)).text, "True");
    assert.equal((await call(brook.url, "POST", "/predict", safe)).text, "False");
  });

  it("both routes answer JSON when asked", async () => {
    const json = { accept: "application/json" };
    const p = await call(brook.url, "POST", "/predict", { x: { https: 1 } }, json);
    assert.equal(p.status, 200);
    assert.equal(p.body.model, "default");
    assert.equal(typeof p.body.prediction, "boolean");
    assert.deepEqual(Object.keys(p.body.probabilities), ["false", "true"]);
    assert.ok(Math.abs(p.body.probabilities.false + p.body.probabilities.true - 1) < 1e-12);
    const u = await call(brook.url, "PUT", "/update_model", { x: { https: 1 }, y: true }, json);
    assert.equal(u.status, 200);
    assert.equal(u.body.version, p.body.version + 1);
    assert.match(u.body.text, /^ROCAUC: \d+\.\d\d%$/);
    assert.equal(typeof u.body.metrics.ROCAUC, "number");
  });
});
