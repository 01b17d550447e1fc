// Brook's dashboard: one panel per model with its metric curve (the history first, then live
// from the event stream), its rates, lag, pending labels, drift marks, largest weights and a
// prediction form. Plain JavaScript, no build step; charts by uPlot (served by Brook itself).
//
// What the page shows is also kept in `window.__brook` and in `data-` attributes of each chart
// (`data-last-version`, `data-last-metrics`), so that tests and scripts can read it.

/* global uPlot */

const COLORS = ["#2f6fdb", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
/** Points kept per chart; past it, every other one goes (the last always stays). */
const MAX_POINTS = 4000;
const DETAILS_EVERY_MS = 2000;
const LOG_SIZE = 200;

const brook = {
  ready: false,
  worker: null,
  events: 0,
  lastEventId: null,
  models: {},
};
window.__brook = brook;

const panels = new Map();
const $ = (sel, root = document) => root.querySelector(sel);

function css(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

function fmt(v) {
  if (v === null || v === undefined) return "–";
  if (typeof v !== "number") return String(v);
  if (Number.isInteger(v)) return v.toLocaleString("en-US");
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3);
  return v.toFixed(4);
}

function rate(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  return v >= 100 ? Math.round(v).toLocaleString("en-US") : v.toFixed(1);
}

async function api(path, init) {
  const res = await fetch(path, init);
  const worker = res.headers.get("x-brook-worker");
  if (worker && !brook.worker) {
    brook.worker = worker;
    $("#served-by").textContent = `served by worker ${worker}`;
  }
  const type = res.headers.get("content-type") || "";
  const body = type.includes("json") ? await res.json() : await res.text();
  return { status: res.status, ok: res.ok, body };
}

/** A feature value typed in a form field: a number, true/false, or else a string. */
function featureValue(text) {
  const t = text.trim();
  if (t === "") return undefined;
  if (t === "true" || t === "True") return true;
  if (t === "false" || t === "False") return false;
  const n = Number(t);
  return Number.isFinite(n) ? n : t;
}

class ModelPanel {
  constructor(summary) {
    this.name = summary.name;
    this.metricNames = [];
    this.versions = [];
    this.values = [];
    this.marks = [];
    this.markKeys = new Set();
    this.lastVersion = -1;
    this.lastRates = null;
    this.plot = null;
    this.dirty = false;
    this.features = [];

    const node = $("#panel-template").content.firstElementChild.cloneNode(true);
    const id = `model-${this.name.replace(/[^\w-]/g, "_")}`;
    node.id = id;
    node.setAttribute("aria-labelledby", `${id}-name`);
    const h2 = $(".name", node);
    h2.id = `${id}-name`;
    h2.textContent = this.name;
    $(".spec code", node).textContent = summary.spec;
    $(".task", node).textContent = summary.task;
    this.node = node;
    this.figure = $(".chart", node);
    this.figure.setAttribute("role", "img");
    this.form = $(".predict-form", node);
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.predict();
    });
    document.getElementById("models").append(node);
    $("#empty").hidden = true;
  }

  /** Loads the metric history and the details, then draws. */
  async load() {
    const [history, details] = await Promise.all([
      api(`/v1/models/${encodeURIComponent(this.name)}/metrics/history`),
      api(`/v1/models/${encodeURIComponent(this.name)}`),
    ]);
    if (!details.ok) throw new Error(details.body.error || "details failed");
    this.metricNames = Object.keys(details.body.metrics || {});
    this.versions = [];
    this.values = this.metricNames.map(() => []);
    this.marks = [];
    this.markKeys.clear();
    this.lastVersion = -1;
    for (const p of history.body.points || []) this.addPoint(p.version, p.metrics);
    for (const m of history.body.marks || []) this.addMark(m);
    this.every = history.body.every;
    this.makePlot();
    this.showDetails(details.body);
    await this.loadWeights(true);
    this.draw();
  }

  makePlot() {
    if (this.plot) this.plot.destroy();
    const plotNode = $(".plot", this.node);
    plotNode.textContent = "";
    const axis = {
      stroke: css("--muted"),
      grid: { stroke: css("--line"), width: 1 },
      ticks: { stroke: css("--line") },
    };
    const opts = {
      width: Math.max(300, plotNode.clientWidth || 600),
      height: 280,
      scales: { x: { time: false } },
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
      axes: [
        { ...axis, label: "version" },
        {
          ...axis,
          label: this.metricNames.join(", "),
          size: 70,
          values: (_u, vals) => vals.map((v) => fmt(v)),
        },
      ],
      series: [
        { label: "version", value: (_u, v) => (v === null ? "–" : fmt(v)) },
        ...this.metricNames.map((m, i) => ({
          label: m,
          stroke: COLORS[i % COLORS.length],
          width: 2,
          points: { show: false },
          spanGaps: true,
          value: (_u, v) => fmt(v),
        })),
      ],
      hooks: { draw: [(u) => this.drawMarks(u)] },
    };
    this.plot = new uPlot(opts, [this.versions, ...this.values], plotNode);
    if (!this.resizer) {
      this.resizer = new ResizeObserver(() => {
        const w = plotNode.clientWidth;
        if (this.plot && w > 0) this.plot.setSize({ width: w, height: 280 });
      });
      this.resizer.observe(plotNode);
    }
  }

  /** Vertical dashed lines at drift, rollback and import versions. */
  drawMarks(u) {
    const ctx = u.ctx;
    const { top, height } = u.bbox;
    const colors = { drift: css("--drift"), rollback: css("--rollback"), import: css("--import") };
    ctx.save();
    ctx.lineWidth = 1.5 * devicePixelRatio;
    ctx.setLineDash([5 * devicePixelRatio, 4 * devicePixelRatio]);
    for (const m of this.marks) {
      const x = Math.round(u.valToPos(m.version, "x", true));
      if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
      ctx.strokeStyle = colors[m.kind] || colors.import;
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
    }
    ctx.restore();
  }

  /** Appends the metrics at `version` (ignored when the curve is already past it). */
  addPoint(version, metrics) {
    if (!metrics || version <= this.lastVersion) return;
    this.versions.push(version);
    this.metricNames.forEach((m, i) => {
      const v = metrics[m];
      this.values[i].push(typeof v === "number" ? v : null);
    });
    this.lastVersion = version;
    this.lastMetrics = metrics;
    if (this.versions.length > MAX_POINTS) this.thin();
    this.dirty = true;
  }

  thin() {
    const keep = (_, i, a) => i % 2 === 0 || i === a.length - 1;
    this.versions = this.versions.filter(keep);
    this.values = this.values.map((s) => s.filter(keep));
  }

  addMark(m) {
    const key = `${m.kind}:${m.version}`;
    if (this.markKeys.has(key)) return;
    this.markKeys.add(key);
    this.marks.push({ kind: m.kind, version: m.version, at: m.at });
    this.dirty = true;
  }

  /** Redraws the chart and publishes what it shows. */
  draw() {
    if (!this.plot) return;
    this.dirty = false;
    this.plot.setData([this.versions, ...this.values]);
    const last = this.lastVersion >= 0 ? { version: this.lastVersion, metrics: this.lastMetrics } : null;
    const f = this.figure;
    if (last) {
      const text = this.metricNames.map((m) => `${m} ${fmt(last.metrics[m])}`).join(", ");
      f.setAttribute("aria-label", `Metric curve of ${this.name}: ${text} at version ${fmt(last.version)}`);
      $(".caption", this.node).textContent =
        `${text} at version ${fmt(last.version)} · ${this.versions.length} points, ` +
        `history every ${this.every ?? "?"} versions · ${this.marks.length} marks`;
      f.dataset.lastVersion = String(last.version);
      f.dataset.lastMetrics = JSON.stringify(last.metrics);
    } else {
      f.setAttribute("aria-label", `Metric curve of ${this.name}: nothing learned yet`);
      $(".caption", this.node).textContent = "Nothing learned yet: the curve starts with the first examples.";
    }
    brook.models[this.name] = {
      points: this.versions.length,
      last,
      marks: this.marks.slice(),
      every: this.every,
    };
  }

  setStat(name, text) {
    const dd = $(`[data-stat="${name}"]`, this.node);
    if (dd) dd.textContent = text;
  }

  /** Version, rates (from successive details), lag, pending labels, drifts, checkpoints. */
  showDetails(d) {
    const now = performance.now();
    this.setStat("version", fmt(d.version));
    this.setStat("learned", fmt(d.learned));
    if (this.lastRates) {
      const dt = (now - this.lastRates.t) / 1000;
      if (dt > 0.2) {
        this.setStat("learn-rate", rate(Math.max(0, d.version - this.lastRates.version) / dt));
        this.setStat("predict-rate", rate(Math.max(0, (d.predicted ?? 0) - this.lastRates.predicted) / dt));
      }
    }
    this.lastRates = { t: now, version: d.version, predicted: d.predicted ?? 0 };
    if (Array.isArray(d.replicas) && d.replicas.length > 0) {
      const events = Math.max(...d.replicas.map((r) => r.replica_lag_events));
      const secs = Math.max(...d.replicas.map((r) => r.replica_lag_seconds));
      this.setStat("lag", `${fmt(events)} (${secs.toFixed(2)} s)`);
    } else {
      this.setStat("lag", "none (1 process)");
    }
    const p = d.pending || {};
    this.setStat("pending", fmt(p.waiting ?? 0));
    this.setStat("drifts", d.drift ? fmt(d.drift.detections) : "not watched");
    $('[data-stat="drifts"]', this.node).title = d.drift ? `detector: ${d.drift.detector}` : "";
    const c = d.checkpoints || {};
    this.setStat("checkpoints", c.latest ? `${fmt(c.count)} (v${fmt(c.latest.version)})` : fmt(c.count ?? 0));
  }

  /** Details every few seconds; the weights too when the model has changed since they were read. */
  async refreshDetails() {
    const d = await api(`/v1/models/${encodeURIComponent(this.name)}`);
    if (!d.ok) return;
    this.showDetails(d.body);
    if (!this.notLinear && d.body.version !== this.weightsVersion) await this.loadWeights(false);
  }

  /** The largest weights of a linear model (hidden for others); the first load also builds the form. */
  async loadWeights(first) {
    const w = await api(`/v1/models/${encodeURIComponent(this.name)}/weights?k=12`);
    const section = $(".weights", this.node);
    this.weightsVersion = w.ok ? w.body.version : undefined;
    if (!w.ok) {
      this.notLinear = w.status === 400;
      section.hidden = true;
      if (first) this.buildForm([]);
      return;
    }
    section.hidden = false;
    $(".weights-kind", this.node).textContent =
      `${w.body.kind}: ${fmt(w.body.features)} features, intercept ${fmt(w.body.intercept)}` +
      ` (on the features as the estimator sees them)`;
    const max = Math.max(1e-12, ...w.body.top.map((t) => Math.abs(t.weight ?? 0)));
    const rows = w.body.top.map((t) => {
      const tr = document.createElement("tr");
      const name = document.createElement("td");
      name.textContent = t.feature;
      const value = document.createElement("td");
      value.className = "num";
      value.textContent = fmt(t.weight);
      const barCell = document.createElement("td");
      barCell.className = "bar-cell";
      const bar = document.createElement("div");
      bar.className = `bar${(t.weight ?? 0) < 0 ? " neg" : ""}`;
      bar.style.width = `${(100 * Math.abs(t.weight ?? 0)) / max}%`;
      barCell.append(bar);
      tr.append(name, value, barCell);
      return tr;
    });
    $(".weights tbody", this.node).replaceChildren(...rows);
    // The form gets a field per feature once the model has seen some (until then: JSON).
    if (first || (this.features.length === 0 && w.body.features > 0)) {
      const all = await api(`/v1/models/${encodeURIComponent(this.name)}/weights?k=64`);
      this.buildForm(all.ok ? all.body.top.map((t) => t.feature) : []);
    }
  }

  /** One field per known feature, or a JSON box when the features are not known. */
  buildForm(features) {
    this.features = features;
    const fields = $(".fields", this.form);
    fields.textContent = "";
    $(".json-label", this.form).hidden = features.length > 0;
    features.forEach((f, i) => {
      const label = document.createElement("label");
      label.textContent = f;
      const input = document.createElement("input");
      input.name = f;
      input.inputMode = "decimal";
      input.autocomplete = "off";
      input.dataset.feature = f;
      input.id = `${this.node.id}-f${i}`;
      label.append(input);
      fields.append(label);
    });
  }

  async predict() {
    const answer = $(".answer", this.node);
    let x = {};
    try {
      if (this.features.length > 0) {
        for (const input of this.form.querySelectorAll("input[data-feature]")) {
          const v = featureValue(input.value);
          if (v !== undefined) x[input.dataset.feature] = v;
        }
      } else {
        x = JSON.parse($(".json", this.form).value || "{}");
      }
    } catch (err) {
      answer.innerHTML = "";
      answer.append(
        Object.assign(document.createElement("p"), { className: "error", textContent: String(err) }),
      );
      return;
    }
    const r = await api(`/v1/models/${encodeURIComponent(this.name)}/predict`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ x }),
    });
    answer.textContent = "";
    if (!r.ok) {
      answer.append(
        Object.assign(document.createElement("p"), {
          className: "error",
          textContent: `${r.body.error} (${r.body.code})`,
        }),
      );
      return;
    }
    const b = r.body;
    const value = "score" in b ? b.score : b.prediction;
    const p = document.createElement("p");
    p.className = "prediction";
    p.dataset.prediction = JSON.stringify(value);
    p.textContent = `${"score" in b ? "anomaly score" : "prediction"}: ${value === null ? "none yet" : fmt(value)}`;
    const by = document.createElement("p");
    by.className = "muted";
    by.textContent = `answered by version ${fmt(b.version)}${brook.worker ? ` (worker ${brook.worker})` : ""}`;
    answer.append(p);
    if (b.probabilities) {
      const ul = document.createElement("ul");
      for (const [label, prob] of Object.entries(b.probabilities)) {
        const li = document.createElement("li");
        li.textContent = `P(${label}) = ${prob.toFixed(4)}`;
        ul.append(li);
      }
      answer.append(ul);
    }
    answer.append(by);
    answer.dataset.version = String(b.version);
  }

  remove() {
    this.resizer?.disconnect();
    this.plot?.destroy();
    this.node.remove();
    delete brook.models[this.name];
  }
}

