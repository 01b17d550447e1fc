/**
 * The dashboard in a real headless Chromium (Debian's, driven by playwright-core) against
 * `brook serve --workers 2`: the page opens before any learning, Phishing is replayed into two
 * models with the CLI, and the chart ends on exactly the metric the API reports, with the
 * drift detections of the API marked on it; a prediction through the form answers what the API
 * answers. A screenshot is kept in test-artifacts/dashboard.png.
 *
 * Skipped, saying why, only when Chromium cannot be launched at all (CI installs it).
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { loadStream } from "../../src/data/datasets.js";
import { ROOT, runBrook, type ServerProcess, spawnServer } from "../helpers/process.js";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const ARTIFACT = join(ROOT, "test-artifacts", "dashboard.png");
const rows = loadStream("phishing").rows;

async function json(url: string, init?: RequestInit): Promise<any> {
  const res = await fetch(url, init);
  return res.json();
}

/** Polls `read` until `done` holds for its value; fails with the last value after `ms`. */
async function eventually<T>(
  read: () => Promise<T>,
  done: (v: T) => boolean,
  ms: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + ms;
  let v = await read();
  while (!done(v)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
    v = await read();
  }
  return v;
}

describe("the dashboard in headless Chromium", { timeout: 180_000 }, () => {
  let context: BrowserContext | undefined;
  let launchError: string | undefined;
  let profile: string;
  let server: ServerProcess | undefined;

  before(async () => {
    profile = mkdtempSync(join(tmpdir(), "brook-chromium-"));
    if (!existsSync(CHROMIUM)) {
      launchError = `${CHROMIUM} is missing (apt-get install chromium)`;
      return;
    }
    try {
      context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: ARGS,
        viewport: { width: 1280, height: 900 },
        timeout: 30_000,
      });
    } catch (err) {
      launchError = (err as Error).message.split("\n")[0];
      return;
    }
    server = await spawnServer(["--workers", "2", "--store", "memory"], {}, 2);
  });

  after(async () => {
    await context?.close();
    if (server) {
      server.child.kill("SIGTERM");
      await server.exited();
    }
    rmSync(profile, { recursive: true, force: true });
  });

  it("shows the metric climbing live to the API's value, drift marks, and answers a prediction", async (t) => {
    if (!context || !server) {
      t.skip(`Chromium cannot be launched here: ${launchError}`);
      return;
    }
    const url = server.url;
    // A second model, watched for drift, so that the chart has marks to show.
    const put = await fetch(`${url}/v1/models/drifty`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        spec: "StandardScaler | LogisticRegression",
        drift: "PageHinkley(threshold=5)",
      }),
    });
    assert.equal(put.status, 201);

    const page: Page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(m.text());
    });
    await page.goto(`${url}/`);
    await page.waitForFunction(() => (globalThis as any).__brook?.ready === true, null, { timeout: 20_000 });
    assert.equal(await page.locator("section.panel").count(), 2, "one panel per model");
    assert.match((await page.textContent("#served-by")) ?? "", /served by worker \d+/);
    await page.waitForSelector('#status[data-state="live"]', { timeout: 10_000 });

    // Replay Phishing into both models while the page watches.
    const [a, b] = await Promise.all([
      runBrook(["replay", "phishing", "--url", url, "--no-progress"]),
      runBrook(["replay", "phishing", "--url", url, "--model", "drifty", "--route", "v1", "--no-progress"]),
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    assert.match(a.stdout, /ROCAUC: 95\.07%/);

    for (const name of ["default", "drifty"]) {
      const api = await eventually(
        () => json(`${url}/v1/models/${name}/metrics`),
        (m) => m.version === 1250,
        10_000,
        `${name} at version 1250`,
      );
      const shown = await eventually(
        () => page.evaluate((n) => (globalThis as any).__brook.models[n]?.last, name),
        (last: any) => last?.version === 1250,
        15_000,
        `the ${name} chart at version 1250`,
      );
      assert.deepEqual(shown.metrics, api.metrics, `the ${name} chart ends on the API's metric`);
      // The same, as the page exposes it in its attributes.
      const figure = page.locator(`#model-${name} figure.chart`);
      assert.equal(await figure.getAttribute("data-last-version"), "1250");
      assert.deepEqual(JSON.parse((await figure.getAttribute("data-last-metrics"))!), api.metrics);
      const points = await page.evaluate((n) => (globalThis as any).__brook.models[n].points, name);
      assert.ok(points >= 5, `${name}: the curve was drawn live (${points} points)`);
    }

    // Drift detections are marked on the curve, at the versions the API reports.
    const details = await json(`${url}/v1/models/drifty`);
    assert.ok(details.drift.detections > 0, "PageHinkley saw drift in Phishing");
    const marks = await page.evaluate(() => (globalThis as any).__brook.models.drifty.marks);
    assert.deepEqual(
      marks.filter((m: any) => m.kind === "drift").map((m: any) => m.version),
      details.drift.recent.map((r: any) => r.version),
    );

    // A prediction through the form answers what the API answers.
    const x = Object.fromEntries(rows[3]!.x) as Record<string, number | string | boolean>;
    const form = page.locator("#model-default form.predict-form");
    for (const [k, v] of Object.entries(x)) await form.locator(`input[data-feature="${k}"]`).fill(String(v));
    await form.locator('button[type="submit"]').click();
    const answer = page.locator("#model-default .answer .prediction");
    await answer.waitFor({ timeout: 10_000 });
    const expected = await json(`${url}/v1/models/default/predict`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ x, min_version: 1250 }),
    });
    assert.equal(await answer.getAttribute("data-prediction"), JSON.stringify(expected.prediction));
    assert.equal(await page.locator("#model-default .answer").getAttribute("data-version"), "1250");

    // The rates and details come from the API too (predictions/s shows a number once counted).
    await eventually(
      () => page.textContent('#model-default [data-stat="version"]'),
      (v) => v === "1,250",
      10_000,
      "the version stat",
    );

    mkdirSync(join(ROOT, "test-artifacts"), { recursive: true });
    await page.screenshot({ path: ARTIFACT, fullPage: true });
    assert.deepEqual(problems, [], "no errors in the page");
  });
});
