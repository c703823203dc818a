/* Scenario comparison: winners and losers of scenario B against A, on a map with a
   diverging colour scale centred at 0 and in a sortable table; on the illustrative economy or
   on fiscal inputs registered in the workspace (`regionet fiscal inputs add`). */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const DIVERGING = [ // ColorBrewer RdBu: losers red, winners blue, white at 0
    [0, "#b2182b"], [0.2, "#ef8a62"], [0.4, "#fddbc7"], [0.5, "#f7f7f7"],
    [0.6, "#d1e5f0"], [0.8, "#67a9cf"], [1, "#2166ac"]];
  const state = { subjects: null, neighbours: null, props: {}, scenarios: [], rows: [], span: 1,
                  sort: { key: "difference", dir: -1 }, request: 0 };

  /* The API gives per-capita amounts in million rubles per person; show rubles. */
  function unit() {
    const option = $("measure").selectedOptions[0];
    return { factor: Number(option.dataset.factor || 1), label: option.dataset.unit || "" };
  }

  const pct = (r) => (r.relative === null || r.relative === undefined ? null : 100 * r.relative);
  const pctText = (r) => (pct(r) === null ? "–" : `${pct(r) >= 0 ? "+" : ""}${pct(r).toFixed(1)} %`);

  function describe() {
    $("scenario-description").replaceChildren(...["a", "b"].map((k) => {
      const s = state.scenarios.find((x) => x.name === $(`scenario-${k}`).value);
      return RN.el("p", {}, RN.el("strong", { text: `${k.toUpperCase()}, ${s ? s.name : "?"}: ` }),
        s ? s.description : "");
    }));
  }

  /** A symmetric colour range: the 90th percentile of |z|, so one outlier does not wash
      out the rest (beyond it colours saturate; the hover shows the exact value). */
  function span(z) {
    const abs = z.filter((v) => v !== null).map(Math.abs).sort((x, y) => x - y);
    if (!abs.length) return 1;
    return abs[Math.min(abs.length - 1, Math.floor(0.9 * abs.length))] || abs[abs.length - 1] || 1;
  }

  function drawMap(title) {
    const { factor, label } = unit();
    const byRegion = Object.fromEntries(state.rows.map((r) => [r.region, r]));
    const features = state.subjects.features.filter((f) => byRegion[f.properties.id]);
    const relative = $("colour-by").value === "relative";
    const z = features.map((f) => {
      const r = byRegion[f.properties.id];
      return relative ? pct(r) : (r.difference === null ? null : r.difference * factor);
    });
    const s = span(z);
    state.span = s;
    const trace = {
      type: "choropleth", geojson: state.subjects, featureidkey: "properties.id",
      locations: features.map((f) => f.properties.id), z,
      zmin: -s, zmax: s, zmid: 0, colorscale: DIVERGING,
      text: features.map((f) => RN.subjectLabel(f.properties)),
      customdata: features.map((f) => {
        const r = byRegion[f.properties.id];
        return [RN.fmt(r.a * factor), RN.fmt(r.b * factor), RN.fmt(r.difference * factor),
                pctText(r), r.status];
      }),
      hovertemplate: `%{text}<br>A %{customdata[0]} → B %{customdata[1]} ${label}<br>` +
        "B − A: %{customdata[2]} (%{customdata[3]}): %{customdata[4]}<extra></extra>",
      colorbar: { title: { text: relative ? "change, % of A" : `B − A, ${label}`, side: "right" },
                  thickness: 14, len: 0.8 },
      marker: { line: { color: "#8c959f", width: 0.4 } },
      name: "change",
    };
    const layout = {
      title: { text: title, x: 0.01, font: { size: 15 } },
      geo: RN.geoLayout(), margin: { l: 0, r: 0, t: 40, b: 0 }, dragmode: "pan",
    };
    return Plotly.react($("compare-map"), [RN.neighboursTrace(state.neighbours), trace], layout, RN.CONFIG);
  }

  function drawTable() {
    const { factor } = unit();
    const { key, dir } = state.sort;
    const name = (r) => (state.props[r.region] || {}).name_en || r.region;
    const value = (r) => (key === "name" ? name(r) : key === "relative" ? pct(r) : r[key]);
    const rows = [...state.rows].sort((x, y) => {
      const a = value(x); const b = value(y);
      if (a === null || a === undefined) return 1;
      if (b === null || b === undefined) return -1;
      return (typeof a === "string" ? a.localeCompare(b) : a - b) * dir;
    });
    $("compare-table").querySelectorAll("th").forEach((th) => {
      if (th.dataset.key === key) th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
      else th.removeAttribute("aria-sort");
    });
    $("compare-table").querySelector("tbody").replaceChildren(...rows.map((r) =>
      RN.el("tr", { "data-region": r.region },
        RN.el("td", {}, RN.el("a", { href: `/region/${encodeURIComponent(r.region)}`, text: name(r) })),
        RN.el("td", { class: "num", text: RN.fmt(r.a * factor) }),
        RN.el("td", { class: "num", text: RN.fmt(r.b * factor) }),
        RN.el("td", { class: `num ${r.status}`, text: RN.fmt(r.difference * factor) }),
        RN.el("td", { class: `num ${r.status}`, text: pctText(r) }),
        RN.el("td", { class: r.status, text: r.status }))));
  }

  /** Say which inputs the numbers come from; show the banner only for illustrative ones. */
  function showInputs(used) {
    const digest = used.checksum ? `, SHA-256 ${used.checksum.slice(0, 16)}…` : "";
    $("inputs-used").textContent = `Inputs: ${used.name}${digest}`;
    $("illustrative-banner").hidden = !used.illustrative;
  }

  async function update() {
    describe();
    const params = new URLSearchParams({
      year: $("year").value, a: $("scenario-a").value, b: $("scenario-b").value,
      measure: $("measure").value,
    });
    if ($("inputs").value && $("inputs").value !== "illustrative") params.set("inputs", $("inputs").value);
    history.replaceState(null, "", `?${params}`);
    const ticket = ++state.request;
    RN.status("Computing…");
    let result;
    try {
      result = await RN.getJSON(`/api/fiscal/compare?${params}`);
    } catch (err) {
      RN.status(`Could not compare: ${err.message}`, true);
      return;
    }
    if (ticket !== state.request) return;
    showInputs(result.inputs);
    state.rows = result.data;
    await redraw();
    $("compare-map").dataset.selection = params.toString();
    RN.status("");
  }

  function summarize() {
    const winners = state.rows.filter((r) => r.status === "winner").length;
    const losers = state.rows.filter((r) => r.status === "loser").length;
    const relative = $("colour-by").value === "relative";
    const clip = `${RN.fmt(state.span)}${relative ? " %" : ` ${unit().label}`}`;
    $("summary").textContent = `${winners} winners, ${losers} losers, ` +
      `${state.rows.length - winners - losers} unchanged (of ${state.rows.length} regions). ` +
      `Blue: gains under B; red: losses under B; colours saturate beyond ±${clip} ` +
      `(hover for exact values). Amounts in ${unit().label}.`;
  }

  async function redraw() {
    const title = `${$("measure").selectedOptions[0].textContent}, ${$("year").value}: ` +
      `${$("scenario-b").value} (B) against ${$("scenario-a").value} (A)`;
    await drawMap(title);
    drawTable();
    summarize();
  }

  async function start() {
    const url = new URLSearchParams(window.location.search);
    try {
      const [scenarios, subjects, neighbours, inputs] = await Promise.all([
        RN.getJSON("/api/scenarios"), RN.getJSON("/api/geo/subjects"), RN.getJSON("/api/geo/neighbours"),
        RN.getJSON("/api/fiscal/inputs")]);
      state.scenarios = scenarios.data;
      RN.fillSelect($("inputs"), inputs.data.map((i) => [i.name, i.years.length ?
        `${i.name} (${i.years.join(", ")})` : i.name]), url.get("inputs") || "illustrative");
      state.subjects = RN.forPlotly(subjects);
      state.neighbours = RN.forPlotly(neighbours);
      subjects.features.forEach((f) => { state.props[f.properties.id] = f.properties; });
    } catch (err) {
      RN.status(`Could not load the options: ${err.message}`, true);
      return;
    }
    const pairs = state.scenarios.map((s) => [s.name, s.name]);
    RN.fillSelect($("year"), RN.years(1992, 2010), url.get("year") || "1999");
    RN.fillSelect($("scenario-a"), pairs, url.get("a") || "rule-registration");
    RN.fillSelect($("scenario-b"), pairs, url.get("b") || "tax-at-operation");
    if ([...$("measure").options].some((o) => o.value === url.get("measure"))) $("measure").value = url.get("measure");
    ["year", "scenario-a", "scenario-b", "measure", "inputs"].forEach((id) => $(id).addEventListener("change", update));
    $("colour-by").addEventListener("change", redraw);
    $("compare-table").querySelectorAll("th button").forEach((button) => {
      button.addEventListener("click", () => {
        const key = button.parentElement.dataset.key;
        state.sort = { key, dir: state.sort.key === key ? -state.sort.dir : (key === "name" ? 1 : -1) };
        drawTable();
      });
    });
    update();
  }

  start();
})();
