// The dashboard page: polls the engine's JSON API once a second and redraws. No framework, no CDN; uPlot is copied
// beside this file at build. Failures show in the status badge, never as console errors.
"use strict";

const $ = (id) => document.getElementById(id);
const fmtInt = (n) => (n === null || n === undefined ? "-" : Number(n).toLocaleString("en-US"));
const fmtNum = (n, d = 2) => (n === null || n === undefined ? "-" : Number(n).toFixed(d));
const fmtNs = (ns) => {
  if (ns === null || ns === undefined) return "-";
  if (ns >= 1e6) return (ns / 1e6).toFixed(2) + " ms";
  if (ns >= 1e3) return (ns / 1e3).toFixed(2) + " µs";
  return Math.round(ns) + " ns";
};
const fmtDuration = (s) => {
  if (s === null || s === undefined) return "-";
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = Math.floor(s % 60);
  return (h ? h + "h " : "") + (h || m ? m + "m " : "") + sec + "s";
};

function fillTable(id, rows, columns, emptyText) {
  const body = $(id).tBodies[0];
  body.replaceChildren();
  if (rows.length === 0) {
    const tr = body.insertRow();
    const td = tr.insertCell();
    td.colSpan = $(id).tHead.rows[0].cells.length;
    td.className = "empty";
    td.textContent = emptyText;
    return;
  }
  for (const row of rows) {
    const tr = body.insertRow();
    for (const [value, numeric] of columns(row)) {
      const td = tr.insertCell();
      td.textContent = value;
      if (numeric) td.className = "num";
    }
  }
}

async function get(path) {
  const r = await fetch(path, { cache: "no-store" });
  if (!r.ok) throw new Error(path + ": HTTP " + r.status);
  return r.json();
}

function chartWidth(id) {
  return Math.max(300, $(id).clientWidth || 400);
}

// A time axis over at least the last minute. uPlot widens a lone point to the 1,000 days after it (86400 / ms) before it
// asks this function, so one point is recognised by the data, not by the span.
function timeRange(u, min, max) {
  const t = u.data && u.data[0];
  if (t && t.length === 1) return [t[0] - 60, t[0]];
  return max - min < 60 ? [max - 60, max] : [min, max];
}

// Opportunities per second by kind, from the difference of totals between polls.
const oppSeries = { t: [], kinds: {} };
let lastByKind = null, lastTime = null, oppChart = null, oppChartKinds = "";
function drawOpportunities(byKind) {
  const now = Date.now() / 1000;
  if (lastByKind !== null) {
    const dt = Math.max(0.001, now - lastTime);
    oppSeries.t.push(now);
    const kinds = new Set([...Object.keys(byKind), ...Object.keys(oppSeries.kinds)]);
    for (const k of kinds) {
      if (!oppSeries.kinds[k]) oppSeries.kinds[k] = new Array(oppSeries.t.length - 1).fill(0);
      oppSeries.kinds[k].push(((byKind[k] || 0) - (lastByKind[k] || 0)) / dt);
    }
    if (oppSeries.t.length > 300) {
      oppSeries.t.shift();
      for (const k in oppSeries.kinds) oppSeries.kinds[k].shift();
    }
  }
  lastByKind = byKind;
  lastTime = now;
  const kinds = Object.keys(oppSeries.kinds).sort();
  const data = [oppSeries.t, ...kinds.map((k) => oppSeries.kinds[k])];
  const colors = ["#2b6cb0", "#c05621", "#2f855a", "#6b46c1", "#b83280"];
  if (oppChart === null || oppChartKinds !== kinds.join(",")) {
    if (oppChart) oppChart.destroy();
    oppChartKinds = kinds.join(",");
    oppChart = new uPlot({
      width: chartWidth("chart-opportunities"), height: 220,
      scales: { x: { range: timeRange } },
      series: [{}, ...kinds.map((k, i) => ({ label: k, stroke: colors[i % colors.length], width: 1.5 }))],
      axes: [{}, { label: "per second" }],
    }, data, $("chart-opportunities"));
  } else {
    oppChart.setData(data);
  }
}

