"""The report: one self-contained HTML file, every section, figures with captions, sources.

`regionet report` runs once as a subprocess (as a user would); the traceability checks
read the same data in process. No browser here: the dashboard's e2e test has one.
"""

import base64
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from regionet.engines.fiscal.run.inequality import inequality
from regionet.interfaces.report.report import SECTIONS, render_report
from regionet.services.case_source import CaseSource
from regionet.services.report import build_report_data

EXE = [sys.executable, "-m", "regionet.interfaces.cli"]
pytestmark = pytest.mark.slow  # the report: every figure, ~10 s


class _Page(HTMLParser):
    """Every id, href, src and image of a page, and the text of each section."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.srcs: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        values = dict(attrs)
        if values.get("id"):
            self.ids.append(str(values["id"]))
        if values.get("href") is not None:
            self.hrefs.append(str(values["href"]))
        if values.get("src") is not None:
            self.srcs.append(str(values["src"]))


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    result = subprocess.run([*EXE, "report", "--out", "out"], cwd=folder, capture_output=True,
                            text=True, timeout=180, check=False,
                            env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    assert "report.html" in result.stdout
    return folder / "out"


@pytest.fixture(scope="module")
def html(out: Path) -> str:
    return (out / "report.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def page(html: str) -> _Page:
    parser = _Page()
    parser.feed(html)
    return parser


def _section(html: str, anchor: str) -> str:
    start = html.index(f'<section id="{anchor}"')
    return html[start:html.index("</section>", start)]


def test_the_report_is_one_file_beside_the_fiscal_and_dynamics_tables(out):
    assert sorted(p.name for p in out.iterdir()) == ["dynamics", "fiscal", "report.html"]
    assert (out / "fiscal" / "series_1992_2010.csv").is_file()
    assert sorted(p.name for p in (out / "dynamics").iterdir()) == [
        "checks.csv", "properties.csv", "regions_2002.csv", "runs.parquet", "summary.csv"]
    assert 0.3e6 < (out / "report.html").stat().st_size < 4e6


def test_every_section_heading_is_there_with_a_table_of_contents(html, page):
    for anchor, title in SECTIONS:
        assert f'<section id="{anchor}"' in html, anchor
        assert f'href="#{anchor}"' in html, anchor
        assert re.search(rf"<h2>{re.escape(title.split(' (')[0])}", html), title
    positions = [html.index(f'<section id="{a}"') for a, _ in SECTIONS]
    assert positions == sorted(positions)
    assert len(page.ids) == len(set(page.ids)), "duplicate ids"


def test_it_loads_nothing_from_anywhere(html, page):
    assert "<script" not in html and "<link" not in html and "<iframe" not in html
    assert "@import" not in html
    for needle in ('src="http', "href=\"http", "url(http", "src='http", "href='http"):
        assert needle not in html, needle
    assert all(s.startswith("data:image/png;base64,") for s in page.srcs), page.srcs[:3]
    assert all(h.startswith("#") for h in page.hrefs), [h for h in page.hrefs
                                                         if not h.startswith("#")][:3]


def test_web_addresses_appear_only_as_text_in_the_sources(html):
    sources = _section(html, "sources")
    rest = html.replace(sources, "")
    assert "http://" not in rest and "https://" not in rest
    assert "https://" in sources  # documents' addresses, as plain text
    assert '<a href="http' not in sources


def test_figures_are_embedded_pngs_with_numbered_captions_and_sources(html):
    figures = re.findall(r"<figure.*?</figure>", html, flags=re.DOTALL)
    assert len(figures) >= 10
    for n, figure in enumerate(figures, start=1):
        data = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', figure)
        assert data, figure[:200]
        assert base64.b64decode(data.group(1))[:8] == b"\x89PNG\r\n\x1a\n"
        assert re.search(r'alt="[^"]+"', figure)
        assert f"<b>Figure {n}.</b>" in figure and "Source:" in figure


def test_the_fiscal_section_is_labelled_illustrative(html):
    fiscal = _section(html, "the-fiscal-system")
    assert '<div class="banner"><b>Illustrative.</b>' in fiscal
    figures = re.findall(r"<figure.*?</figure>", fiscal, flags=re.DOTALL)
    assert len(figures) >= 6
    assert all("illustrative-tag" in f for f in figures)
    for heading in ("registration", "The regions' bill", "Donors and recipients",
                    "Inequality", "1992–2010", "Calibration"):
        assert heading in fiscal, heading
    # the dynamics model runs on the same illustrative economy (section 7) and says so too
    outside = html.replace(fiscal, "").replace(_section(html, "the-system-in-motion"), "")
    assert "illustrative-tag\">Illustrative</span> numbers" not in outside


def test_every_document_link_has_its_anchor(page):
    anchors = {i for i in page.ids if i.startswith("doc-")}
    links = {h[1:] for h in page.hrefs if h.startswith("#doc-")}
    assert links, "no source links"
    assert links <= anchors, sorted(links - anchors)
    assert {"doc-sergounin-1999", "doc-gaidar-2005", "doc-natural-earth"} <= anchors
    sections = {i for i in page.ids if not i.startswith(("doc-", "figure-"))}
    assert {h[1:] for h in page.hrefs if not h.startswith("#doc-")} <= sections


def test_every_tie_and_observation_is_traceable(tmp_path, html):
    data = build_report_data(CaseSource.bundled(), out=tmp_path, fiscal=False, dynamics=False)
    for tie in data.result.ties:
        if tie["kind"] == "membership":
            assert data.names[tie["actors"][-1]] in html, tie["actors"][-1]
        else:
            assert tie["id"] in html, tie["id"]
    levels = _section(html, "the-three-levels-of-cooperation")
    assert "sergounin-1999</a>: para 14" in levels  # Norway's pledge, cited
    assert "NOK 300,000,000 (1998)" in levels
    for indicator in {o["indicator"] for o in data.result.observations}:
        assert indicator.replace("_", " ") in html, indicator


def test_bloc_dominance_states_its_basis_and_the_claims(html):
    blocs = _section(html, "bloc-dominance")
    assert "RU-SPE" in blocs and "RU-SVE" in blocs and "Ekaterinburg" in blocs
    assert "cannot test the claim" in blocs
    assert "membership ties only" in blocs


def test_network_sections_show_actorness_and_agreement(html):
    actorness = _section(html, "international-actorness-over-time")
    assert "Karelia" in actorness and "<figure" in actorness
    communities = _section(html, "communities-vs-associations")
    assert "NMI" in communities and "ARI" in communities and "<table" in communities


def test_the_lorenz_curves_match_the_inequality_table(tmp_path):
    data = build_report_data(CaseSource.bundled(), out=tmp_path, dynamics=False)
    assert data.lorenz is not None and data.fiscal is not None
    table = data.fiscal.inequality.set_index("measure")
    lorenz = data.lorenz
    before = inequality(lorenz["before"], lorenz["population"])["gini"]
    after = inequality(lorenz["after"], lorenz["population"])["gini"]
    assert before == pytest.approx(table.loc["gini", "before"])
    assert after == pytest.approx(table.loc["gini", "after"])


def test_without_the_fiscal_and_dynamics_sections_the_report_says_so(tmp_path):
    html = render_report(build_report_data(CaseSource.bundled(), out=tmp_path, fiscal=False,
                                           dynamics=False))
    fiscal = _section(html, "the-fiscal-system")
    assert "No fiscal section" in fiscal and "<figure" not in fiscal
    motion = _section(html, "the-system-in-motion")
    assert "No dynamics section" in motion and "<figure" not in motion
    assert not (tmp_path / "fiscal").exists() and not (tmp_path / "dynamics").exists()


def test_the_dynamics_section_states_its_seeds_and_shows_the_runs(out, html):
    import pandas as pd

    motion = _section(html, "the-system-in-motion")
    assert "Every scenario ran with the same 20 seeds (seeds 0–19), 1991–2002" in motion
    figures = re.findall(r"<figure.*?</figure>", motion, flags=re.DOTALL)
    assert len(figures) == 5 and all("illustrative-tag" in f for f in figures)
    for heading in ("7.1 The scenarios", "7.2 Tie counts by level over time",
                    "7.3 Checked against history", "7.4 Where ties formed"):
        assert heading in motion, heading
    summary = pd.read_csv(out / "dynamics" / "summary.csv")
    runs = pd.read_parquet(out / "dynamics" / "runs.parquet")
    assert sorted(runs["seed"].unique()) == list(range(20))
    assert runs.groupby("scenario")["run_id"].nunique().to_dict() == dict.fromkeys(
        ["as-described", "closed-borders", "no-treaties", "strong-centre",
         "tax-at-operation"], 20)
    median = summary[(summary.scenario == "as-described") & (summary.metric == "ties_bilateral")
                     & (summary.year == 1998)]["q50"].iloc[0]
    mine = runs[(runs.scenario == "as-described") & (runs.year == 1998)]["ties_bilateral"]
    assert median == pytest.approx(mine.median())
    row = re.search(r"<tr><td>bilateral</td>(.*?)</tr>", motion).group(1)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert cells[2] == f"{median:,.0f}"  # 1991, 1994, 1998, 2002
    checks = pd.read_csv(out / "dynamics" / "checks.csv")
    mine = checks[checks.scenario == "as-described"]
    assert f"{int(mine['passed'].sum())} of {len(mine)} checks lie within" in motion
    assert "Where ties formed: map" not in motion and "Map of the ties each region" in motion
