"""The ``regionet`` command: ``run`` (the main job), ``report`` and ``data`` (the workspace).

Examples:
    >>> from typer.testing import CliRunner
    >>> result = CliRunner().invoke(app, ["--help"])
    >>> "data" in result.output and "run" in result.output
    True
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from regionet.cases import DEFAULT_CASE
from regionet.core.errors import RegionetError
from regionet.interfaces.cli.coercion import install
from regionet.interfaces.cli.progress import QuietOption
from regionet.interfaces.cli.rich_help import install as light_rich_help
from regionet.interfaces.cli.sources import DEFAULT_DB, DbOption, workspace_source

__all__ = ["app", "command_app", "main"]

install()  # options coerced without pydantic where it adds nothing (coercion.py)
light_rich_help()  # Typer's help drawn without importing Markdown and tracebacks (rich_help.py)


def _root() -> typer.Typer:
    """An empty root app: the one below, and :func:`command_app`'s smaller ones."""
    return typer.Typer(
        name="regionet",
        help="Model a federation's regionalization: centre-region money and regional "
             "cooperation.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )


app = _root()
data_app = typer.Typer(help="The workspace: init, import, validate, query and export data.",
                       no_args_is_help=True)
app.add_typer(data_app, name="data")


def _print_version(value: bool) -> None:
    if value:
        from regionet import __version__

        typer.echo(f"regionet {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[bool, typer.Option(
        "--version", callback=_print_version, is_eager=True,
        help="Print regionet's version and exit.")] = False,
) -> None:
    """Model a federation's regionalization: centre-region money and regional cooperation."""


def _add_fiscal() -> None:
    from regionet.interfaces.cli.fiscal import fiscal_app

    app.add_typer(fiscal_app, name="fiscal")


_add_fiscal()


def _add_report() -> None:
    from regionet.interfaces.cli.report import report

    app.command("report")(report)


_add_report()


def _add_network() -> None:
    from regionet.interfaces.cli.network import network_app

    app.add_typer(network_app, name="network")


_add_network()


def _add_serve() -> None:
    from regionet.interfaces.cli.serve import serve

    app.command("serve")(serve)


_add_serve()


def _add_figures() -> None:
    from regionet.interfaces.cli.figures import figures_app

    app.add_typer(figures_app, name="figures")


_add_figures()


def _add_simulate() -> None:
    from regionet.interfaces.cli.simulate import simulate_app

    app.add_typer(simulate_app, name="simulate")


_add_simulate()

def _add_db() -> None:
    from regionet.interfaces.cli.db import db_app

    app.add_typer(db_app, name="db")


_add_db()

def _add_users() -> None:
    from regionet.interfaces.cli.users import users_app

    app.add_typer(users_app, name="users")


_add_users()

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


@app.command()
def run(
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("out"),
    case: Annotated[str, typer.Option("--case", help="Bundled case id or case folder.")]
    = DEFAULT_CASE,
    quiet: QuietOption = False,
) -> None:
    """Run the main job: validate the case, write its tables and the HTML report."""
    from regionet.interfaces.cli.progress import progress
    from regionet.interfaces.cli.report import REPORT_FILE
    from regionet.interfaces.report.report import write_report
    from regionet.services.case_source import CaseSource
    from regionet.services.report import report_data
    from regionet.services.run import run_case

    with progress("Running the case study", quiet=quiet) as say:
        result = run_case(CaseSource.bundled(case), out, progress=say)
        say("Computing the network tables")
        html = write_report(report_data(result), out / REPORT_FILE, progress=say)
    typer.echo(f"Case {result.case_id}: {result.counts['actors']} actors, "
               f"{result.counts['ties']} ties, {result.counts['observations']} observations.")
    typer.echo(f"Results in {out.resolve()}:")
    typer.echo(f"  report   {html.resolve()}")
    for name, path in result.files.items():
        typer.echo(f"  {name:<8} {path.resolve()}")


@data_app.command("init")
def data_init(
    db: DbOption = DEFAULT_DB,
    case: Annotated[str, typer.Option("--case", help="Bundled case id or case folder.")]
    = DEFAULT_CASE,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing workspace.")]
    = False,
) -> None:
    """Create a workspace holding a validated case."""
    from regionet.services.workspace import init_workspace

    counts = init_workspace(db, case, force=force)
    typer.echo(f"Workspace {db} initialised with {case}: "
               + ", ".join(f"{v} {k}" for k, v in counts.items()))


