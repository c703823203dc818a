"""``regionet fiscal inputs``: register a user's economy in the workspace, list, remove it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from regionet.interfaces.cli.sources import DEFAULT_DB, DbOption, ReadDbOption

if TYPE_CHECKING:
    from regionet.services.inputs import InputsSummary

__all__ = ["InputsOption", "describe", "inputs_app"]

inputs_app = typer.Typer(help="Your own economies (establishments, firms, regions files), "
                              "registered once in the workspace and run by name.",
                         no_args_is_help=True)

#: ``--inputs NAME`` of ``fiscal run|compare|explain``.
InputsOption = Annotated[str | None, typer.Option(
    "--inputs", help="Registered inputs to run on (see `regionet fiscal inputs list`); "
                     "default: the illustrative economy.")]


def describe(identity: dict[str, Any]) -> str:
    """One line saying which inputs a result came from (printed on standard error)."""
    checksum = identity.get("checksum")
    digest = f"SHA-256 {checksum[:16]}…" if checksum else "files read directly, no checksum"
    kind = " (illustrative)" if identity.get("illustrative") else ""
    return f"Inputs: {identity.get('name')}{kind}, {digest}"


def _row(summary: InputsSummary) -> dict[str, Any]:
    return {"name": summary.name,
            "years": ", ".join(map(str, summary.years)) or
            ("1992-2010" if summary.added is None else "any"),  # the economy: its years
            "rows": ", ".join(f"{k} {v}" for k, v in summary.rows.items()) or "generated",
            "checksum": summary.checksum[:16], "added": summary.added or "bundled"}


@inputs_app.command("add")
def inputs_add(
    name: Annotated[str, typer.Argument(help="A name to run them by, e.g. firms-2003.")],
    establishments: Annotated[Path, typer.Option(
        "--establishments", help="CSV/Parquet: firm_id, region, headcount, payroll, assets, "
                                 "sales[, year].")],
    firms: Annotated[Path, typer.Option(
        "--firms", help="CSV/Parquet: firm_id, registered_region, profit[, year].")],
    regions: Annotated[Path | None, typer.Option(
        "--regions", help="CSV/Parquet: region, population, ... (default: the case's "
                          "illustrative regions table).")] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Validate the files once and store them beside the workspace, with a checksum."""
    from regionet.interfaces.cli.sources import workspace_source
    from regionet.services.inputs import add_inputs

    summary = add_inputs(workspace_source(db), name, establishments=establishments,
                         firms=firms, regions=regions)
    row = _row(summary)
    typer.echo(f"Registered inputs {summary.name}: {row['rows']}; years {row['years']}; "
               f"SHA-256 {summary.checksum}")


@inputs_app.command("list")
def inputs_list(
    db: ReadDbOption = DEFAULT_DB,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The inputs you can run on: the illustrative economy and those registered."""
    from regionet.interfaces.cli.output import print_json, print_table
    from regionet.interfaces.cli.sources import read_source
    from regionet.services.inputs import list_inputs

    summaries = list_inputs(read_source(db))
    if as_json:
        print_json([s.to_dict() for s in summaries])
    else:
        print_table([_row(s) for s in summaries], ["name", "years", "rows", "checksum", "added"],
                    "Fiscal inputs")


@inputs_app.command("remove")
def inputs_remove(
    name: Annotated[str, typer.Argument(help="The registered inputs' name.")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Forget registered inputs and delete their stored files."""
    from regionet.interfaces.cli.sources import workspace_source
    from regionet.services.inputs import remove_inputs

    summary = remove_inputs(workspace_source(db), name)
    typer.echo(f"Removed inputs {summary.name} (SHA-256 {summary.checksum}).")