let latencyChart = null;
function drawLatency(histograms) {
  const h = histograms.find((x) => x.name === "tick_to_opportunity") || { count: 0, buckets: [] };
  $("latency-figures").innerHTML = "";
  for (const [label, v] of [["samples", fmtInt(h.count)], ["p50", fmtNs(h.p50Ns)], ["p90", fmtNs(h.p90Ns)], ["p99", fmtNs(h.p99Ns)], ["p99.9", fmtNs(h.p999Ns)], ["max", fmtNs(h.maxNs)]]) {
    const span = document.createElement("span");
    span.append(label + " ");
    const b = document.createElement("b");
    b.textContent = v;
    b.id = "latency-" + label.replace(".", "");
    span.append(b);
    $("latency-figures").append(span);
  }
  // x: log2 of the bucket's upper bound in µs; bars of counts.
  const xs = h.buckets.map((b) => Math.log2(b.upToNs / 1000));
  const ys = h.buckets.map((b) => b.count);
  const data = [xs.length ? xs : [0], ys.length ? ys : [0]];
  if (latencyChart === null) {
    latencyChart = new uPlot({
      width: chartWidth("chart-latency"), height: 220,
      scales: { x: { time: false } },
      series: [{ label: "≤ µs", value: (u, v) => (v === null ? "-" : Math.pow(2, v).toFixed(2)) },
               { label: "count", stroke: "#2b6cb0", fill: "rgba(43,108,176,0.25)", paths: uPlot.paths.bars({ size: [0.9, 40] }), points: { show: false } }],
      axes: [{ label: "≤ µs (log₂)", values: (u, vals) => vals.map((v) => Math.pow(2, v) >= 1000 ? (Math.pow(2, v) / 1000).toFixed(1) + "ms" : Math.pow(2, v).toFixed(Math.pow(2, v) < 1 ? 2 : 0)) }, { label: "count" }],
    }, data, $("chart-latency"));
  } else {
    latencyChart.setData(data);
  }
}

let pnlChart = null;
function drawPnl(p) {
  $("pnl-figures").innerHTML = "";
  const win = Object.entries(p.winRateByStrategy).map(([k, w]) => k + " " + fmtNum(w.rate * 100, 1) + "%").join(", ") || "-";
  for (const [label, v] of [["total USD", fmtNum(p.totalUsd)], ["total ETH", fmtNum(p.totalEth, 6)], ["trades", fmtInt(p.trades)], ["Sharpe", fmtNum(p.sharpe)], ["max drawdown USD", fmtNum(p.maxDrawdownUsd)], ["win rate", win], ["opportunities/h", fmtNum(p.opportunitiesPerHour, 0)],
    ["execution success", Object.entries(p.executionSuccessByPath).map(([k, x]) => k + " " + (x.rate === null ? "-" : fmtNum(x.rate * 100, 1) + "%")).join(", ") || "-"],
    ["slippage vs predicted bps", p.slippageVsPredicted === null ? "-" : fmtNum(p.slippageVsPredicted.meanRealizedBps) + " vs " + fmtNum(p.slippageVsPredicted.meanPredictedBps)],
    ["gas vs estimated", p.gasVsEstimated === null ? "-" : fmtNum(p.gasVsEstimated.usedOverEstimated, 3) + "x"]]) {
    const span = document.createElement("span");
    span.append(label + " ");
    const b = document.createElement("b");
    b.textContent = v;
    b.id = "pnl-" + label.replaceAll(" ", "-").replace("/", "-per-");
    span.append(b);
    $("pnl-figures").append(span);
  }
  const t = p.curve.map((c) => c.timeNs / 1e9);
  const now = Date.now() / 1000;
  const data = t.length ? [t, p.curve.map((c) => c.cumulativeUsd), p.curve.map((c) => -c.drawdownUsd)] : [[now - 60, now], [0, 0], [0, 0]];
  if (pnlChart === null) {
    pnlChart = new uPlot({
      width: chartWidth("chart-pnl"), height: 220,
      scales: { x: { range: timeRange } },
      series: [{}, { label: "cumulative", stroke: "#2f855a", width: 1.5 }, { label: "drawdown", stroke: "#b3261e", fill: "rgba(179,38,30,0.15)" }],
      axes: [{}, { label: "USD" }],
    }, data, $("chart-pnl"));
  } else {
    pnlChart.setData(data);
  }
}