@data_app.command("validate")
def data_validate(
    files: Annotated[list[Path], typer.Argument(help="CSV or JSON files to check.")],
    db: DbOption = DEFAULT_DB,
    table: Annotated[str | None, typer.Option("--table", help="Table the files feed.")] = None,
) -> None:
    """Check import files against the workspace without writing anything."""
    from regionet.services.workspace import validate_files

    counts = validate_files(db, files, table=table)
    typer.echo("Valid: " + (", ".join(f"{v} {k}" for k, v in counts.items()) or "no rows"))


@data_app.command("import")
def data_import(
    files: Annotated[list[Path], typer.Argument(help="CSV or JSON files to import.")],
    db: DbOption = DEFAULT_DB,
    table: Annotated[str | None, typer.Option("--table", help="Table the files feed.")] = None,
) -> None:
    """Validate files, then import them in one transaction (all or nothing)."""
    from regionet.services.workspace import import_files

    counts = import_files(db, files, table=table)
    typer.echo("Imported: " + (", ".join(f"{v} {k}" for k, v in counts.items()) or "no rows"))


@data_app.command("dump")
def data_dump(
    out: Annotated[Path, typer.Option("--out", help="The dump file to write (a zip).")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Write the whole workspace (and registered inputs' files) to one portable file."""
    from regionet.services.backup import dump

    made = dump(db, out)
    typer.echo(f"Dumped {made.case_id} at revision {made.revision} (version "
               f"{made.version[:12]}) to {made.file}: "
               + ", ".join(f"{v} {k}" for k, v in made.counts.items() if v)
               + (f", {made.files} input files" if made.files else ""))


@data_app.command("restore")
def data_restore(
    file: Annotated[Path, typer.Argument(help="A dump made by `regionet data dump`.")],
    db: DbOption = DEFAULT_DB,
    force: Annotated[bool, typer.Option(
        "--force", help="Replace a workspace that already holds a case.")] = False,
) -> None:
    """Restore a dump into the workspace, all or nothing (checksums checked first)."""
    from regionet.services.backup import restore

    done = restore(db, file, force=force)
    typer.echo(f"Restored {done.case_id} at revision {done.revision} (version "
               f"{done.version[:12]}) into {db}: "
               + ", ".join(f"{v} {k}" for k, v in done.counts.items() if v)
               + (f", {done.files} input files" if done.files else ""))


@data_app.command("export")
def data_export(
    fmt: Annotated[str, typer.Option("--format", help="csv, json, geojson, graphml or gexf.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder.")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Export the workspace (CSV, JSON, GeoJSON of subjects, GraphML/GEXF of ties)."""
    from regionet.services.workspace import export_workspace

    for path in export_workspace(workspace_source(db), fmt, out):
        typer.echo(str(path))


@data_app.command("actors")
def data_actors(
    db: DbOption = DEFAULT_DB,
    kind: Annotated[str | None, typer.Option("--kind", help="Only actors of this kind.")]
    = None,
    as_json: JsonFlag = False,
) -> None:
    """List actors."""
    from regionet.interfaces.cli.output import print_json, print_table
    from regionet.services.records import list_actors

    rows = list_actors(workspace_source(db), kind=kind).data
    if as_json:
        print_json(rows)
    else:
        print_table(rows, ["id", "kind", "name_en", "name_local", "parent", "status"], "Actors")


@data_app.command("ties")
def data_ties(
    db: DbOption = DEFAULT_DB,
    level: Annotated[str | None, typer.Option(help="bilateral, subnational, international, "
                                              "vertical, interstate, federal or external.")]
    = None,
    sublevel: Annotated[str | None, typer.Option(help="cross-border, trans-regional or "
                                                 "non-adjacent.")] = None,
    actor: Annotated[str | None, typer.Option(help="Ties with this actor (or location).")]
    = None,
    kind: Annotated[str | None, typer.Option(help="Tie kind, e.g. membership.")] = None,
    year: Annotated[int | None, typer.Option(help="Ties whose dates touch this year.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Ties valid on YYYY-MM-DD.")]
    = None,
    as_json: JsonFlag = False,
) -> None:
    """List ties with their level, sublevel and the reason for it."""
    from regionet.core.periods import parse_date
    from regionet.interfaces.cli.output import print_json, print_table
    from regionet.model.case import TieFilter
    from regionet.services.records import list_ties

    day: date | None = parse_date(as_of, field="as_of") if as_of else None
    criteria = TieFilter(level=level, sublevel=sublevel, actor=actor, kind=kind, year=year,
                         as_of=day)
    rows = list_ties(workspace_source(db), criteria).data
    if as_json:
        print_json(rows)
    else:
        print_table(rows, ["id", "kind", "actors", "start", "end", "level", "sublevel", "amount",
                           "sources"], "Ties")


@data_app.command("observations")
def data_observations(
    db: DbOption = DEFAULT_DB,
    subject: Annotated[str | None, typer.Option(help="Only this subject.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List observations (aggregate facts)."""
    from regionet.interfaces.cli.output import print_json, print_table
    from regionet.services.records import list_observations

    rows = list_observations(workspace_source(db), subject=subject).data
    if as_json:
        print_json(rows)
    else:
        print_table(rows, ["id", "indicator", "subject", "comparator", "value", "value_text",
                           "unit", "start", "end", "sources"], "Observations")


@data_app.command("show")
def data_show(
    record_id: Annotated[str, typer.Argument(help="An actor, tie, observation or document id.")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Show one record as JSON, with its sources and related ties."""
    from regionet.interfaces.cli.output import print_json
    from regionet.services.records import show

    print_json(show(workspace_source(db), record_id))


@data_app.command("history")
def data_history(
    record_id: Annotated[str, typer.Argument(help="An actor, tie, observation or document id.")],
    db: DbOption = DEFAULT_DB,
    as_json: JsonFlag = False,
) -> None:
    """Show every change of one record: version, action, who, when (JSON: before/after)."""
    from regionet.interfaces.cli.output import print_json, print_table
    from regionet.services.history import record_history

    found = record_history(workspace_source(db), record_id)
    if as_json:
        print_json(found)
        return
    rows = [{**e, "changed": ", ".join(sorted(
        k for k in {*(e["before"] or {}), *(e["after"] or {})}
        if (e["before"] or {}).get(k) != (e["after"] or {}).get(k)))
        if e["before"] is not None and e["after"] is not None else ""}
        for e in found["versions"]]
    print_table(rows, ["version", "action", "who", "at", "proposal", "changed"],
                f"History of {found['resource'][:-1]} {record_id}")


@data_app.command("revert")
def data_revert(
    record_id: Annotated[str, typer.Argument(help="An actor, tie, observation or document id.")],
    to: Annotated[int, typer.Option("--to", min=0, help="The version to go back to (0: "
                                                         "before its first change).")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Bring a record back to a version; the revert is itself a change with its history."""
    from regionet.services.history import revert

    entry = revert(db, record_id, to)
    typer.echo(f"{record_id} reverted to version {to}: now version {entry['version']} "
               f"(by {entry['who']}).")


def command_app(args: list[str]) -> typer.Typer:
    """The app to run for ``args``: only the group they name, or the whole app.

    Typer turns every command's signature into click options before it parses anything
    (about 0.13 s of CPU for regionet's 40 commands); a command line that names a group
    (``regionet fiscal run …``) needs that group only, and the root's own options. Anything
    else (``regionet --help``, a top-level command, a misspelt group) gets the whole app, so
    every help text and error is the same either way (``tests/integration/test_cli_groups.py``).

    Examples:
        >>> [g.name for g in command_app(["fiscal", "run", "--help"]).registered_groups]
        ['fiscal']
        >>> command_app(["--help"]) is app, command_app(["fiscl"]) is app
        (True, True)
    """
    groups = [g for g in app.registered_groups if args[:1] == [g.name]]
    if not groups:
        return app
    only = _root()
    only.registered_callback = app.registered_callback
    only.registered_groups = groups
    return only


def main() -> None:
    """Entry point: run the app, turning regionet errors into messages and exit codes."""
    from regionet.interfaces.cli.errors import as_option, exit_code
    from regionet.interfaces.cli.teardown import end, forget

    if sys.argv[1:] == ["--version"]:  # answered without setting up the commands
        from regionet import __version__

        typer.echo(f"regionet {__version__}")
        return

    forget()  # a command run before in this process (tests) marked nothing of this one
    try:
        command_app(sys.argv[1:])()
    except SystemExit as done:  # how Click ends every command, failed or not
        end(done.code)  # a finished fiscal run ends here, without the teardown (teardown.py)
        raise
    except RegionetError as err:
        typer.echo(f"error: {as_option(err, sys.argv[1:])}", err=True)
        sys.exit(exit_code(err))
