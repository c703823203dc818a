"""The workspace's record of registered fiscal inputs: which files, with which checksums.

A user's economy registered with ``regionet fiscal inputs add`` is a folder of Parquet files
beside the database (written by :mod:`regionet.io.registered_inputs`) and one row of
``fiscal_inputs`` plus one row of ``fiscal_input_files`` per file, written here in one of the
workspace's write transactions (:meth:`~regionet.storage.workspace.Workspace.writing`), so an
add or a remove bumps the workspace's revision like an import does, and is all or nothing.

Workspaces made before schema 4 have no such tables: the upgrade that reading or writing
does first adds them (empty).

Examples:
    >>> from regionet.io.casefiles import load_case
    >>> ws = Workspace(tmp_path / "ws.db")   # tmp_path: any folder of yours
    >>> _ = ws.init(load_case("russia-1990s"))
    >>> record = InputsRecord("firms-2003", "ab" * 32, "firms-2003-abababababab", (2003,),
    ...                       "2026-01-01T00:00:00Z",
    ...                       (InputsFile("firms", "firms.parquet", "cd" * 32, 3, "f.csv"),))
    >>> add_record(ws, record)
    >>> [r.name for r in list_records(ws)], ws.revision()
    (['firms-2003'], 2)
    >>> remove_record(ws, "firms-2003").folder, list_records(ws), ws.revision()
    ('firms-2003-abababababab', [], 3)
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from regionet.core.errors import InvalidValueError, UnknownReferenceError, did_you_mean
from regionet.storage.schema import INPUT_TABLES, METADATA
from regionet.storage.workspace import Workspace

__all__ = ["InputsFile", "InputsRecord", "add_record", "duplicate", "get_record",
           "list_records", "read_records", "remove_record", "unknown_inputs"]


@dataclass(frozen=True)
class InputsFile:
    """One stored file of registered inputs.

    Attributes:
        role: ``establishments``, ``firms`` or ``regions``.
        file: the file's name inside the inputs' folder.
        sha256: hex SHA-256 of the file's bytes.
        rows: data rows in the file.
        source: the path the user gave when adding (for the record only).
    """

    role: str
    file: str
    sha256: str
    rows: int
    source: str = ""


@dataclass(frozen=True)
class InputsRecord:
    """Registered inputs: a name, the checksum of all their files, where they are.

    Attributes:
        name: the name users run them by (``--inputs NAME``).
        checksum: hex SHA-256 over the files' roles and checksums (what caches key on).
        folder: the inputs' folder, relative to the workspace's inputs folder.
        years: the years the files hold (empty: no ``year`` column, any year).
        added: when they were added (ISO 8601, UTC).
        files: the stored files.
    """

    name: str
    checksum: str
    folder: str
    years: tuple[int, ...]
    added: str
    files: tuple[InputsFile, ...]

    def file(self, role: str) -> InputsFile | None:
        """Return the stored file of ``role``, or None."""
        return next((f for f in self.files if f.role == role), None)


def read_records(conn: sa.Connection, name: str | None = None) -> list[InputsRecord]:
    """Return the inputs records (of ``name`` only, if given) read on ``conn``, by name."""
    inputs, files = (METADATA.tables[t] for t in INPUT_TABLES)
    query = sa.select(inputs).order_by(inputs.c.name)
    file_query = sa.select(files).order_by(files.c.name, files.c.role)
    if name is not None:
        query = query.where(inputs.c.name == name)
        file_query = file_query.where(files.c.name == name)
    by_name: dict[str, list[InputsFile]] = {}
    for row in conn.execute(file_query).mappings():
        by_name.setdefault(row["name"], []).append(InputsFile(
            row["role"], row["file"], row["sha256"], int(row["rows"]), row["source"]))
    return [InputsRecord(r["name"], r["checksum"], r["folder"],
                         tuple(int(y) for y in r["years"].split(",") if y), r["added"],
                         tuple(by_name.get(r["name"], ())))
            for r in conn.execute(query).mappings()]


def list_records(ws: Workspace) -> list[InputsRecord]:
    """Return every registered inputs record, by name.

    Raises:
        WorkspaceNotFoundError: the workspace has not been initialised.
    """
    with ws.reading() as (conn, _revision):
        return read_records(conn)


def get_record(ws: Workspace, name: str) -> InputsRecord | None:
    """Return the record named ``name``, or None."""
    with ws.reading() as (conn, _revision):
        found = read_records(conn, name)
    return found[0] if found else None


def _unknown(name: str, known: list[str]) -> UnknownReferenceError:
    return UnknownReferenceError(
        "no registered fiscal inputs of that name", field="inputs", value=name,
        expected="one of " + ", ".join(["illustrative", *known]),
        hint=did_you_mean(name, ["illustrative", *known])
        or "List them with `regionet fiscal inputs list`")


def unknown_inputs(ws: Workspace, name: str) -> UnknownReferenceError:
    """The error for inputs ``name`` that are not registered (naming the ones that are)."""
    return _unknown(name, [r.name for r in list_records(ws)])


def add_record(ws: Workspace, record: InputsRecord) -> None:
    """Store ``record`` in one write transaction (bumping the workspace's revision).

    Raises:
        InvalidValueError: inputs of that name are already registered (nothing written).
        WorkspaceNotFoundError: the workspace has not been initialised.
    """
    inputs, files = (METADATA.tables[t] for t in INPUT_TABLES)
    with ws.writing(f"fiscal_inputs add {record.name} {record.checksum}") as conn:
        if read_records(conn, record.name):
            raise duplicate(record.name)
        conn.execute(inputs.insert(), [{
            "name": record.name, "checksum": record.checksum, "folder": record.folder,
            "years": ",".join(str(y) for y in record.years), "added": record.added}])
        conn.execute(files.insert(), [{
            "name": record.name, "role": f.role, "file": f.file, "sha256": f.sha256,
            "rows": f.rows, "source": f.source} for f in record.files])


def duplicate(name: str) -> InvalidValueError:
    """The error for adding inputs under a name already registered."""
    return InvalidValueError(
        "fiscal inputs of that name are already registered", field="name", value=name,
        expected="a new name",
        hint=f"Remove them first (`regionet fiscal inputs remove {name}`) or choose another "
             "name")


def remove_record(ws: Workspace, name: str) -> InputsRecord:
    """Delete the record ``name`` in one write transaction; return what was deleted.

    Raises:
        UnknownReferenceError: no inputs of that name (with the nearest names).
        WorkspaceNotFoundError: the workspace has not been initialised.
    """
    inputs, files = (METADATA.tables[t] for t in INPUT_TABLES)
    with ws.writing(f"fiscal_inputs remove {name}") as conn:
        found = read_records(conn, name)
        if not found:
            raise _unknown(name, [r.name for r in read_records(conn)])
        conn.execute(sa.delete(files).where(files.c.name == name))
        conn.execute(sa.delete(inputs).where(inputs.c.name == name))
    return found[0]
