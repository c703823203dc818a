/* Shared helpers for the regionet dashboard pages (vanilla JS, no build step). */
"use strict";

const RN = (() => {
  /* One fixed colour-blind-safe palette (Okabe & Ito) for the levels of cooperation: the
     same colours as LEVEL_COLOURS in regionet/interfaces/figures/charts.py. */
  const LEVELS = [
    { key: "bilateral", label: "Bilateral", colour: "#0072B2" },
    { key: "subnational", label: "Subnational (association)", colour: "#009E73" },
    { key: "cross-border", label: "International: cross-border", colour: "#D55E00" },
    { key: "trans-regional", label: "International: trans-regional", colour: "#CC79A7" },
    { key: "non-adjacent", label: "International: non-adjacent", colour: "#56B4E9" },
    { key: "vertical", label: "Vertical (with the centre)", colour: "#E69F00", dash: "dot" },
    { key: "interstate", label: "Interstate (the federation itself)", colour: "#000000" },
    { key: "federal", label: "Federal (centre only)", colour: "#F0E442" },
    { key: "external", label: "External (no party of the federation)", colour: "#999999" },
  ];
  const OTHER = { key: "other", label: "Other", colour: "#999999", dash: "dash" };

  /** The palette entry for a tie's level and sublevel. */
  function levelOf(level, sublevel) {
    const key = level === "international" ? sublevel : level;
    return LEVELS.find((l) => l.key === key) || OTHER;
  }

  /* The signed-in account's token lives in this tab's sessionStorage only (never in a
     cookie, so other sites cannot make the browser send it; gone when the tab closes). */
  const TOKEN_KEY = "regionet.token";

  function token() {
    try {
      return window.sessionStorage.getItem(TOKEN_KEY) || "";
    } catch (e) {
      return "";
    }
  }

  function setToken(value) {
    if (value) window.sessionStorage.setItem(TOKEN_KEY, value);
    else window.sessionStorage.removeItem(TOKEN_KEY);
  }

  /** GET or POST JSON with the account's token; throws an Error carrying the problem's
      `detail` (and its `status`, `field` and `problem`) on failure. */
  async function getJSON(url, options) {
    const opts = Object.assign({}, options || {});
    const headers = new Headers(opts.headers || {});
    if (token() && !headers.has("Authorization")) headers.set("Authorization", `Bearer ${token()}`);
    opts.headers = headers;
    const response = await fetch(url, opts);
    let body = null;
    try {
      body = await response.json();
    } catch (e) {
      body = null;
    }
    if (!response.ok) {
      let detail = body && (body.detail || body.title);
      if (typeof detail !== "string") detail = `${response.status} ${response.statusText}`;
      if (response.status === 401) detail += " (sign in with your token on the Sign in page)";
      const error = new Error(detail);
      error.status = response.status;
      error.field = body && body.field;
      error.problem = body;
      throw error;
    }
    return body;
  }

  /** POST (or `method`) a JSON body; resolves to the decoded answer. */
  function sendJSON(url, body, method) {
    return getJSON(url, { method: method || "POST", headers: { "Content-Type": "application/json" },
                          body: JSON.stringify(body) });
  }

  /** The signed-in account ({name, role, may_*}), or null without a (valid) token. */
  async function account() {
    if (!token()) return null;
    try {
      return await getJSON("/api/account");
    } catch (e) {
      if (e.status === 401) return null;
      throw e;
    }
  }

  /** Fill the header's account line: "Signed in as NAME (role) · Sign out", or "Sign in". */
  async function showAccount() {
    const box = document.getElementById("account");
    if (!box) return;
    let who = null;
    try {
      who = await account();
    } catch (e) {
      who = null;
    }
    if (!who) {
      box.replaceChildren(el("a", { href: "/signin", text: "Sign in" }));
      return;
    }
    const out = el("button", { type: "button", class: "link", text: "Sign out" });
    out.addEventListener("click", () => {
      setToken("");
      window.location.assign("/signin");
    });
    box.replaceChildren(`Signed in as ${who.name} (${who.role}) · `, out);
  }

  document.addEventListener("DOMContentLoaded", showAccount);

  /** Show a message in the page's status box (an ARIA live region). */
  function status(message, isError) {
    const box = document.getElementById("status");
    if (!box) return;
    box.textContent = message || "";
    box.className = "status" + (isError ? " error" : "");
    box.hidden = !message;
  }

  /** Replace a select's options with [value, label] pairs and pick `selected` if present. */
  function fillSelect(select, pairs, selected) {
    select.replaceChildren(...pairs.map(([value, label]) => {
      const option = document.createElement("option");
      option.value = value;
      option.textContent = label;
      return option;
    }));
    if (selected !== undefined && pairs.some(([v]) => String(v) === String(selected))) {
      select.value = String(selected);
    }
    select.disabled = false;
  }

  /** Integers from `first` to `last`, as select pairs. */
  function years(first, last) {
    const out = [];
    for (let y = first; y <= last; y += 1) out.push([String(y), String(y)]);
    return out;
  }

  /** A number for people: grouping; whole numbers from 10, else about 3 significant digits. */
  function fmt(value) {
    if (value === null || value === undefined || Number.isNaN(value)) return "–";
    const abs = Math.abs(value);
    const digits = abs === 0 || abs >= 10 ? 0 : abs >= 1 ? 2 : Math.min(6, 2 - Math.floor(Math.log10(abs)));
    return value.toLocaleString("en-GB", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  }

  /** Create an element with attributes and text or child nodes. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "text") node.textContent = v;
      else node.setAttribute(k, v);
    });
    children.forEach((c) => node.append(c));
    return node;
  }

  /* A geo subplot suited to Russia: conic equal-area, centred on 100°E, no base layers
     (the neighbours are drawn from the API's GeoJSON instead, nothing is fetched). */
  function geoLayout() {
    return {
      visible: false,
      projection: { type: "conic equal area", parallels: [50, 70], rotation: { lon: 100 } },
      center: { lon: 100, lat: 62 },
      lonaxis: { range: [20, 190] },
      lataxis: { range: [41, 82] },
      fitbounds: false,
      bgcolor: "rgba(0,0,0,0)",
    };
  }

  /* Plotly config. Nothing may leave the host: topojson (base layers) would come from a
     CDN by default, so it points at the empty stub under /static; the "Share chart"
     button would upload the data to Plotly's cloud, so it is removed. */
  const CONFIG = {
    responsive: true,
    displaylogo: false,
    topojsonURL: "/static/topojson/",
    plotlyServerURL: "",
    showSendToCloud: false,
    showEditInChartStudio: false,
    modeBarButtonsToRemove: ["sendChartToCloud", "sendDataToCloud", "select2d", "lasso2d"],
  };

  function ringArea(ring) {
    let sum = 0;
    for (let i = 0; i + 1 < ring.length; i += 1) {
      sum += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
    }
    return sum / 2;
  }

  /** Rewind polygons in place to d3's convention, which Plotly uses: exterior rings
      clockwise, holes counter-clockwise. GeoJSON (RFC 7946) winds them the other way,
      and d3 would then fill the whole globe except the polygon. Returns `fc`. */
  function forPlotly(fc) {
    fc.features.forEach((f) => {
      const g = f.geometry;
      if (!g) return;
      const polygons = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
      polygons.forEach((rings) => rings.forEach((ring, i) => {
        const clockwise = ringArea(ring) < 0;
        if ((i === 0) !== clockwise) ring.reverse();
      }));
    });
    return fc;
  }

  /** A grey choropleth of the neighbouring states (drawn under the subjects). */
  function neighboursTrace(geojson) {
    const ids = geojson.features.map((f) => f.properties.id);
    return {
      type: "choropleth",
      geojson,
      featureidkey: "properties.id",
      locations: ids,
      z: ids.map(() => 0),
      text: geojson.features.map((f) => f.properties.name_en),
      hovertemplate: "%{text}<extra></extra>",
      colorscale: [[0, "#dcdcdc"], [1, "#dcdcdc"]],
      showscale: false,
      marker: { line: { color: "#ffffff", width: 0.6 } },
      name: "neighbouring states",
    };
  }

  /** Hover label for a subject feature: its name, and the caveat for merged units. */
  function subjectLabel(props) {
    let label = `<b>${props.name_en}</b> (${props.id})`;
    if (props.geometry_basis === "successor") {
      label += "<br><i>shown with its successor's territory</i>";
    }
    return label;
  }

  return { LEVELS, OTHER, levelOf, getJSON, sendJSON, token, setToken, account, showAccount,
           status, fillSelect, years, fmt, el,
           geoLayout, CONFIG, forPlotly, neighboursTrace, subjectLabel };
})();
