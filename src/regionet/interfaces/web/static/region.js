/* Region profile: an actor's ties (with sources and status) and, for a subject of the
   federation, its fiscal position 1992–2010 under a chosen scenario. */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const main = document.querySelector("main");
  const actorId = main.dataset.actor;
  const names = {};

  function link(id) {
    return RN.el("a", { href: `/region/${encodeURIComponent(id)}`, text: names[id] || id });
  }

  const FACTS = [["type", "Type"], ["capital_en", "Capital"], ["population_1999", "Population 1999"],
    ["federal_district_2000", "Federal district (2000)"], ["economic_region", "Economic region"],
    ["land_border_states", "Land border with"]];

  function facts(actor) {
    const attrs = actor.attributes || {};
    const parts = [["Id", actor.id], ["Kind", actor.kind.replace("_", " ")]];
    if (actor.name_local) parts.push(["Local name", actor.name_local]);
    FACTS.forEach(([key, label]) => {
      const v = attrs[key];
      if (v !== undefined && v !== null && v !== "") parts.push([label, typeof v === "number" ? RN.fmt(v) : String(v)]);
    });
    if (actor.valid_from || actor.valid_to) {
      parts.push(["Valid", `${actor.valid_from || "…"} – ${actor.valid_to || "…"}`]);
    }
    $("facts").replaceChildren(...parts.map(([k, v]) => RN.el("span", {}, RN.el("strong", { text: `${k}: ` }), v)));
    const sources = (actor.sources || []).map((x) => `${x.document}: ${x.locator}`).join("; ");
    $("actor-sources").textContent = `${actor.note ? `Note: ${actor.note}. ` : ""}Sources: ${sources || "none"}` +
      ` (status: ${actor.status}).`;
  }

  function swatch(colour) {
    const span = RN.el("span", { class: "swatch" });
    span.style.background = colour;
    return span;
  }

  function tieRows(ties) {
    const sorted = [...ties].sort((x, y) => String(x.start || "").localeCompare(String(y.start || "")));
    const rows = sorted.map((t) => {
      const level = RN.levelOf(t.level, t.sublevel);
      const others = t.actors.filter((a) => a !== actorId);
      const withCell = RN.el("td", {});
      others.forEach((a, i) => { if (i) withCell.append(", "); withCell.append(link(a)); });
      const sources = t.sources.map((s) => `${s.document}: ${s.locator}`).join("; ");
      const what = RN.el("td", {}, RN.el("strong", { text: t.kind }), RN.el("br"),
        RN.el("span", { class: "note", text: t.description || t.id }));
      return RN.el("tr", { id: `tie-${t.id}` }, what, withCell,
        RN.el("td", { title: t.reason || "" },
          swatch(level.colour), level.label),
        RN.el("td", { text: t.start || "–" }), RN.el("td", { text: t.end || "–" }),
        RN.el("td", { text: sources }),
        RN.el("td", {}, RN.el("span", { class: `badge ${t.status}`, text: t.status })));
    });
    $("ties").querySelector("tbody").replaceChildren(...rows);
    const byLevel = {};
    ties.forEach((t) => { const l = RN.levelOf(t.level, t.sublevel).label; byLevel[l] = (byLevel[l] || 0) + 1; });
    $("ties-summary").textContent = ties.length
      ? `${ties.length} ties: ` + Object.entries(byLevel).map(([l, n]) => `${n} ${l.toLowerCase()}`).join(", ") + "."
      : "No ties recorded for this actor.";
  }

  async function drawFiscal() {
    const scenario = $("scenario").value;
    const query = scenario ? `?scenario=${encodeURIComponent(scenario)}` : "";
    let series;
    try {
      series = await RN.getJSON(`/api/fiscal/regions/${encodeURIComponent(actorId)}${query}`);
    } catch (err) {
      RN.status(`Could not load the fiscal series: ${err.message}`, true);
      return;
    }
    const rows = series.data;
    const years = rows.map((r) => r.year);
    // The API gives per-capita amounts in million rubles per person: show rubles.
    const line = (key, name, colour, dash) => ({
      type: "scatter", mode: "lines+markers", x: years,
      y: rows.map((r) => (r[key] === null ? null : r[key] * 1e6)), name,
      line: { color: colour, width: 2, dash: dash || "solid" }, marker: { size: 4 },
      hovertemplate: `${name}: %{y:,.0f} RUB<extra></extra>`,
    });
    const base = {
      margin: { l: 64, r: 12, t: 36, b: 36 }, legend: { orientation: "h", y: -0.14 },
      xaxis: { dtick: 2 }, hovermode: "x unified",
    };
    await Plotly.react($("per-capita"), [
      line("revenue_regional_per_capita", "own regional revenue", "#0072B2"),
      line("transfers_per_capita", "transfers", "#E69F00"),
      line("total_per_capita", "total", "#000000", "dot"),
    ], { ...base, title: { text: "Per capita, RUB of the year per person", font: { size: 13 } },
         yaxis: { rangemode: "tozero" } }, RN.CONFIG);
    const flows = rows.map((r) => r.net_flow);
    await Plotly.react($("net-flow"), [{
      type: "bar", x: years, y: flows, name: "net flow",
      marker: { color: flows.map((v) => (v >= 0 ? "#009E73" : "#D55E00")) },
      hovertemplate: "net flow %{x}: %{y:,.0f} million RUB<extra></extra>",
    }], { ...base, showlegend: false, hovermode: "closest",
      title: { text: "Net flow from the centre, million RUB (< 0: net contributor)", font: { size: 13 } } }, RN.CONFIG);
    $("per-capita").dataset.rendered = scenario || "baseline";
  }

  async function start() {
    let actor;
    try {
      actor = await RN.getJSON(`/api/actors/${encodeURIComponent(actorId)}`);
    } catch (err) {
      RN.status(`Could not load this actor: ${err.message}`, true);
      return;
    }
    names[actor.id] = actor.name_en;
    facts(actor);
    try {
      const actors = await RN.getJSON("/api/actors?limit=1000");
      actors.data.forEach((a) => { names[a.id] = a.name_en; });
    } catch (err) {
      /* names are a nicety: ids are shown instead */
    }
    tieRows(actor.ties);
    if (actor.kind !== "subject") {
      $("fiscal-section").hidden = true;
      return;
    }
    try {
      const scenarios = await RN.getJSON("/api/scenarios");
      RN.fillSelect($("scenario"), [["", "baseline (law in force)"],
        ...scenarios.data.map((s) => [s.name, s.name])], "");
    } catch (err) {
      RN.status(`Could not load the scenarios: ${err.message}`, true);
    }
    $("scenario").addEventListener("change", drawFiscal);
    drawFiscal();
  }

  start();
})();
