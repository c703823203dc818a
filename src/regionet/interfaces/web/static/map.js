/* Map page: a choropleth of the 89 subjects for a measure, a year and (fiscal) a scenario. */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const GROUPS = { case: "Case data", fiscal: "Fiscal (illustrative)", network: "Cooperation ties" };
  const state = { measures: [], neighbours: null, request: 0 };

  const measure = () => state.measures.find((m) => m.name === $("measure").value);
  const isFiscal = (m) => Boolean(m && m.kind === "fiscal");

  function measureOptions(select, selected) {
    const groups = {};
    state.measures.forEach((m) => {
      const label = GROUPS[m.kind] || m.kind;
      if (!groups[label]) groups[label] = RN.el("optgroup", { label });
      groups[label].append(RN.el("option", { value: m.name, text: m.label }));
    });
    select.replaceChildren(...Object.values(groups));
    if (state.measures.some((m) => m.name === selected)) select.value = selected;
    select.disabled = false;
  }

  /* Fiscal measures need a year 1992–2010; tie counts take an optional year. */
  function syncControls() {
    const m = measure();
    const year = $("year");
    const before = year.value;
    if (isFiscal(m)) {
      RN.fillSelect(year, RN.years(1992, 2010), before || "1999");
    } else if (m && m.kind === "network") {
      RN.fillSelect(year, [["", "all years"], ...RN.years(1990, 2010)], before);
    } else {
      RN.fillSelect(year, [["", "not used"]], "");
      year.disabled = true;
    }
    $("scenario-label").hidden = !isFiscal(m);
    $("measure-description").textContent = m ? `${m.description} Unit: ${m.unit}.` : "";
  }

  function query(m) {
    const params = new URLSearchParams({ measure: m.name });
    if (m.kind !== "case" && $("year").value) params.set("year", $("year").value);
    if (isFiscal(m) && $("scenario").value) params.set("scenario", $("scenario").value);
    return params;
  }

  /* "1 = donor, 0 = not" → a two-colour scale labelled with the two meanings. */
  function binaryScale(unit) {
    const match = /^1 = ([^,]+), 0 = (.+)$/.exec(unit || "");
    if (!match) return null;
    return {
      colorscale: [[0, "#e8e8e8"], [0.5, "#e8e8e8"], [0.5, "#b2182b"], [1, "#b2182b"]],
      zmin: 0, zmax: 1,
      colorbar: { tickvals: [0.25, 0.75], ticktext: [match[2], match[1]], thickness: 14, len: 0.3 },
    };
  }

  async function draw() {
    syncControls();
    const m = measure();
    if (!m) return;
    const params = query(m);
    history.replaceState(null, "", `?${params}`);
    const ticket = ++state.request;
    RN.status("Loading…");
    let fc;
    try {
      fc = RN.forPlotly(await RN.getJSON(`/api/geo/subjects?${params}`));
    } catch (err) {
      RN.status(`Could not load the map: ${err.message}`, true);
      return;
    }
    if (ticket !== state.request) return; // a newer selection is on its way
    const features = fc.features;
    const unit = fc.unit || m.unit || "";
    const values = features.map((f) => f.properties.value);
    const trace = {
      type: "choropleth", geojson: fc, featureidkey: "properties.id",
      locations: features.map((f) => f.properties.id), z: values,
      text: features.map((f) => RN.subjectLabel(f.properties)),
      customdata: features.map((f) => RN.fmt(f.properties.value)),
      hovertemplate: `%{text}<br>${m.label}: %{customdata} ${unit}<extra></extra>`,
      colorscale: "Viridis", reversescale: true,
      colorbar: { title: { text: unit, side: "right" }, thickness: 14, len: 0.8 },
      marker: { line: { color: "#ffffff", width: 0.5 } },
      name: m.label,
      ...(binaryScale(unit) || {}),
    };
    const title = `${m.label}${params.get("year") ? `, ${params.get("year")}` : ""}` +
      (params.get("scenario") ? ` (${params.get("scenario")})` : "");
    const layout = {
      title: { text: title, x: 0.01, font: { size: 16 } },
      geo: RN.geoLayout(), margin: { l: 0, r: 0, t: 40, b: 0 }, dragmode: "pan",
    };
    const div = $("map");
    await Plotly.react(div, [RN.neighboursTrace(state.neighbours), trace], layout, RN.CONFIG);
    div.dataset.measure = m.name;
    div.dataset.rendered = String(ticket);
    $("illustrative").hidden = !(fc.illustrative || m.illustrative);
    const missing = values.filter((v) => v === null || v === undefined).length;
    RN.status(missing ? `${missing} of ${values.length} subjects have no value (not coloured).` : "");
    if (!div.dataset.clickBound) {
      div.dataset.clickBound = "1";
      div.on("plotly_click", (event) => {
        const point = event.points && event.points[0];
        if (point && point.curveNumber === 1 && point.location) {
          window.location.href = `/region/${encodeURIComponent(point.location)}`;
        }
      });
    }
  }

  async function start() {
    const url = new URLSearchParams(window.location.search);
    try {
      const [measures, scenarios, neighbours] = await Promise.all([
        RN.getJSON("/api/measures"), RN.getJSON("/api/scenarios"), RN.getJSON("/api/geo/neighbours")]);
      state.measures = measures.data;
      state.neighbours = RN.forPlotly(neighbours);
      measureOptions($("measure"), url.get("measure") || "population");
      const year = url.has("year") ? url.get("year") : "1999"; // seeds syncControls
      RN.fillSelect($("year"), [[year, year]], year);
      RN.fillSelect($("scenario"), [["", "baseline (law in force)"],
        ...scenarios.data.map((s) => [s.name, s.name])], url.get("scenario") || "");
    } catch (err) {
      RN.status(`Could not load the options: ${err.message}`, true);
      return;
    }
    ["measure", "year", "scenario"].forEach((id) => $(id).addEventListener("change", draw));
    draw();
  }

  start();
})();
