/* Scenario runner: POST /api/simulations, poll GET /api/simulations/{id} while the run goes,
   then draw fan charts (median, 25–75 % and 5–95 % bands over the seeds) of the ties by level
   and of the mean fiscal stress, and the pattern checks. */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const MAX_SEEDS = 20; // a small run: the API allows more, the page keeps it quick
  const POLL_MS = 250;
  const TIES = [
    { metric: "ties_bilateral", level: "bilateral", sublevel: null, label: "Bilateral" },
    { metric: "ties_subnational", level: "subnational", sublevel: null, label: "Subnational" },
    { metric: "ties_international_cross_border", level: "international",
      sublevel: "cross-border", label: "International: cross-border" },
    { metric: "ties_international_trans_regional", level: "international",
      sublevel: "trans-regional", label: "International: trans-regional" },
    { metric: "ties_international_non_adjacent", level: "international",
      sublevel: "non-adjacent", label: "International: non-adjacent" },
  ];
  const state = { scenarios: [], run: 0 };

  function describe() {
    const s = state.scenarios.find((x) => x.name === $("scenario").value);
    $("scenario-description").textContent = s ? s.description : "";
  }

  function rgba(hex, alpha) {
    const n = parseInt(hex.slice(1), 16);
    return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
  }

  /** Traces of one fan: 5–95 % band, 25–75 % band, median line. */
  function fan(rows, label, colour) {
    const years = rows.map((r) => r.year);
    const edge = (key) => ({ x: years, y: rows.map((r) => r[key]), mode: "lines",
                             line: { width: 0 }, hoverinfo: "skip", showlegend: false,
                             legendgroup: label, type: "scatter" });
    return [
      edge("q95"), { ...edge("q05"), fill: "tonexty", fillcolor: rgba(colour, 0.15) },
      edge("q75"), { ...edge("q25"), fill: "tonexty", fillcolor: rgba(colour, 0.3) },
      { x: years, y: rows.map((r) => r.q50), mode: "lines+markers", type: "scatter",
        name: label, legendgroup: label, line: { color: colour, width: 2 },
        marker: { size: 4 },
        customdata: rows.map((r) => [r.q05, r.q95, r.runs]),
        hovertemplate: `${label} %{x}: median %{y:.3~f} (5–95 %: %{customdata[0]:.3~f}–` +
          "%{customdata[1]:.3~f}, %{customdata[2]} runs)<extra></extra>" },
    ];
  }

  function series(summary, metric) {
    return summary.filter((r) => r.metric === metric).sort((a, b) => a.year - b.year);
  }

  function layout(title, yTitle) {
    return { title: { text: title, x: 0.01, font: { size: 14 } },
             margin: { l: 60, r: 10, t: 40, b: 40 }, hovermode: "closest",
             xaxis: { dtick: 1 },
             yaxis: { title: { text: yTitle }, rangemode: "tozero" },
             legend: { orientation: "h", x: 1, xanchor: "right", y: 1.02, yanchor: "bottom" } };
  }

  async function drawCharts(run) {
    const summary = run.results.summary;
    const what = `${run.scenario}, ${run.seeds.length} seed${run.seeds.length > 1 ? "s" : ""}`;
    const ties = TIES.flatMap((t) => fan(series(summary, t.metric), t.label,
                                         RN.levelOf(t.level, t.sublevel).colour));
    await Plotly.react($("ties-chart"), ties, layout(`Ties by level: ${what}`, "ties"),
                       RN.CONFIG);
    const stress = fan(series(summary, "stress_mean"), "Mean fiscal stress", "#444444");
    await Plotly.react($("stress-chart"), stress, layout(`Fiscal stress: ${what}`,
                                                          "stress (0–1)"), RN.CONFIG);
    $("ties-chart").dataset.rendered = run.id;
    $("stress-chart").dataset.rendered = run.id;
  }

  function drawChecks(checks) {
    const rows = checks.map((c) => {
      const observed = c.low === c.high ? RN.fmt(c.low) : `${RN.fmt(c.low)}–${RN.fmt(c.high)}`;
      return RN.el("tr", { "data-target": c.target },
        RN.el("td", { text: c.target.replaceAll("_", " ") }),
        RN.el("td", { text: c.label }),
        RN.el("td", { class: "num", text: observed }),
        RN.el("td", { class: "num", text: RN.fmt(c.mean) }),
        RN.el("td", { class: "num", text: `${RN.fmt(c.q10)}–${RN.fmt(c.q90)}` }),
        RN.el("td", { class: c.passed ? "winner" : "loser",
                      text: c.passed ? "yes" : "no" }),
        RN.el("td", { text: c.source }));
    });
    $("checks").querySelector("tbody").replaceChildren(...rows);
  }

  function showProgress(run) {
    const bar = $("progress");
    bar.hidden = false;
    bar.max = run.progress.total;
    bar.value = run.progress.done;
    RN.status(`${run.status === "queued" ? "Queued" : "Running"}: ${run.progress.done} of ` +
              `${run.progress.total} seeds done…`);
  }

  async function poll(url, ticket) {
    for (;;) {
      const run = await RN.getJSON(url);
      if (ticket !== state.run) return null; // a newer run was started
      if (run.status === "done" || run.status === "failed") return run;
      showProgress(run);
      await new Promise((resolve) => { setTimeout(resolve, POLL_MS); });
    }
  }

  function request() {
    const seeds = Number($("seeds").value);
    const first = Number($("first-seed").value);
    const from = Number($("year-from").value);
    const to = Number($("year-to").value);
    if (!Number.isInteger(seeds) || seeds < 1 || seeds > MAX_SEEDS) {
      throw new Error(`Seeds: give a whole number from 1 to ${MAX_SEEDS}.`);
    }
    if (!Number.isInteger(first) || first < 0) {
      throw new Error("First seed: give a whole number from 0.");
    }
    if (from > to) throw new Error(`From ${from} is after To ${to}: choose From ≤ To.`);
    return { scenario: $("scenario").value,
             seeds: Array.from({ length: seeds }, (_, k) => first + k), years: [from, to] };
  }

  async function start(event) {
    event.preventDefault();
    state.run += 1;
    const ticket = state.run;
    const main = document.querySelector("main");
    let body;
    try {
      body = request();
    } catch (e) {
      RN.status(e.message, true);
      return;
    }
    $("run").disabled = true;
    try {
      const created = await RN.getJSON("/api/simulations", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body) });
      main.dataset.run = created.id;
      showProgress(created);
      const run = await poll(created.url, ticket);
      if (run === null) return;
      $("progress").value = run.progress.done;
      if (run.status === "failed") {
        RN.status(`The run failed: ${run.error ? run.error.detail : "unknown error"}`, true);
        return;
      }
      await drawCharts(run);
      drawChecks(run.results.checks);
      const passed = run.results.checks.filter((c) => c.passed).length;
      RN.status(`Done: ${run.progress.total} seeds, ${run.years[0]}–${run.years[1]}; ` +
                `${passed} of ${run.results.checks.length} observed patterns within range.`);
      main.dataset.done = run.id;
    } catch (e) {
      RN.status(e.message, true);
    } finally {
      if (ticket === state.run) $("run").disabled = false;
    }
  }

  async function init() {
    RN.fillSelect($("year-from"), RN.years(1991, 2010), 1991);
    RN.fillSelect($("year-to"), RN.years(1991, 2010), 2002);
    try {
      const body = await RN.getJSON("/api/simulations/scenarios");
      state.scenarios = body.data;
      RN.fillSelect($("scenario"), body.data.map((s) => [s.name, s.name]), "as-described");
      describe();
    } catch (e) {
      RN.status(`Could not load the scenarios: ${e.message}`, true);
    }
    $("scenario").addEventListener("change", describe);
    $("controls").addEventListener("submit", start);
  }

  init();
})();
