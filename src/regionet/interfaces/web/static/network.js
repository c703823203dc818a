/* Network page: ties as lines between capitals, coloured by level, for a level and a year. */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const SUBLEVELS = ["cross-border", "trans-regional", "non-adjacent"];
  const state = { base: [], request: 0, places: {} };

  /* Where each actor is drawn. The API gives coordinates for some nodes (lat/lon, or a
     subject's capital_lat/capital_lon); the others get a stated approximation:
     associations at the mean of their members' capitals, the centre and federal agencies
     at Moscow, neighbouring states at the middle of their outline. Others stay off the map. */
  function coordinates(node) {
    const lat = node.lat ?? node.capital_lat;
    const lon = node.lon ?? node.capital_lon;
    return lat == null || lon == null ? null : { lat, lon, how: "" };
  }

  function outlineMiddle(feature) {
    const g = feature.geometry;
    const polygons = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
    let best = null; let size = -1;
    polygons.forEach((rings) => {
      const xs = rings[0].map((c) => c[0]); const ys = rings[0].map((c) => c[1]);
      const area = (Math.max(...xs) - Math.min(...xs)) * (Math.max(...ys) - Math.min(...ys));
      if (area > size) {
        size = area;
        best = { lon: (Math.max(...xs) + Math.min(...xs)) / 2, lat: (Math.max(...ys) + Math.min(...ys)) / 2 };
      }
    });
    return best;
  }

  function places(graph, neighbours) {
    const out = {};
    graph.nodes.forEach((n) => { const c = coordinates(n); if (c) out[n.id] = c; });
    neighbours.features.forEach((f) => {
      const m = outlineMiddle(f);
      if (m && !out[f.properties.id]) out[f.properties.id] = { ...m, how: "drawn at the middle of its outline" };
    });
    const kind = Object.fromEntries(graph.nodes.map((n) => [n.id, n.kind]));
    const members = {};
    graph.edges.filter((e) => e.level === "subnational").forEach((e) => {
      [[e.source, e.target], [e.target, e.source]].forEach(([a, b]) => {
        if (kind[a] === "association" && kind[b] === "subject" && out[b]) {
          (members[a] = members[a] || []).push(out[b]);
        }
      });
    });
    Object.entries(members).forEach(([id, list]) => {
      if (out[id]) return;
      out[id] = { lat: list.reduce((t, c) => t + c.lat, 0) / list.length,
                  lon: list.reduce((t, c) => t + c.lon, 0) / list.length,
                  how: "drawn at the mean of its members' capitals" };
    });
    const moscow = out["RU-MOW"];
    if (moscow) {
      graph.nodes.filter((n) => !out[n.id] && (n.kind === "centre" || n.kind === "agency"))
        .forEach((n) => { out[n.id] = { lat: moscow.lat, lon: moscow.lon, how: "drawn at Moscow" }; });
    }
    return out;
  }

  function query() {
    const level = $("level").value;
    const params = new URLSearchParams();
    if ($("year").value) params.set("year", $("year").value);
    if (level) params.set("level", SUBLEVELS.includes(level) ? "international" : level);
    return params;
  }

  function edgeTraces(edges, nodes) {
    const groups = new Map();
    edges.forEach((e) => {
      const a = state.places[e.source]; const b = state.places[e.target];
      if (!a || !b) return;
      const level = RN.levelOf(e.level, e.sublevel);
      if (!groups.has(level.key)) groups.set(level.key, { level, lon: [], lat: [], n: 0 });
      const g = groups.get(level.key);
      g.lon.push(a.lon, b.lon, null);
      g.lat.push(a.lat, b.lat, null);
      g.n += 1;
    });
    const order = [...RN.LEVELS, RN.OTHER].map((l) => l.key);
    return [...groups.values()].sort((x, y) => order.indexOf(x.level.key) - order.indexOf(y.level.key))
      .map((g) => ({
        type: "scattergeo", mode: "lines", lon: g.lon, lat: g.lat, hoverinfo: "skip",
        line: { color: g.level.colour, width: 1.4, dash: g.level.dash || "solid" }, opacity: 0.75,
        name: `${g.level.label} (${g.n})`, legendgroup: g.level.key,
      }));
  }

  function hubs(nodes, degree, levels) {
    const top = Object.entries(degree).sort((x, y) => y[1] - x[1]).slice(0, 15);
    $("hubs").querySelector("tbody").replaceChildren(...top.map(([id, n]) => {
      const node = nodes[id] || { name_en: id, kind: "" };
      return RN.el("tr", {},
        RN.el("td", {}, RN.el("a", { href: `/region/${encodeURIComponent(id)}`, text: node.name_en })),
        RN.el("td", { text: node.kind.replace("_", " ") }),
        RN.el("td", { class: "num", text: String(n) }),
        RN.el("td", { text: [...levels[id]].join(", ") }));
    }));
  }

  async function draw() {
    const params = query();
    const ticket = ++state.request;
    history.replaceState(null, "", `?${new URLSearchParams({ level: $("level").value, year: $("year").value })}`);
    RN.status("Loading…");
    let graph;
    try {
      graph = await RN.getJSON(`/api/network/graph?${params}`);
    } catch (err) {
      RN.status(`Could not load the network: ${err.message}`, true);
      return;
    }
    if (ticket !== state.request) return;
    const level = $("level").value;
    const edges = SUBLEVELS.includes(level) ? graph.edges.filter((e) => e.sublevel === level) : graph.edges;
    const nodes = Object.fromEntries(graph.nodes.map((n) => [n.id, n]));
    const degree = {}; const levels = {};
    edges.forEach((e) => [e.source, e.target].forEach((id) => {
      degree[id] = (degree[id] || 0) + 1;
      (levels[id] = levels[id] || new Set()).add(RN.levelOf(e.level, e.sublevel).label.toLowerCase());
    }));
    const placed = Object.keys(degree).filter((id) => state.places[id]);
    const unplaced = Object.keys(degree).filter((id) => !placed.includes(id));
    const points = {
      type: "scattergeo", mode: "markers", name: "actors", showlegend: false,
      lon: placed.map((id) => state.places[id].lon), lat: placed.map((id) => state.places[id].lat),
      customdata: placed.map((id) => id),
      text: placed.map((id) => `<b>${nodes[id].name_en}</b> (${id})<br>${nodes[id].kind.replace("_", " ")}` +
        `<br>${degree[id]} ties${state.places[id].how ? `<br><i>${state.places[id].how}</i>` : ""}`),
      hovertemplate: "%{text}<extra></extra>",
      marker: { size: placed.map((id) => 5 + 2.2 * Math.sqrt(degree[id])), color: "#ffffff",
                line: { color: "#1f2328", width: 1.2 } },
    };
    const layout = {
      title: { text: `Ties${level ? `: ${$("level").selectedOptions[0].textContent}` : ""}` +
        `${$("year").value ? `, ${$("year").value}` : ", all years"}`, x: 0.01, font: { size: 16 } },
      geo: RN.geoLayout(), margin: { l: 0, r: 0, t: 40, b: 0 }, dragmode: "pan",
      legend: { x: 0.01, y: 0.02, bgcolor: "rgba(255,255,255,0.85)", bordercolor: "#d0d7de", borderwidth: 1 },
    };
    const div = $("network");
    await Plotly.react(div, [...state.base, ...edgeTraces(edges, nodes), points], layout, RN.CONFIG);
    div.dataset.edges = String(edges.length);
    hubs(nodes, degree, levels);
    const drawn = edges.filter((e) => state.places[e.source] && state.places[e.target]).length;
    $("summary").textContent = `${edges.length} ties among ${Object.keys(degree).length} actors; ` +
      `${drawn} drawn on the map.`;
    $("unplaced-box").hidden = !unplaced.length;
    $("unplaced-summary").textContent = `${unplaced.length} actors not on the map (no location)`;
    $("unplaced").textContent = unplaced.map((id) => (nodes[id] || {}).name_en || id).join(", ") + ".";
    RN.status(edges.length ? "" : "No ties match this selection.");
    if (!div.dataset.clickBound) {
      div.dataset.clickBound = "1";
      div.on("plotly_click", (event) => {
        const point = event.points && event.points[0];
        if (point && point.data.name === "actors") {
          window.location.href = `/region/${encodeURIComponent(point.customdata)}`;
        } else if (point && point.location && point.data.name === "subjects") {
          window.location.href = `/region/${encodeURIComponent(point.location)}`;
        }
      });
    }
  }

  async function start() {
    const url = new URLSearchParams(window.location.search);
    RN.fillSelect($("year"), [["", "all years"], ...RN.years(1990, 2010)], url.has("year") ? url.get("year") : "1999");
    if (url.get("level")) $("level").value = url.get("level");
    try {
      const [subjects, neighbours, full] = await Promise.all([
        RN.getJSON("/api/geo/subjects"), RN.getJSON("/api/geo/neighbours"),
        RN.getJSON("/api/network/graph")]);
      state.places = places(full, neighbours);
      RN.forPlotly(subjects);
      RN.forPlotly(neighbours);
      const ids = subjects.features.map((f) => f.properties.id);
      state.base = [RN.neighboursTrace(neighbours), {
        type: "choropleth", geojson: subjects, featureidkey: "properties.id", locations: ids,
        z: ids.map(() => 0), colorscale: [[0, "#f4f1ea"], [1, "#f4f1ea"]], showscale: false,
        text: subjects.features.map((f) => RN.subjectLabel(f.properties)),
        hovertemplate: "%{text}<extra></extra>", name: "subjects", showlegend: false,
        marker: { line: { color: "#b8b2a6", width: 0.5 } },
      }];
    } catch (err) {
      RN.status(`Could not load the map: ${err.message}`, true);
    }
    ["level", "year"].forEach((id) => $(id).addEventListener("change", draw));
    draw();
  }

  start();
})();