// The training's PNG curves: redrawn only when the list changes (a new training run), so images are not refetched.
let shownCurves = "";
function showCurves(curves) {
  const key = curves.map((c) => c.url).join("|");
  if (key === shownCurves) return;
  shownCurves = key;
  const box = $("curves");
  box.replaceChildren();
  if (curves.length === 0) {
    box.textContent = "no learning curves in the models folder";
    return;
  }
  for (const c of curves) {
    const figure = document.createElement("figure");
    const img = document.createElement("img");
    img.src = c.url.replace(/^\//, "");
    img.alt = c.name;
    const caption = document.createElement("figcaption");
    caption.textContent = c.name;
    figure.append(img, caption);
    box.append(figure);
  }
}

let lastModelsFetch = 0;
async function refresh() {
  try {
    const [health, opps, latency, venues, breakers, pnl, decisions, agents, matrix, jobs, cluster] = await Promise.all([
      get("api/health"), get("api/opportunities/recent?limit=25"), get("api/latency"), get("api/venues"), get("api/breakers"),
      get("api/pnl"), get("api/ai/decisions/recent?limit=20"), get("api/rl/agents/status"), get("api/execution/matrix"), get("api/ml/train"),
      get("api/cluster"),
    ]);
    $("status").textContent = health.status;
    $("status").className = "badge " + health.status;
    $("mode").textContent = health.mode;
    $("uptime").textContent = fmtDuration(health.uptimeSeconds);
    $("ticks").textContent = fmtInt(health.strategy.ticks);
    $("opportunities-total").textContent = fmtInt(opps.total);
    $("per-hour").textContent = fmtNum(opps.perHour, 0);
    $("snapshot-age").textContent = health.snapshotAgeMs === null ? "-" : fmtNum(health.snapshotAgeMs, 0) + " ms";
    $("problems").textContent = health.problems.join("; ");
    const l = health.log, db = health.persistence;
    $("persistence").textContent = "log " + l.path + ": " + fmtInt(l.written) + " written, " + fmtInt(l.dropped) + " dropped, " + fmtInt(l.lost) + " lost · db " +
      (db.enabled ? db.path + " (schema " + db.schemaVersion + "): " + fmtInt(db.written) + " rows written, " + fmtInt(db.queued) + " queued, " + fmtInt(db.dropped) + " dropped, " + fmtInt(db.failed) + " failed" : "off");

    drawOpportunities(opps.byKind);
    drawLatency(latency.histograms);
    drawPnl(pnl);
    fillTable("opportunities", opps.opportunities, (o) => [[o.kind], [o.instrument], [o.buyVenue], [o.sellVenue], [o.buyPrice, true], [o.sellPrice, true], [o.quantity, true], [fmtNum(o.netEdgeBps), true], [fmtNs(o.tickToOpportunityNs), true]], "none yet");
    fillTable("venues", venues.venues, (v) => [[v.name], [v.tradeableBooks + "/" + v.books, true], [fmtNum(v.integrityScore * 100, 1) + "%", true], [fmtInt(v.gaps), true], [fmtInt(v.checksumFailures), true], [fmtInt(v.crossedBooks), true], [fmtInt(v.staleDrops), true], [fmtInt(v.resyncs), true]], "no venue snapshot yet");
    fillTable("chains", venues.chains, (c) => [[c.name], [c.state], [fmtInt(c.lastBlock), true], [c.integrityScore === null ? "-" : fmtNum(c.integrityScore * 100, 1) + "%", true], [fmtInt(c.poolEventsApplied), true], [fmtInt(c.poolEventsDropped), true]], "no chains in this run");
    fillTable("cluster", cluster.nodes, (n) => [[n.name], [n.state], [n.venues.filter((v) => v.state === "up").length + "/" + n.venues.length, true], [fmtInt(n.fills), true], [fmtInt(n.duplicates), true], [fmtInt(n.gaps), true], [fmtNum(n.pnl), true], [fmtNum(n.exposureUsd), true], [fmtNum(n.notionalTodayUsd), true], [n.lastSeenMs === 0 ? "-" : fmtDuration(Math.max(0, cluster.at - n.lastSeenMs) / 1000) + " ago", true]], "one box: not in cluster mode");
    fillTable("breakers", breakers.breakers, (b) => [[b.name], [b.state], [b.reason || ""], [b.value === null ? "-" : fmtNum(b.value, 4) + " / " + fmtNum(b.limit, 4), true], [b.sinceNs === null ? "-" : new Date(b.sinceNs / 1e6).toISOString()], [fmtInt(b.denied), true]], "no risk gate in this run");
    fillTable("latency-stages", latency.histograms, (h) => [[h.name.replaceAll("_", " ")], [h.state], [fmtInt(h.count), true], [fmtNs(h.p50Ns), true], [fmtNs(h.p99Ns), true], [fmtNs(h.p999Ns), true]], "no stages");
    const returns = [...pnl.hourlyReturns.slice(-6).map((r) => ["hour", r]), ...pnl.dailyReturns.slice(-3).map((r) => ["day", r])];
    fillTable("returns", returns, ([k, r]) => [[k], [new Date(r.start).toISOString()], [fmtNum(r.pnlUsd), true]], "no trades yet");
    fillTable("decisions", decisions.decisions, (d) => [[new Date(d.timeNs / 1e6).toISOString()], [d.instrument], [d.path], [Object.entries(d.modelScores).map(([k, v]) => k + " " + fmtNum(v, 3)).join(", ")], [d.agentVotes.map((a) => a.agent + " " + a.mode + ":" + a.action + "/rule " + a.ruleAction).join(", ")], [d.riskVerdict + (d.riskReason ? " (" + d.riskReason + ")" : "")]], "no decision stage in this build");
    fillTable("agents", agents.agents, (a) => [[a.name], [a.state], [a.policyVersion || "-"], [fmtInt(a.decisions), true], [fmtInt(a.disagreements), true], [fmtNum(a.meanReward), true]], "no RL agents in this build");
    fillTable("execution", matrix.cells, (c) => [[c.path], [c.venue], [fmtInt(c.attempts), true], [c.successRate === null ? "-" : fmtNum(c.successRate * 100, 1) + "%", true], [fmtNum(c.slippageVsPredictedBps), true], [fmtNum(c.gasVsEstimated, 3), true]], "nothing executed (dry run)");
    fillTable("jobs", jobs.jobs, (j) => [[j.jobId], [j.modelType], [j.status], [fmtInt(j.progressLines), true], [j.progress.length ? j.progress[j.progress.length - 1] : ""]], "no training jobs");
    if (Date.now() - lastModelsFetch > 10000) {
      lastModelsFetch = Date.now();
      const [models, curves] = await Promise.all([get("api/ml/performance"), get("api/ml/curves")]);
      showCurves(curves.curves);
      fillTable("models", models.models, (m) => [[m.kind + " (" + m.file + ")"], [m.version === null ? "-" : m.version], [m.beatsBaseline === null ? "-" : m.beatsBaseline ? "yes" : "no"], [m.inUse ? "yes" : "no"], [fmtInt(m.live.samples), true], [m.verdict || ""]], "no models in the models folder");
    }
  } catch (e) {
    $("status").textContent = "unreachable";
    $("status").className = "badge down";
    $("problems").textContent = String(e.message || e);
  }
}

refresh();
setInterval(refresh, 1000);
