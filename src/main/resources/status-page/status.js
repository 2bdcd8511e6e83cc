// The live status page: polls /status every two seconds and redraws. No framework, no build step.
"use strict";

const REFRESH_MS = 2000;
const $ = (id) => document.getElementById(id);
const fmt = (n) => (n === null || n === undefined || Number.isNaN(n)) ? "–" : Number(n).toLocaleString("en-US");

function text(id, value) {
  $(id).textContent = value;
}

function badge(el, label, kind) {
  el.textContent = label;
  el.className = "badge " + kind;
}

function age(ms) {
  if (ms === null || ms === undefined) return "–";
  const s = Math.round(ms / 1000);
  if (s < 120) return s + " s";
  if (s < 7200) return Math.round(s / 60) + " min";
  return Math.round(s / 3600) + " h";
}

function time(ms) {
  return ms ? new Date(ms).toLocaleTimeString("en-GB") : "–";
}

function cell(row, value, cls) {
  const td = document.createElement("td");
  if (cls) td.className = cls;
  if (value instanceof Node) td.appendChild(value); else td.textContent = value;
  row.appendChild(td);
  return td;
}

function renderReady(ready) {
  badge($("ready-badge"), ready.ready ? "READY" : "NOT READY", ready.ready ? "ok" : "bad");
  text("ready-text", ready.ready ? "Connected to Finnhub, subscribed, and Kafka acknowledges." : "Not ready:");
  const list = $("reasons");
  list.replaceChildren(...ready.reasons.map((r) => Object.assign(document.createElement("li"), { textContent: r })));
}

function renderConnections(connections) {
  const body = $("connections").tBodies[0];
  body.replaceChildren(...connections.map((c) => {
    const tr = document.createElement("tr");
    tr.dataset.connection = c.connection || "?";
    cell(tr, c.connection || "?");
    const state = document.createElement("span");
    const kind = c.state === "CONNECTED" ? (c.paused ? "warn" : "ok") : c.state === "STANDBY" || c.state === "RETIRED" ? "" : "bad"; // STANDBY: held by another instance; RETIRED: a removed key
    badge(state, c.state || "UNAVAILABLE", kind);
    cell(tr, state);
    // Re-sharding (docs/design.md): symbols held for a refused key, and a refused key's symbols held elsewhere.
    const borrowed = Object.entries(c.borrowed || {});
    const sub = cell(tr, fmt((c.subscribed || []).length) + (borrowed.length ? " (" + borrowed.length + " borrowed)" : ""), "num");
    sub.title = borrowed.map(([symbol, from]) => symbol + " for " + from).join(", ");
    cell(tr, fmt(c.reconnects), "num");
    cell(tr, fmt(c.counters ? c.counters.frames : null), "num");
    const lent = c.lent || [];
    cell(tr, (lent.length ? lent.length + " symbols held by other keys · " : "") + (c.last_error || c.unavailable || ""), "error");
    return tr;
  }));
}

// Several instances (docs/ha.md): which keys this instance holds and why it holds none; hidden when HA is off.
function renderHa(ha) {
  const el = $("ha");
  el.hidden = !ha || !ha.enabled;
  if (el.hidden) return;
  const keys = (ha.owned_connections || []).join(", ") || "no key";
  const lease = ha.lease_age_ms >= 0 ? ", lease renewed " + age(ha.lease_age_ms) + " ago" : "";
  el.textContent = "Several instances: this one is " + ha.state + ", holding " + keys + " (generation " + ha.generation
    + lease + ", " + fmt(ha.takeovers) + " takeovers)" + (ha.reason ? ": " + ha.reason : "");
  el.className = ha.state === "OWNER" || ha.state === "STANDBY" ? "muted" : "error";
}

const FLOW_KIND = { FLOWING: "ok", MARKET_CLOSED: "", NO_TRADES_YET: "warn", STALE: "bad", NOT_SUBSCRIBED: "warn" };

function renderSymbols(symbols, market) {
  const body = $("symbols").tBodies[0];
  body.replaceChildren(...(symbols || []).map((s) => {
    const tr = document.createElement("tr");
    tr.dataset.symbol = s.symbol;
    cell(tr, s.symbol, "symbol");
    cell(tr, s.connection || "–");
    cell(tr, s.subscription);
    cell(tr, s.market + (s.market_open === true ? " (open)" : s.market_open === false ? " (closed)" : " (?)"));
    cell(tr, s.last_price === null ? "–" : s.last_price.toLocaleString("en-US", { maximumFractionDigits: 6 }), "num price");
    cell(tr, time(s.last_trade_ts_ms));
    cell(tr, age(s.age_ms), "num age");
    const flow = document.createElement("span");
    badge(flow, s.flow.replaceAll("_", " ").toLowerCase(), FLOW_KIND[s.flow] || "");
    cell(tr, flow, "flow");
    cell(tr, fmt(s.trades_received), "num trades");
    return tr;
  }));
  if (market && market.enabled) {
    text("market-summary", "· US market " + (market.is_open === true ? "open" : market.is_open === false ? "closed" : "unknown")
      + (market.session ? " (" + market.session + ")" : "") + (market.last_error ? " · " + market.last_error : ""));
  } else if (market) {
    text("market-summary", "· market hours off: " + (market.off_reason || market.unavailable || "unknown"));
  }
}