// ---------------------------------------------------------------- events

function logEvent(e) {
  if (e.type === "learn") return;
  const li = document.createElement("li");
  const time = document.createElement("time");
  time.dateTime = e.at;
  time.textContent = new Date(e.at).toLocaleTimeString();
  const what = {
    drift: `drift detected at version ${fmt(e.version)} (${fmt(e.detections)} so far)`,
    checkpoint: `checkpoint at version ${fmt(e.version)} (${fmt(e.bytes)} bytes)`,
    rollback: `rolled back to the checkpoint of version ${fmt(e.restored)}, now version ${fmt(e.version)}`,
    import: `state imported, now version ${fmt(e.version)}`,
    "model-created": `created: ${e.spec}`,
    "model-deleted": "deleted",
  }[e.type];
  li.append(time, `${e.model}: ${what ?? e.type}`);
  const list = $("#log");
  list.prepend(li);
  while (list.children.length > LOG_SIZE) list.lastElementChild.remove();
}

function apply(e) {
  brook.events += 1;
  brook.lastEventId = e.id;
  logEvent(e);
  if (e.type === "model-created") {
    if (!panels.has(e.model)) addPanel({ name: e.model, spec: e.spec, task: e.task });
    return;
  }
  const panel = panels.get(e.model);
  if (!panel) return;
  switch (e.type) {
    case "learn":
      panel.addPoint(e.version, e.metrics);
      panel.setStat("version", fmt(e.version));
      panel.setStat("learned", fmt(e.learned));
      break;
    case "drift":
      panel.addMark({ kind: "drift", version: e.version, at: e.at });
      panel.setStat("drifts", fmt(e.detections));
      break;
    case "rollback":
    case "import":
      panel.addMark({ kind: e.type, version: e.version, at: e.at });
      panel.addPoint(e.version, e.metrics);
      break;
    case "model-deleted":
      panel.remove();
      panels.delete(e.model);
      if (panels.size === 0) $("#empty").hidden = false;
      break;
  }
}

