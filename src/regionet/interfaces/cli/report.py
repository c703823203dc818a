"""``regionet report``: write the self-contained HTML report of a case.

``regionet run`` writes the same report (``report.html``) beside its tables; this command
runs only what the report needs: the case, the fiscal section (``fiscal/``), the dynamics
section (``dynamics/``) and the network tables.

Examples:
    >>> from typer.testing import CliRunner
    >>> from regionet.interfaces.cli.app import app
    >>> "--out" in CliRunner().invoke(app, ["report", "--help"]).output
    True
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from regionet.interfaces.cli.progress import QuietOption
from regionet.interfaces.cli.sources import DEFAULT_DB, ReadDbOption, read_source

__all__ = ["REPORT_FILE", "report"]

#: The report's file name in the output folder.
REPORT_FILE = "report.html"


def report(
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("out"),
    case: Annotated[str | None, typer.Option(
        "--case", help="Bundled case id or case folder (default: the workspace --db if it "
                       "exists, else the bundled case).")] = None,
    fiscal: Annotated[bool, typer.Option("--fiscal/--no-fiscal",
                                         help="Include the fiscal section.")] = True,
    dynamics: Annotated[bool, typer.Option(
        "--dynamics/--no-dynamics", help="Include the dynamics section (every scenario over "
                                         "20 seeds, about 3 s).")] = True,
    db: ReadDbOption = DEFAULT_DB,
    quiet: QuietOption = False,
) -> None:
    """Write OUT/report.html: one self-contained HTML file that opens offline."""
    from regionet.interfaces.cli.progress import progress
    from regionet.interfaces.report.report import write_report
    from regionet.services.case_source import CaseSource
    from regionet.services.report import build_report_data

    source = CaseSource.bundled(case) if case is not None else read_source(db)
    with progress("Writing the report", quiet=quiet) as say:
        data = build_report_data(source, out, fiscal=fiscal, dynamics=dynamics, progress=say)
        path = write_report(data, out / REPORT_FILE, progress=say)
    typer.echo(f"Report on {data.result.case_id}: {path.resolve()} "
               f"({path.stat().st_size / 1e6:.1f} MB, self-contained; open it in a browser)")