function renderChart(throughput) {
  const canvas = $("chart");
  const ctx = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height, pad = 28;
  ctx.clearRect(0, 0, w, h);
  if (!throughput) return;
  const rx = throughput.received_per_s || [], wx = throughput.written_per_s || [];
  const n = Math.max(rx.length, 2);
  const max = Math.max(1, ...rx, ...wx);
  ctx.strokeStyle = "#d0d7de";
  ctx.fillStyle = "#57606a";
  ctx.font = "11px system-ui";
  ctx.beginPath(); ctx.moveTo(pad, 4); ctx.lineTo(pad, h - 16); ctx.lineTo(w - 4, h - 16); ctx.stroke();
  ctx.fillText(fmt(max), 2, 12);
  ctx.fillText("0", 2, h - 18);
  ctx.fillText("-" + Math.round(n) + " s", pad, h - 3);
  ctx.fillText("now", w - 26, h - 3);
  const line = (series, color) => {
    ctx.strokeStyle = color; ctx.lineWidth = 1.5; ctx.beginPath();
    series.forEach((v, i) => {
      const x = pad + (w - pad - 4) * (i + n - series.length) / (n - 1);
      const y = (h - 16) - (h - 24) * v / max;
      if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    });
    ctx.stroke();
  };
  line(rx, "#0969da");
  line(wx, "#1a7f37");
  text("rate-1m", "· " + (throughput.received_per_s_1m || 0).toFixed(1) + "/s over the last minute");
}

function renderKafka(k) {
  text("kafka-topic", (k.topic || "–") + (k.partitions ? " (" + k.partitions + " partitions)" : ""));
  text("kafka-received", fmt(k.received));
  text("kafka-acked", fmt(k.acked));
  text("kafka-failed", fmt(k.failed));
  text("kafka-in-flight", fmt(k.in_flight_records !== undefined ? k.in_flight_records : k.in_flight));
  const disk = k.disk_buffer;
  text("kafka-disk", disk ? fmt(disk.records) + " records, " + fmt(disk.bytes) + " bytes" : "–");
  const health = k.health || {};
  badge($("kafka-health"), health.healthy === false ? "unhealthy" : "healthy", health.healthy === false ? "bad" : "ok");
  if (health.problem) $("kafka-health").title = health.problem;
  text("kafka-last-error", k.last_error || k.unavailable || "none");
}

function renderCounters(status) {
  text("trades-received", fmt((status.finnhub || []).reduce((a, c) => a + (c.counters ? c.counters.trades : 0), 0)));
  text("frames-received", fmt((status.finnhub || []).reduce((a, c) => a + (c.counters ? c.counters.frames : 0), 0)));
  const bp = status.backpressure || {};
  text("backpressure", bp.paused ? "paused: " + bp.reason : "not paused");
  const dl = status.dead_letters || { total: 0, by_reason: {} };
  text("dead-letters-total", fmt(dl.total));
  $("dead-letters").tBodies[0].replaceChildren(...Object.entries(dl.by_reason || {}).map(([reason, count]) => {
    const tr = document.createElement("tr");
    cell(tr, reason);
    cell(tr, fmt(count), "num");
    return tr;
  }));
}

async function refresh() {
  try {
    const response = await fetch("status", { cache: "no-store" });
    if (!response.ok) throw new Error("HTTP " + response.status);
    const status = await response.json();
    text("environment", status.environment);
    text("version", status.version);
    text("uptime", status.uptime);
    renderReady(status.ready);
    renderConnections(status.finnhub || []);
    renderHa(status.ha);
    renderSymbols(status.symbols, status.market_hours);
    renderChart(status.throughput);
    renderKafka(status.kafka || {});
    renderCounters(status);
    text("updated", new Date().toLocaleTimeString("en-GB"));
    $("banner").style.display = "none";
  } catch (e) {
    $("banner").textContent = "Cannot read /status: " + e.message + " (retrying every " + REFRESH_MS / 1000 + " s)";
    $("banner").style.display = "block";
  } finally {
    setTimeout(refresh, REFRESH_MS);
  }
}

refresh();
