"""``regionet network``: centralities, bloc dominance, actorness, communities, graph export.

Every command reads the workspace ``--db`` (env ``REGIONET_DB``); when that file does not
exist it uses the bundled case and says so on standard error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from regionet.interfaces.cli.sources import DEFAULT_DB, ReadDbOption, read_source

__all__ = ["network_app"]

network_app = typer.Typer(help="The cooperation network: hubs, blocs, communities, "
                               "international actorness, GraphML/GEXF.", no_args_is_help=True)

YearOption = Annotated[int | None, typer.Option(
    "--year", help="Ties valid at some time in this year (default: all dates).")]
LevelOption = Annotated[str | None, typer.Option(
    "--level", help="Only ties of this level (bilateral, subnational, international, "
                    "vertical, interstate, federal, external) or international sublevel "
                    "(cross-border, trans-regional, non-adjacent).")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
METRIC_COLUMNS = ["id", "name_en", "kind", "degree", "strength", "betweenness", "pagerank",
                  "eigenvector", "community"]


def _rounded(rows: list[dict[str, object]], digits: int = 4) -> list[dict[str, object]]:
    return [{k: round(v, digits) if isinstance(v, float) else v for k, v in row.items()}
            for row in rows]


@network_app.command("metrics")
def network_metrics_command(
    year: YearOption = None,
    level: LevelOption = None,
    db: ReadDbOption = DEFAULT_DB,
    top: Annotated[int, typer.Option("--top", help="Rows to show in the table (JSON: all).")]
    = 25,
    as_json: JsonFlag = False,
    edges: Annotated[Path | None, typer.Option(
        "--edges", help="Measure this edge list instead (CSV/Parquet: source, target[, "
                        "weight]): degree, strength, PageRank, components.")] = None,
    directed: Annotated[bool, typer.Option(
        "--directed", help="With --edges: edges go from source to target.")] = False,
) -> None:
    """Degree, strength, betweenness, PageRank, eigenvector centrality and community per actor.

    With --edges FILE: degree, strength, PageRank and connected component of every node of
    your own edge list (no workspace needed; fast on large graphs).
    """
    from regionet.interfaces.cli.output import print_json, print_table

    if edges is not None:
        _edge_list_metrics(edges, directed, year, level, top, as_json)
        return
    from regionet.services.network import network_metrics

    rows = network_metrics(read_source(db), year=year, level=level)
    if as_json:
        print_json(rows)
        return
    what = ", ".join(x for x in (str(year) if year else "all dates", level) if x)
    print_table(_rounded(rows[:top]), METRIC_COLUMNS,
                f"Network metrics, {what}, {len(rows)} actors; highest PageRank")


def _edge_list_metrics(edges: Path, directed: bool, year: int | None, level: str | None,
                       top: int, as_json: bool) -> None:
    from regionet.core.errors import InvalidValueError
    from regionet.interfaces.cli.output import print_json, print_table
    from regionet.services.edge_lists import EDGE_METRIC_COLUMNS, edge_list_metrics

    if year is not None or level is not None:
        raise InvalidValueError("--year and --level select the case's ties, not an edge list",
                                field="edges", value=str(edges),
                                expected="--edges FILE without --year or --level")
    rows = edge_list_metrics(edges, directed=directed)
    if as_json:  # one line: Python's indenting encoder takes seconds for 100,000 rows
        print_json(rows, indent=None)
        return
    components = len({r["component"] for r in rows})
    print_table(_rounded(rows[:top], 6), list(EDGE_METRIC_COLUMNS),
                f"{edges.name}: {len(rows)} nodes, {components} components; highest PageRank")


@network_app.command("blocs")
def network_blocs_command(
    year: YearOption = None,
    db: ReadDbOption = DEFAULT_DB,
    as_json: JsonFlag = False,
) -> None:
    """Bloc dominance per association: top member, its share, concentration, basis."""
    from regionet.interfaces.cli.output import print_json, print_table
    from regionet.services.network import bloc_dominance_table

    rows = bloc_dominance_table(read_source(db), year=year)
    if as_json:
        print_json(rows)
        return
    print_table(_rounded(rows), ["association", "n_members", "n_internal_ties",
                                 "top_member", "top_share", "hhi_normalized", "claimed_hub",
                                 "claimed_hub_share"],
                f"Bloc dominance ({year or 'all dates'})")
    for row in rows:
        typer.echo(row["sentence"])


@network_app.command("actorness")
def network_actorness_command(
    start: Annotated[int, typer.Option("--from", help="First year.")] = 1990,
    end: Annotated[int, typer.Option("--to", help="Last year.")] = 2010,
    region: Annotated[str | None, typer.Option("--region", help="Only this region, "
                                               "e.g. RU-KR.")] = None,
    db: ReadDbOption = DEFAULT_DB,
    as_json: JsonFlag = False,
) -> None:
    """International actorness per region and year: foreign ties, partners, money."""
    from regionet.core.errors import InvalidValueError
    from regionet.interfaces.cli.output import print_json, print_table
    from regionet.services.network import actorness_table

    if end < start:
        raise InvalidValueError("--to is before --from", field="--to", value=end,
                                expected=f"a year on or after {start}")
    rows = actorness_table(read_source(db), years=range(start, end + 1), region=region)
    if as_json:
        print_json(rows)
        return
    print_table(rows, ["year", "region", "ties_cross_border", "ties_trans_regional",
                       "ties_non_adjacent", "n_partners", "money_ties", "money_ecu", "actorness"],
                f"International actorness {start}-{end}")
    for row in rows:
        if row["money_note"]:
            typer.echo(f"{row['year']} {row['region']}: {row['money_note']}")


@network_app.command("communities")
def network_communities_command(
    year: YearOption = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the Louvain method.")] = 0,
    db: ReadDbOption = DEFAULT_DB,
    as_json: JsonFlag = False,
) -> None:
    """Louvain communities of the domestic network vs the formal associations (NMI, ARI)."""
    from regionet.interfaces.cli.output import print_json, print_table
    from regionet.services.network import communities_vs_associations

    result = communities_vs_associations(read_source(db), year=year, seed=seed)
    if as_json:
        print_json(result)
        return
    print_table(_rounded(result["communities"]), ["community", "association",
                                                  "association_share", "members"],
                "Communities")
    typer.echo(f"NMI {result['nmi']:.3f}, ARI {result['ari']:.3f} over "
               f"{result['n_compared']} members; basis: {result['basis']}")


@network_app.command("export")
def network_export_command(
    fmt: Annotated[str, typer.Option("--format", help="graphml or gexf.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder.")],
    year: YearOption = None,
    level: LevelOption = None,
    db: ReadDbOption = DEFAULT_DB,
) -> None:
    """Write the tie graph (optionally of one year and level) as GraphML or GEXF."""
    from regionet.services.network import export_graph

    typer.echo(str(export_graph(read_source(db), fmt, out, year=year, level=level)))
