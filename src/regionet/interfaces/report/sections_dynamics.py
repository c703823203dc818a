"""Report section 7: the system in motion, the dynamics model's Monte Carlo runs (illustrative).

Tables and figures come from the main job's dynamics section
(:class:`~regionet.services.dynamics_summary.DynamicsSection`), whose files are in
``dynamics/`` beside the report: every scenario over the same seeds, fan charts per scenario,
the ties by level over time, the observed patterns against the runs and a map of the ties each
region holds at the end.
"""

from __future__ import annotations

from html import escape

import pandas as pd

from regionet.interfaces.figures import LEVEL_COLOURS, Fan, choropleth, fan_chart, pattern_chart
from regionet.interfaces.report.elements import Page, frame_table
from regionet.services.dynamics_summary import MAP_SCENARIO, DynamicsSection
from regionet.services.geo import subject_map
from regionet.services.report import ReportData

__all__ = ["system_in_motion"]

_ANCHOR = "the-system-in-motion"
#: The tie counts by level drawn over time: output column, label, colour key.
_LEVELS = (("ties_bilateral", "bilateral", "bilateral"),
           ("ties_subnational", "subnational (association)", "subnational"),
           ("ties_international_cross_border", "international: cross-border", "cross-border"),
           ("ties_international_trans_regional", "international: trans-regional",
            "trans-regional"),
           ("ties_international_non_adjacent", "international: non-adjacent", "non-adjacent"))
_SNAPSHOTS = (1991, 1994, 1998, 2002)


def _seeds(section: DynamicsSection) -> str:
    s = section.seeds
    return (f"seeds {s[0]}–{s[-1]}" if list(s) == list(range(s[0], s[0] + len(s)))
            else "seeds " + ", ".join(map(str, s)))


def _note(section: DynamicsSection, what: str) -> str:
    return (f"Source: regionet dynamics model, {what}, {len(section.seeds)} runs per scenario "
            f"({_seeds(section)}), {section.years[0]}–{section.years[1]}. Files in dynamics/.")


def _source(section: DynamicsSection, file: str) -> str:
    return (f"regionet dynamics model, {len(section.seeds)} runs per scenario "
            f"({_seeds(section)}); <code>dynamics/{escape(file)}</code>; the model: "
            "docs/dynamics.md")


def _fan(summary: pd.DataFrame, scenario: str, metric: str, label: str, colour: str) -> Fan:
    rows = summary[(summary["scenario"] == scenario) & (summary["metric"] == metric)] \
        .sort_values("year")
    def q(name: str) -> list[float]:
        return rows[name].astype(float).tolist()

    return Fan(label, rows["year"].astype(int).tolist(), q05=q("q05"), q25=q("q25"),
               q50=q("q50"), q75=q("q75"), q95=q("q95"), colour=colour)


def _fans(section: DynamicsSection, page: Page) -> str:
    summary = section.summary
    names = list(section.scenarios)
    ties = fan_chart(
        [(name, [_fan(summary, name, "horizontal_ties", "horizontal (bilateral + "
                      "subnational)", LEVEL_COLOURS["bilateral"]),
                 _fan(summary, name, "ties_international", "international",
                      LEVEL_COLOURS["cross-border"])]) for name in names],
        title="Ties by scenario: medians, 25–75 % and 5–95 % of the runs", ylabel="ties",
        source_note=_note(section, "outputs horizontal_ties and ties_international"),
        illustrative=True)
    stress = fan_chart(
        [(name, [_fan(summary, name, "stress_mean", "mean fiscal stress", "#444444")])
         for name in names],
        title="Fiscal stress by scenario: medians, 25–75 % and 5–95 % of the runs",
        ylabel="stress (0–1)", source_note=_note(section, "output stress_mean"),
        illustrative=True)
    described = "".join(f"<li><b>{escape(n)}</b>: {escape(d)}</li>"
                        for n, d in section.scenarios.items())
    return ("<h3>7.1 The scenarios, run by run</h3>"
            f"<ul>{described}</ul>"
            + page.figure(ties, "Ties in force each year under each scenario: horizontal ties "
                          "(bilateral and within associations) and international ties. Lines "
                          "are the medians over the runs, bands the 25–75 % and 5–95 % "
                          "ranges.", alt="Fan charts of ties by scenario",
                          source=_source(section, "summary.csv"), illustrative=True)
            + page.figure(stress, "The regions' fiscal stress (population-weighted mean "
                          "shortfall of money against expenditure need, 0–1) under each "
                          "scenario.", alt="Fan charts of fiscal stress by scenario",
                          source=_source(section, "summary.csv"), illustrative=True))


