"""Where a command's case comes from: the ``--db`` option and the source it names.

Commands that read the user's data take ``--db`` (env ``REGIONET_DB``, default
``./regionet.db``). ``data`` commands need the workspace (:func:`workspace_source`); the
others fall back to the bundled case when the file does not exist and say so on standard
error (:func:`read_source`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:  # imported when a command runs: `regionet --help` stays fast
    from regionet.services.case_source import CaseSource

__all__ = ["DEFAULT_DB", "DbOption", "ReadDbOption", "read_source", "workspace_source"]

#: The workspace a command uses when ``--db`` and ``REGIONET_DB`` are not given.
DEFAULT_DB = "regionet.db"

# Text, not Path: a database URL's "//" must survive.
DbOption = Annotated[str, typer.Option("--db", envvar="REGIONET_DB",
                                        help="Workspace SQLite file or database URL "
                                             "(env REGIONET_DB).")]
ReadDbOption = Annotated[str, typer.Option(
    "--db", envvar="REGIONET_DB",
    help="Workspace SQLite file or database URL (env REGIONET_DB); the bundled case if it "
         "does not exist.")]


def workspace_source(db: str) -> CaseSource:
    """The workspace ``db``, which must exist (errors say to run ``regionet data init``)."""
    from regionet.services.case_source import CaseSource

    return CaseSource.workspace(db)


def read_source(db: str) -> CaseSource:
    """The workspace ``db`` if it exists, else the bundled case (saying so on stderr)."""
    from regionet.services.case_source import CaseSource

    source = CaseSource.open(db)
    if source.note:
        typer.echo(source.note, err=True)
    return source
