"""A workspace in one portable file, and back: ``regionet data dump`` / ``data restore``.

A dump is a zip file:

- ``manifest.json``: the format (``regionet-dump``, version :data:`FORMAT_VERSION`), the
  schema version and migration revision, the workspace's case id, revision and version
  digest, and for every table its file, columns, row count and SHA-256; the same for the files
  of registered fiscal inputs;
- ``tables/<table>.jsonl``: one JSON array per row, columns in the manifest's order, rows in
  primary-key order (dates as ISO text, numbers as JSON numbers: a float64 reads back
  exactly);
- ``inputs/<folder>/<file>``: the files of registered fiscal inputs (SQLite workspaces).

The same workspace on SQLite or PostgreSQL gives the same table files and checksums (rows in
primary-key order: byte order of the keys on SQLite and on a PostgreSQL database of ``C``
collation). A restore checks the whole manifest and every checksum before it writes,
then replaces the workspace in one write transaction (schema, rows, the migration stamp), so a
broken dump or a failure leaves the workspace as it was. The revision and version are the
dump's: caches keyed on the version see the restored content as what it is.

Examples:
    >>> from regionet.io.casefiles import load_case
    >>> ws = Workspace(tmp_path / "a.db")   # tmp_path: any folder of yours
    >>> _ = ws.init(load_case("russia-1990s"))
    >>> made = dump_workspace(ws, tmp_path / "a.zip")
    >>> back = restore_workspace(Workspace(tmp_path / "b.db"), tmp_path / "a.zip")
    >>> (back.revision, back.version) == (made.revision, made.version), back.counts["ties"] > 0
    (True, True)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import sqlalchemy as sa

from regionet.core.errors import DataFileError, RegionetError
from regionet.io.registered_inputs import inputs_root
from regionet.storage import migrations
from regionet.storage.schema import (
    INPUT_TABLES,
    METADATA,
    SCHEMA_VERSION,
    TABLE_ORDER,
    create_schema,
)
from regionet.storage.team_schema import TEAM_TABLES
from regionet.storage.workspace import (
    Workspace,
    WorkspaceExistsError,
    _drop_all,
)

__all__ = ["DUMP_TABLES", "FORMAT", "FORMAT_VERSION", "DumpSummary", "dump_workspace",
           "restore_workspace"]

FORMAT: Final = "regionet-dump"
#: Bumped when the layout of a dump changes.
FORMAT_VERSION: Final = 1
#: Every table a dump holds, in an order that satisfies the foreign keys when inserting.
#: The team tables (accounts, proposals, history) travel too: a restored team workspace keeps
#: its accounts' hashed tokens, its review queue and its whole history.
DUMP_TABLES: Final = (*TABLE_ORDER, *INPUT_TABLES, *TEAM_TABLES)
#: Columns numbered by the database (PostgreSQL sequences), set after a restore.
_SERIALS: Final = (("proposals", "id"), ("history", "seq"))
_MANIFEST: Final = "manifest.json"
_CHUNK: Final = 5000
_EXPECTED: Final = "a regionet dump (made by `regionet data dump --out FILE`)"


@dataclass(frozen=True)
class DumpSummary:
    """What a dump holds (or what a restore wrote).

    Attributes:
        file: the dump file.
        case_id: the stored case's id.
        revision: the workspace's revision.
        version: the workspace's version digest.
        counts: rows per table (every table, zeros included).
        files: how many files of registered fiscal inputs.
    """

    file: Path
    case_id: str
    revision: int
    version: str
    counts: dict[str, int] = field(default_factory=dict)
    files: int = 0


def _encode(column: sa.Column[Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, sa.Date):
        return (value if isinstance(value, str) else value.isoformat())
    if isinstance(column.type, sa.Boolean):
        return bool(value)
    if isinstance(column.type, sa.Integer):
        return int(value)
    if isinstance(column.type, sa.Float):
        return float(value)
    return str(value)


def _decode(column: sa.Column[Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, sa.Date):
        return dt.date.fromisoformat(value)
    if isinstance(column.type, sa.Boolean):
        if not isinstance(value, bool):
            raise ValueError(f"expected true or false, got {value!r}")
        return value
    if isinstance(column.type, sa.Integer):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"expected an integer, got {value!r}")
        return value
    if isinstance(column.type, sa.Float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"expected a number, got {value!r}")
        return float(value)
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {value!r}")
    return value


def _line(values: list[Any]) -> bytes:
    return (json.dumps(values, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def dump_workspace(ws: Workspace, out: Path) -> DumpSummary:
    """Write every row of ``ws`` (one snapshot) and its registered inputs' files to ``out``.

    The file is written beside ``out`` and renamed into place when complete.

    Raises:
        WorkspaceNotFoundError: when the workspace has not been initialised.
    """
    out = Path(out)
    partial = out.with_name(out.name + ".partial")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        return _dump(ws, out, partial)
    except OSError as exc:
        if isinstance(exc, RegionetError):  # e.g. no workspace: said as it is
            raise
        raise DataFileError(f"the dump could not be written ({exc.strerror or exc})",
                            file=str(out), expected="a file in a folder you may write to"
                            ) from None
    finally:
        with contextlib.suppress(OSError):  # (no such folder: nothing to remove)
            partial.unlink(missing_ok=True)


def _dump(ws: Workspace, out: Path, partial: Path) -> DumpSummary:
    tables: dict[str, Any] = {}
    files: dict[str, Any] = {}
    with ws.reading() as (conn, revision), zipfile.ZipFile(
            partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        info = conn.execute(sa.select(METADATA.tables["case_info"])).mappings().one()
        for name in DUMP_TABLES:
            tables[name] = _dump_table(conn, archive, name)
        folders = [str(r[0]) for r in conn.execute(
            sa.select(METADATA.tables["fiscal_inputs"].c.folder).order_by("folder"))]
        if folders and ws.path is not None:
            root = inputs_root(ws.path)
            for folder in folders:
                if not (root / folder).is_dir():
                    raise DataFileError(
                        "the files of registered fiscal inputs are missing",
                        file=str(root / folder), expected="the folder the workspace records",
                        hint="Remove those inputs (`regionet fiscal inputs remove`) or put "
                             "the folder back, then dump again")
                for path in sorted((root / folder).iterdir()):
                    member = f"inputs/{folder}/{path.name}"
                    data = path.read_bytes()
                    archive.writestr(member, data)
                    files[member] = {"bytes": len(data),
                                     "sha256": hashlib.sha256(data).hexdigest()}
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION,
            "schema_version": SCHEMA_VERSION, "migration": migrations.current(conn),
            "case_id": info["id"], "revision": revision, "version": info["version"],
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "tables": tables, "files": files}
        archive.writestr(_MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False))
    os.replace(partial, out)
    return DumpSummary(out, str(info["id"]), int(revision), str(info["version"]),
                       {n: t["rows"] for n, t in tables.items()}, len(files))


def _dump_table(conn: sa.Connection, archive: zipfile.ZipFile, name: str) -> dict[str, Any]:
    table = METADATA.tables[name]
    columns = list(table.columns)
    member = f"tables/{name}.jsonl"
    digest = hashlib.sha256()
    rows = 0
    query = sa.select(table).order_by(*table.primary_key.columns)
    with archive.open(member, "w") as handle:
        for row in conn.execute(query):
            line = _line([_encode(c, v) for c, v in zip(columns, row, strict=True)])
            handle.write(line)
            digest.update(line)
            rows += 1
    return {"file": member, "columns": [c.name for c in columns], "rows": rows,
            "sha256": digest.hexdigest()}


def _bad(file: Path, what: str, member: str | None = None, **where: Any) -> DataFileError:
    shown = f"{file}:{member}" if member else str(file)
    return DataFileError(what, file=shown, expected=_EXPECTED, **where)


def _manifest(file: Path, archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(archive.read(_MANIFEST))
    except KeyError:
        raise _bad(file, f"no {_MANIFEST} in the zip file") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise _bad(file, f"{_MANIFEST} is not valid JSON ({exc})", _MANIFEST) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _bad(file, f"{_MANIFEST} does not say format {FORMAT!r}", _MANIFEST)
    if manifest.get("format_version") != FORMAT_VERSION:
        raise _bad(file, f"dump format version {manifest.get('format_version')!r}; this "
                   f"regionet reads version {FORMAT_VERSION}", _MANIFEST)
    if manifest.get("schema_version") != SCHEMA_VERSION:
        raise _bad(file, f"the dump holds schema {manifest.get('schema_version')!r}; this "
                   f"regionet restores schema {SCHEMA_VERSION} (use the regionet version that "
                   "made the dump, or one with the same schema)", _MANIFEST)
    tables = manifest.get("tables")
    if not isinstance(tables, dict) or set(tables) != set(DUMP_TABLES):
        missing = sorted(set(DUMP_TABLES) - set(tables or {}))
        extra = sorted(set(tables or {}) - set(DUMP_TABLES))
        raise _bad(file, f"{_MANIFEST} lists the wrong tables (missing {missing}, "
                   f"unknown {extra})", _MANIFEST)
    for name in DUMP_TABLES:
        want = [c.name for c in METADATA.tables[name].columns]
        if tables[name].get("columns") != want:
            raise _bad(file, f"table {name}: columns {tables[name].get('columns')} are not "
                       f"the schema's {want}", _MANIFEST)
    if not isinstance(manifest.get("revision"), int) or not isinstance(
            manifest.get("version"), str):
        raise _bad(file, f"{_MANIFEST} has no revision and version", _MANIFEST)
    return manifest


def _member(file: Path, archive: zipfile.ZipFile, member: str, sha256: str) -> bytes:
    try:
        data = archive.read(member)
    except KeyError:
        raise _bad(file, "missing from the dump (listed in the manifest)", member) from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise _bad(file, "checksum does not match the manifest's: the file is damaged or "
                   "was edited", member)
    return data


def _rows(file: Path, name: str, member: str, data: bytes, count: int
          ) -> Iterator[dict[str, Any]]:
    columns = list(METADATA.tables[name].columns)
    lines = data.splitlines()
    if len(lines) != count:
        raise _bad(file, f"{len(lines)} rows, the manifest says {count}", member)
    for number, line in enumerate(lines, start=1):
        try:
            values = json.loads(line)
            if not isinstance(values, list) or len(values) != len(columns):
                raise ValueError(f"expected a list of {len(columns)} values")
            yield {c.name: _decode(c, v) for c, v in zip(columns, values, strict=True)}
        except ValueError as exc:
            raise _bad(file, f"not a {name} row ({exc})", member,
                       row=number) from None


def restore_workspace(ws: Workspace, file: Path, *, force: bool = False) -> DumpSummary:
    """Replace the content of ``ws`` by the dump ``file``, all or nothing.

    Every checksum and row count is checked before anything is written. Registered inputs'
    files go to the SQLite workspace's inputs folder once the database has committed.

    Args:
        ws: the target workspace (created if it does not exist).
        file: the dump.
        force: replace a workspace that already holds a case.

    Raises:
        DataFileError: naming the dump (and the member of it) and what is wrong.
        WorkspaceExistsError: the workspace holds a case and not ``force``.
    """
    file = Path(file)
    if not file.is_file():
        raise _bad(file, "no such file")
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _bad(file, f"not a zip file ({exc})") from None
    with archive:
        manifest = _manifest(file, archive)
        tables: dict[str, Any] = manifest["tables"]
        data = {name: _member(file, archive, str(t["file"]), str(t["sha256"]))
                for name, t in tables.items()}
        files = {m: _member(file, archive, m, str(f["sha256"]))
                 for m, f in sorted(manifest.get("files", {}).items())}
    if tables["fiscal_inputs"]["rows"] and ws.path is None:
        raise _bad(file, "the dump holds registered fiscal inputs, whose files live beside "
                   "a SQLite workspace; a database server cannot hold them (restore to a "
                   "SQLite file, or remove the inputs before dumping)")
    staged = _stage_files(ws, files)
    try:
        _write(ws, file, tables, data, force=force)
    except BaseException:
        if staged is not None:
            shutil.rmtree(staged, ignore_errors=True)
        raise
    if staged is not None:
        root = inputs_root(ws.path) if ws.path is not None else staged
        shutil.rmtree(root, ignore_errors=True)
        os.replace(staged, root)
    return DumpSummary(file, str(manifest["case_id"]), int(manifest["revision"]),
                       str(manifest["version"]), {n: int(t["rows"]) for n, t in tables.items()},
                       len(files))


def _stage_files(ws: Workspace, files: dict[str, bytes]) -> Path | None:
    """Write the inputs' files into a folder beside their final place; None if none."""
    if ws.path is None or not files:
        return None
    root = inputs_root(ws.path)
    staged = root.with_name(root.name + ".restoring")
    shutil.rmtree(staged, ignore_errors=True)
    for member, data in files.items():
        path = staged / member.removeprefix("inputs/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return staged


def _write(ws: Workspace, file: Path, tables: dict[str, Any], data: dict[str, bytes], *,
           force: bool) -> None:
    target = ws.database.file
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
    with ws.database.writing() as conn:
        ws.database.check_order(conn)
        held = ws.held_case(conn)
        if held is not None and not force:
            raise WorkspaceExistsError(
                f"the workspace already holds a case ({held})", file=ws.url,
                expected="an empty or new workspace",
                hint="Use --force to replace it with the dump")
        _drop_all(conn)
        create_schema(conn)
        migrations.stamp(conn, "head")
        for name in DUMP_TABLES:
            member = str(tables[name]["file"])
            rows = _rows(file, name, member, data[name], int(tables[name]["rows"]))
            chunk: list[dict[str, Any]] = []
            for row in rows:
                chunk.append(row)
                if len(chunk) >= _CHUNK:
                    conn.execute(METADATA.tables[name].insert(), chunk)
                    chunk = []
            if chunk:
                conn.execute(METADATA.tables[name].insert(), chunk)
        if conn.dialect.name == "postgresql":   # ids were inserted: move the sequences on
            for table, column in _SERIALS:
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                    f"COALESCE(MAX({column}), 1), MAX({column}) IS NOT NULL) FROM {table}")
