"""``regionet figures``: maps and charts for papers, written as PNG (200 dpi) or SVG.

Matplotlib is imported only when a command runs, so ``regionet --help`` stays fast.

Examples:
    >>> from typer.testing import CliRunner
    >>> result = CliRunner().invoke(figures_app, ["--help"])
    >>> all(name in result.output for name in ("map", "ties", "lorenz"))
    True
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from regionet.interfaces.cli.progress import QuietOption, progress
from regionet.interfaces.cli.sources import DEFAULT_DB, ReadDbOption, read_source

if TYPE_CHECKING:
    from regionet.services.case_source import CaseSource

__all__ = ["figures_app"]

figures_app = typer.Typer(help="Figures for papers: choropleth maps, tie maps, Lorenz curves "
                               "(PNG or SVG, chosen by the --out suffix).",
                          no_args_is_help=True)

OutOption = Annotated[Path, typer.Option("--out", help="Output file: .png (200 dpi) or .svg.")]
ScenarioOption = Annotated[str | None, typer.Option(
    "--scenario", help="Bundled fiscal scenario name or a scenario YAML file.")]
_WIDTH = 170


def _wrap(text: str) -> str:
    return "\n".join(textwrap.wrap(text, _WIDTH))


@figures_app.command("map")
def figures_map(
    measure: Annotated[str, typer.Option("--measure", help="A measure name, e.g. "
                                         "transfers_per_capita, population, ties_total "
                                         "(regionet.services.measures.MEASURES).")],
    out: OutOption,
    year: Annotated[int | None, typer.Option(
        "--year", help="Year: required for fiscal measures (1992-2010), optional for tie "
                       "counts.")] = None,
    scenario: ScenarioOption = None,
    robust: Annotated[bool, typer.Option(
        "--robust", help="Colour scale from the 2nd to the 98th percentile.")] = False,
    title: Annotated[str | None, typer.Option("--title", help="Figure title.")] = None,
    db: ReadDbOption = DEFAULT_DB,
    quiet: QuietOption = False,
) -> None:
    """A choropleth of the 89 subjects of 1999 for one measure (tie counts from --db)."""
    source = read_source(db)
    with progress(f"Drawing the map of {measure}", quiet=quiet):
        path = _map(source, measure, out, year, scenario, robust, title)
    typer.echo(str(path))


def _map(source: CaseSource, measure: str, out: Path, year: int | None, scenario: str | None,
         robust: bool, title: str | None) -> Path:
    from regionet.interfaces.figures import choropleth, save
    from regionet.services.case_source import case_of
    from regionet.services.geo import subject_map
    from regionet.services.measures import MEASURES, measure_values

    values = measure_values(source, measure, year=year, scenario=scenario)
    m = MEASURES[measure]
    case = case_of(source)
    when = f", {year}" if year is not None and m.kind != "case" else ""
    where = ("the workspace " + source.location if source.kind == "workspace"
             else f"regionet case {case.id}")
    if m.kind == "fiscal":
        note = (f"Source: regionet fiscal model{when}, scenario {scenario or 'baseline'} "
                f"(docs/fiscal.md). {m.description}")
    elif m.kind == "network":
        note = f"Source: {where}, ties. {m.description}"
    else:
        note = f"Source: {where}. {m.description}"
    categories = ({1.0: "donor", 0.0: "not a donor"} if m.unit == "1 = donor, 0 = not"
                  else None)
    fig = choropleth(values, subject_map(source), title=title or f"{m.label}{when}",
                     unit=m.unit, source_note=_wrap(note), illustrative=m.illustrative,
                     categories=categories, robust=robust)
    return save(fig, out)


@figures_app.command("ties")
def figures_ties(
    out: OutOption,
    level: Annotated[list[str] | None, typer.Option(
        "--level", help="Level to draw (repeatable): bilateral, subnational, international, "
                        "cross-border, trans-regional, non-adjacent, vertical, interstate, "
                        "federal, external. Default: all but interstate, federal and "
                        "external.")] = None,
    year: Annotated[int | None, typer.Option(
        "--year", help="Only ties whose dates touch this year (undated ties are always "
                       "drawn).")] = None,
    title: Annotated[str | None, typer.Option("--title", help="Figure title.")] = None,
    db: ReadDbOption = DEFAULT_DB,
    quiet: QuietOption = False,
) -> None:
    """A map of cooperation ties as arcs between administrative centres, by level."""
    from regionet.interfaces.figures import save, tie_map
    from regionet.services.tie_maps import DEFAULT_LEVELS, tie_arcs

    source = read_source(db)
    with progress("Drawing the tie map", quiet=quiet):
        fig = tie_map(tie_arcs(source, levels=level or DEFAULT_LEVELS, year=year), title=title)
        path = save(fig, out)
    typer.echo(str(path))


@figures_app.command("lorenz")
def figures_lorenz(
    year: Annotated[int, typer.Option("--year", help="Fiscal year (1992-2010).")],
    out: OutOption,
    scenario: ScenarioOption = None,
    db: ReadDbOption = DEFAULT_DB,
    quiet: QuietOption = False,
) -> None:
    """Lorenz curves of regional revenue per capita, before and after transfers."""
    from regionet.interfaces.figures import lorenz_chart, save
    from regionet.services.fiscal import run_fiscal_year
    from regionet.services.inequality import lorenz_curve

    source = read_source(db)
    with progress(f"Running the fiscal model for {year}", quiet=quiet) as say:
        result = run_fiscal_year(source, year, scenario=scenario)
        say("Drawing the Lorenz curves")
        regions = result.regions
        note = (f"Source: regionet fiscal model, {year}, scenario {scenario or 'baseline'} "
                "(docs/fiscal.md). Before: own regional revenue per capita; after: own "
                "revenue and equalization transfers per capita; residents weighted by "
                "population.")
        curves = [lorenz_curve(regions[column], regions["population"])
                  for column in ("revenue_regional_per_capita", "total_per_capita")]
        fig = lorenz_chart(curves, title=f"Inequality of regional revenue per capita, {year}",
                           source_note=_wrap(note),
                           illustrative=bool(result.inputs.illustrative))
        path = save(fig, out)
    typer.echo(str(path))