async function addPanel(summary) {
  const panel = new ModelPanel(summary);
  panels.set(summary.name, panel);
  await panel.load();
  return panel;
}

async function loadAll() {
  for (const p of panels.values()) p.remove();
  panels.clear();
  const list = await api("/v1/models");
  const models = list.ok ? list.body.models : [];
  $("#empty").hidden = models.length > 0;
  await Promise.all(models.map(addPanel));
}

function setStatus(state, text) {
  const s = $("#status");
  s.dataset.state = state;
  s.textContent = text;
}

/** One stream for every model; events that come while the panels load wait, then apply in order. */
async function start() {
  let buffer = [];
  const events = new EventSource("/v1/events");
  const onEvent = (msg) => {
    const e = JSON.parse(msg.data);
    if (buffer) buffer.push(e);
    else apply(e);
  };
  for (const t of ["learn", "drift", "checkpoint", "rollback", "import", "model-created", "model-deleted"]) {
    events.addEventListener(t, onEvent);
  }
  // Events were lost to this page (it was away too long, or the server restarted): read it all again.
  events.addEventListener("resync", async () => {
    buffer = [];
    await loadAll();
    const held = buffer;
    buffer = null;
    for (const e of held) apply(e);
  });
  events.onopen = () => setStatus("live", "live");
  events.onerror = () => setStatus("reconnecting", "reconnecting…");
  await loadAll();
  const held = buffer;
  buffer = null;
  for (const e of held) apply(e);
  for (const p of panels.values()) p.draw();
  brook.ready = true;
  document.body.dataset.ready = "true";

  const frame = () => {
    for (const p of panels.values()) if (p.dirty) p.draw();
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  setInterval(() => {
    for (const p of panels.values()) p.refreshDetails().catch(() => {});
  }, DETAILS_EVERY_MS);
}

start().catch((err) => {
  setStatus("reconnecting", `failed: ${err.message}`);
  console.error(err);
});