def _levels(section: DynamicsSection, page: Page) -> str:
    summary = section.summary
    if MAP_SCENARIO not in section.scenarios:
        return ""
    fans = [_fan(summary, MAP_SCENARIO, metric, label, LEVEL_COLOURS[key])
            for metric, label, key in _LEVELS]
    fig = fan_chart([(MAP_SCENARIO, fans)], title=f"Ties by level, {MAP_SCENARIO}",
                    ylabel="ties in force", source_note=_note(section, "ties by level"),
                    illustrative=True)
    medians = summary[(summary["scenario"] == MAP_SCENARIO)
                      & summary["metric"].isin([m for m, _, _ in _LEVELS])
                      & summary["year"].isin(_SNAPSHOTS)]
    view = medians.pivot(index="metric", columns="year", values="q50").reindex(
        [m for m, _, _ in _LEVELS])
    view.index = [label for _, label, _ in _LEVELS]
    view = view.rename_axis("level (median over the runs)").reset_index()
    view.columns = [str(c) for c in view.columns]
    return (f"<h3>7.2 Tie counts by level over time ({escape(MAP_SCENARIO)})</h3>"
            "<p>The memo's three levels (para 10): bilateral ties between regions, subnational "
            "ties within their associations, and international ties, split into cross-border, "
            "trans-regional and non-adjacent (para 13). Each tie the model can create was "
            "classified beforehand by the case's level classifier (docs/levels.md).</p>"
            + page.figure(fig, "Ties in force each year by level: medians over the runs with "
                          "their 25–75 % and 5–95 % bands.",
                          alt="Fan chart of tie counts by level over time",
                          source=_source(section, "summary.csv"), illustrative=True,
                          wide=False)
            + frame_table(view, 0))


def _checks(section: DynamicsSection, page: Page) -> str:
    checks = section.checks
    if checks.empty:
        return ""
    main = checks[checks["scenario"] == MAP_SCENARIO] if MAP_SCENARIO in section.scenarios \
        else checks[checks["scenario"] == next(iter(section.scenarios))]
    scenario = str(main["scenario"].iloc[0])
    fig = pattern_chart(main, title=f"Observed patterns against the runs, {scenario}",
                        source_note=_note(section, "pattern checks"), illustrative=True)
    passed = int(main["passed"].sum())
    observed = [f"{lo:g}" if lo == hi else f"{lo:g}–{hi:g}"
                for lo, hi in zip(main["low"], main["high"], strict=True)]
    view = pd.DataFrame({
        "pattern": main["target"].str.replace("_", " "), "years": main["label"],
        "observed": observed, f"{scenario}: mean": main["mean"],
        "10 %": main["q10"], "90 %": main["q90"], "within": main["passed"].astype(bool),
        "source": main["source"], "status": main["status"]})
    others = [n for n in section.scenarios if n != scenario]
    for name in others:
        theirs = checks[checks["scenario"] == name].set_index(["target", "label"])["mean"]
        view[f"{name}: mean"] = [float(theirs.get((t, lab), float("nan")))
                                 for t, lab in zip(main["target"], main["label"], strict=True)]
    props = section.properties
    claims = ""
    if not props.empty:
        shown = props.assign(share_of_seeds=props["share_of_seeds"] * 100).rename(
            columns={"share_of_seeds": "seeds agreeing (%)"})
        claims = ("<h4>The memo's claims as properties of paired runs</h4>"
                  "<p>The same seed under two scenarios (common random numbers); a claim "
                  "holds when the means say so and enough seeds agree (docs/dynamics.md).</p>"
                  + frame_table(shown, {"value": 1, "other_value": 1,
                                        "seeds agreeing (%)": 0}, {"source": page.refs}))
    return ("<h3>7.3 Checked against history: observed patterns and the runs</h3>"
            f"<p>Several observed patterns at once (pattern-oriented modelling, Grimm et al. "
            f"2005): under <code>{escape(scenario)}</code> {passed} of {len(main)} checks lie "
            f"within their observed range, over {len(section.seeds)} runs. The 100-seed test "
            "of the same targets is <code>tests/integration/test_dynamics_patterns.py</code>; "
            "the calibrated parameters were fitted to these targets (docs/dynamics.md, "
            "Calibration), so they are a calibration, not an independent validation. The "
            "other scenarios are counterfactuals: they are not expected to match.</p>"
            + page.figure(fig, "Each observed pattern's range (shaded, scaled to −1…1) and "
                          "the runs' mean with its 10–90 % spread; the numbers at the "
                          "right.", alt="Chart of observed patterns against the runs",
                          source=_source(section, "checks.csv"), illustrative=True)
            + frame_table(view, 3, {"source": page.refs}) + claims)


