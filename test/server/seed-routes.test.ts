import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { featuresText } from "../../src/codec/events.js";
import { loadStream } from "../../src/data/datasets.js";
import { FIXTURES, num, readCombo } from "../helpers/river.js";
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
    // River's own printout of this run (`progressive_val_score(..., print_every=200)`): the
    // text after rows 200, 400, ..., 1200 and the last one, e.g. "[1,250] ROCAUC: 95.07%".
    const printed = new Map<number, string>();
    for (const line of readFileSync(join(FIXTURES, "progressive_val_score_print_every_200.txt"), "utf8")
      .trim()
      .split("\n")) {
      const m = /^\[([\d,]+)\] (.*)$/.exec(line)!;
      printed.set(Number(m[1]!.replaceAll(",", "")), m[2]!);
    }
    assert.equal(printed.size, 7);
    for (const [i, row] of rows.entries()) {
      // Exactly what the original send_requests.py sent: the features and int(y).
      const body = `{"x":${featuresText(row.x)},"y":${row.y ? 1 : 0}}`;
      const res = await call(brook.url, "PUT", "/update_model", body);
      assert.equal(res.status, 200);
      const text = printed.get(i + 1);
      if (text !== undefined) assert.equal(res.text, text, `row ${i}: River printed "${text}"`);
      // Every other row: Python's f"{v:.2%}" of River's value, read back: two decimals,
      // rounded to nearest (within half a unit of the last digit), and -0.0 prints "-0.00%".
      const value = num(combo.rows[i].metrics["ROCAUC(n_thresholds=10)"]);
      const m = /^ROCAUC: (-?\d+\.\d\d)%$/.exec(res.text);
      assert.ok(m, `row ${i}: "${res.text}"`);
      if (Object.is(value, -0)) assert.equal(res.text, "ROCAUC: -0.00%", `row ${i}`);
      else
        assert.ok(Math.abs(Number(m[1]) - value * 100) <= 0.005 + 1e-9, `row ${i}: ${res.text} for ${value}`);
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