def _map(data: ReportData, section: DynamicsSection, page: Page) -> str:
    regions = section.regions
    if regions.empty:
        return ""
    end = section.years[1]
    values = {str(r): float(v) for r, v in zip(regions["region"], regions["ties"],
                                               strict=True)}
    fig = choropleth(values, subject_map(data.result.source),
                     title=f"Where ties formed: ties each region holds in {end}, "
                           f"{MAP_SCENARIO}", unit="ties (mean over the runs)",
                     source_note=_note(section, "region table"), illustrative=True)
    top = regions.sort_values("ties", ascending=False).head(10)
    view = top.rename(columns={"ties_bilateral": "bilateral", "ties_subnational":
                               "subnational", "ties_foreign": "foreign partners",
                               "ties_programme": "programmes", "ties": "all"})
    return (f"<h3>7.4 Where ties formed ({escape(MAP_SCENARIO)}, {end})</h3>"
            + page.figure(fig, f"The ties each region holds in {end} (formed since "
                          f"{section.years[0]} and not decayed), all kinds, mean over the runs.",
                          alt="Map of the ties each region holds at the end of the runs",
                          source=_source(section, f"regions_{end}.csv"), illustrative=True)
            + f"<h4>The ten regions with the most ties in {end}</h4>"
            + frame_table(view, 1, {"region": page.actor}))


def system_in_motion(data: ReportData, page: Page) -> str:
    """Section 7: scenarios' fan charts, ties by level, checks against history, the map."""
    section = data.dynamics
    if section is None:
        return (f'<section id="{_ANCHOR}"><h2>7. The system in motion</h2>'
                "<p>No dynamics section: the case has no dynamics files or economy, or it was "
                "left out (<code>--no-dynamics</code>).</p></section>")
    banner = ('<div class="banner"><b>Illustrative.</b> A seeded model of the centre, the '
              "regions and their foreign partners (docs/dynamics.md): most of its parameters "
              "are assumed, three are calibrated to the patterns of table 7.3, and its fiscal "
              "inputs come from the illustrative economy. Every scenario ran with the same "
              f"{len(section.seeds)} seeds ({_seeds(section)}), {section.years[0]}–"
              f"{section.years[1]}: the numbers show what the memo's mechanisms imply "
              "together, not what happened region by region.</div>")
    return (f'<section id="{_ANCHOR}" class="dynamics"><h2>7. The system in motion</h2>'
            + banner + _fans(section, page) + _levels(section, page)
            + _checks(section, page) + _map(data, section, page)
            + '<p class="note">Every table of this section is a file in <code>dynamics/'
              "</code> beside this page (the runs themselves in <code>runs.parquet</code>)."
              "</p></section>")
