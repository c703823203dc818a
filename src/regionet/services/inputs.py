"""Which fiscal inputs a run uses: the illustrative economy, registered inputs, or files.

A user registers an economy once (``regionet fiscal inputs add NAME --establishments E
--firms F [--regions R]``): the files are validated for every year they hold, stored as
Parquet beside the workspace database with SHA-256 checksums (:mod:`regionet.io.registered_inputs`)
and recorded in the workspace (:mod:`regionet.storage.fiscal_inputs`) in one write
transaction, which bumps its revision like an import. ``--inputs NAME`` (CLI),
``{"inputs": NAME}`` (REST) and the dashboard then run on them. The case's illustrative
economy is the inputs named ``illustrative``: always there, never removed.

Every :class:`~regionet.engines.fiscal.inputs.year_inputs.FiscalInputs` returned carries the
inputs' ``name`` and ``checksum``; a registered file edited behind regionet's back is an
error naming it. Loaded inputs are cached by checksum, year and the files' state (size,
time, inode), so a server answers repeated runs without reading the files again, and
notices an edit.

Examples:
    >>> source = CaseSource.bundled()
    >>> [(s.name, s.illustrative) for s in list_inputs(source)]
    [('illustrative', True)]
    >>> inputs = load_inputs(source, 1999)
    >>> inputs.name, len(inputs.checksum or ""), inputs.illustrative
    ('illustrative', 64, True)
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from regionet.core.errors import InvalidValueError
from regionet.engines.fiscal.inputs.year_inputs import FiscalInputs, RegionTable
from regionet.io.fiscal_files import read_firms, read_regions
from regionet.io.registered_inputs import (
    discard,
    file_state,
    files_of,
    inputs_root,
    prune,
    publish,
    read_stored,
    remove_folder,
    stage,
    sweep,
)
from regionet.services.cache import memo
from regionet.services.case_source import CaseSource, case_folder, reading, workspace_of

if TYPE_CHECKING:  # SQLAlchemy is imported only when a workspace is used, the economy when
    # it is (it needs no pandas)
    from regionet.engines.economy.economy import Economy
    from regionet.storage.fiscal_inputs import InputsRecord
    from regionet.storage.workspace import Workspace

__all__ = ["ILLUSTRATIVE", "InputsSummary", "add_inputs", "check_inputs_name",
           "describe_inputs", "economy", "forget_unregistered", "identity", "inputs_key",
           "list_inputs", "load_inputs", "remove_inputs"]

#: The name of the case's illustrative economy among the inputs.
ILLUSTRATIVE: Final = "illustrative"
_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


@dataclass(frozen=True)
class InputsSummary:
    """What ``fiscal inputs list`` shows of one set of inputs.

    Attributes:
        name: the inputs' name (``illustrative`` for the case's economy).
        checksum: hex SHA-256 of their files.
        years: the years they hold (empty: any year, or the economy's 1992–2010).
        rows: data rows per file role (empty for the illustrative economy: generated).
        added: when they were registered (ISO 8601, UTC); None for the illustrative economy.
        illustrative: True when runs on them use the illustrative economy in any part (the
            economy itself, or registered inputs without a regions file).
    """

    name: str
    checksum: str
    years: tuple[int, ...]
    rows: dict[str, int]
    added: str | None
    illustrative: bool

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {"name": self.name, "checksum": self.checksum, "years": list(self.years),
                "rows": dict(self.rows), "added": self.added,
                "illustrative": self.illustrative}


def economy(source: CaseSource, seed: int | None = None) -> Economy:
    """Return the case's illustrative economy (read once per case folder and seed)."""
    from regionet.io.economy_files import load_economy

    folder = case_folder(source)
    return memo("fiscal.economy", (str(folder), seed), lambda: load_economy(folder, seed=seed))


def _economy_checksum(source: CaseSource, seed: int | None) -> str:
    from regionet.io.economy_files import economy_checksum

    folder = case_folder(source)
    return memo("fiscal.economy.checksum", (str(folder), seed),
                lambda: economy_checksum(folder, seed))


def check_inputs_name(name: str) -> str:
    """Return ``name`` if it can name registered inputs.

    Raises:
        InvalidValueError: not 1–64 letters, digits, ``_ . -`` starting with a letter or
            digit, or ``illustrative`` (the case's economy).
    """
    if name == ILLUSTRATIVE:
        raise InvalidValueError("the name illustrative is the case's illustrative economy",
                                field="name", value=name, expected="another name")
    if not _NAME.fullmatch(name):
        raise InvalidValueError("not a valid name for fiscal inputs", field="name", value=name,
                                expected="1-64 letters, digits, '_', '.' or '-', starting "
                                         "with a letter or digit")
    return name


def _workspace(source: CaseSource) -> Workspace:
    if source.read_only:
        raise InvalidValueError(
            "fiscal inputs are registered in a workspace", field="db",
            value=source.note or source.location, expected="an initialised workspace",
            hint="Create one with `regionet data init --db PATH`, then pass --db PATH")
    return workspace_of(source)


def _root(ws: Workspace) -> Path:
    if ws.path is None:
        raise InvalidValueError(
            "registered fiscal inputs are stored beside a workspace file", field="db",
            value=ws.url, expected="a SQLite workspace file",
            hint="Use a SQLite workspace, or pass the files with --establishments/--firms")
    return inputs_root(ws.path)


def _record(ws: Workspace, name: str) -> InputsRecord | None:
    """The record of inputs ``name``, or None."""
    from regionet.storage.fiscal_inputs import get_record

    return get_record(ws, name)


def _required(ws: Workspace, name: str) -> InputsRecord:
    """The record of inputs ``name``; an error naming the nearest names if absent."""
    from regionet.storage.fiscal_inputs import unknown_inputs

    record = _record(ws, name)
    if record is None:
        raise unknown_inputs(ws, name)
    return record


def _summary(record: InputsRecord) -> InputsSummary:
    # Without a regions file, runs use the illustrative regions table: not all real data.
    return InputsSummary(record.name, record.checksum, record.years,
                         {f.role: f.rows for f in record.files}, record.added,
                         record.file("regions") is None)


def add_inputs(source: CaseSource, name: str, *, establishments: Path, firms: Path,
               regions: Path | None = None) -> InputsSummary:
    """Validate the files, store them beside the workspace and record them, all or nothing.

    Without ``regions`` the firms' and establishments' region ids must be the case's
    subject ids (runs use the illustrative regions table).

    Raises:
        InvalidValueError: a bad or taken name, a bundled source, a database server.
        DataFileError, UnknownActorError, UnknownReferenceError: bad files, naming the file,
            row, field and value (nothing is stored).
        WorkspaceNotFoundError: the workspace has not been initialised.
    """
    from regionet.storage.fiscal_inputs import InputsFile, InputsRecord, add_record, duplicate

    check_inputs_name(name)
    ws = _workspace(source)
    root = _root(ws)
    if _record(ws, name) is not None:
        raise duplicate(name)
    sweep(root)
    staged = stage(root, name, establishments=establishments, firms=firms, regions=regions,
                   default_regions=economy(source).ids)
    added = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    record = InputsRecord(name, staged.checksum, staged.folder, staged.years, added,
                          tuple(InputsFile(f.role, f.file, f.sha256, f.rows, f.source)
                                for f in staged.files))
    try:
        add_record(ws, record)
    except BaseException:
        discard(staged)
        raise
    publish(root, staged)
    return _summary(record)


def list_inputs(source: CaseSource) -> list[InputsSummary]:
    """Return the illustrative economy and every registered inputs, by name."""
    illustrative = InputsSummary(ILLUSTRATIVE, _economy_checksum(source, None), (), {}, None,
                                 True)
    if source.read_only:
        return [illustrative]
    from regionet.storage.fiscal_inputs import read_records

    with reading(source) as conn:  # one snapshot; its revision is noted for the response
        records = read_records(conn)
    return [illustrative, *(_summary(r) for r in records)]


def remove_inputs(source: CaseSource, name: str) -> InputsSummary:
    """Forget the registered inputs ``name`` and delete their files; return what was removed.

    Raises:
        InvalidValueError: ``illustrative`` (cannot be removed), a bundled source.
        UnknownReferenceError: no inputs of that name (with the nearest names).
    """
    if name == ILLUSTRATIVE:
        raise InvalidValueError("the illustrative economy cannot be removed", field="name",
                                value=name, expected="the name of registered inputs")
    from regionet.storage.fiscal_inputs import remove_record

    ws = _workspace(source)
    root = _root(ws)
    record = remove_record(ws, name)
    remove_folder(root, record.folder)
    sweep(root)
    return _summary(record)


def forget_unregistered(source: CaseSource) -> list[Path]:
    """Delete the inputs folders beside a workspace file that no record names; return them.

    After ``data init --force`` the workspace has no registered inputs any more; their
    Parquet files went with them. Left-over staging folders of dead processes go too.
    """
    ws = _workspace(source)
    if ws.path is None:
        return []
    from regionet.storage.fiscal_inputs import read_records

    root = inputs_root(ws.path)
    with reading(source) as conn:
        kept = {record.folder for record in read_records(conn)}
    return prune(root, kept) + sweep(root)


def _warm_up() -> None:
    """Import the pipeline (its rules and quantities; not pandas, which it loads on use)."""
    import_module("regionet.engines.fiscal.run.pipeline")


def _files(source: CaseSource, year: int, regions: Path | None, establishments: Path | None,
           firms: Path | None, seed: int | None) -> FiscalInputs:
    """Inputs from files given directly (not registered): read afresh, no checksum.

    While the firm ids are coded (Arrow, which releases the GIL), a second thread prepares
    the regions table (the illustrative economy's, or the regions file) and imports the
    pipeline: on two cores the imports cost no wall time. Neither imports pandas.
    """
    if (establishments is None) != (firms is None):
        raise InvalidValueError("establishments and firms files go together",
                                field="establishments" if establishments is None
                                else "firms", value="", expected="both files, or neither")
    given = {k: str(v) for k, v in (("regions", regions), ("establishments", establishments),
                                    ("firms", firms)) if v is not None}
    name = "files: " + ", ".join(Path(p).name for p in given.values())
    if establishments is None or firms is None:  # a regions file with the economy's firms
        generated = economy(source, seed).inputs(year)
        table = read_regions(regions, year)  # type: ignore[arg-type]
        return FiscalInputs(year, table, generated.establishments, generated.firms,
                            illustrative=True, provenance={**generated.provenance, **given},
                            name=name)

    def region_table() -> tuple[RegionTable, dict[str, str]]:
        if regions is not None:
            return read_regions(regions, year), {}
        base = economy(source, seed)
        return base.regions(year), {"regions": base.provenance(year)["tax_due"]}

    with ThreadPoolExecutor(max_workers=1) as pool:
        prepared = pool.submit(region_table)
        pool.submit(_warm_up)
        est, firm_table = read_firms(establishments, firms, year,
                                     lambda: prepared.result()[0].ids, sort=False)
        table, notes = prepared.result()
    return FiscalInputs(year, table, est, firm_table, illustrative=regions is None,
                        provenance={**notes, **given}, name=name)


def _located(source: CaseSource, name: str, year: int
             ) -> tuple[InputsRecord, Path, dict[str, Path]]:
    ws = _workspace(source)
    record = _required(ws, name)
    if record.years and year not in record.years:
        raise InvalidValueError(f"the inputs {name} hold no rows for the year", field="year",
                                value=year,
                                expected="one of " + ", ".join(map(str, record.years)))
    root = _root(ws)
    return record, root, files_of(root, record.folder,
                                  {f.file: f.sha256 for f in record.files})


def inputs_key(source: CaseSource, name: str, year: int) -> tuple[Any, ...]:
    """What identifies registered inputs ``name`` of ``year`` now: checksum and files' state.

    For caches of results computed on them: an edited file changes the key, and reading
    it again reports the checksum mismatch.

    Raises:
        UnknownReferenceError: no registered inputs ``name``.
        DataFileError: a file is missing.
    """
    record, root, paths = _located(source, name, year)
    default_regions = None if record.file("regions") else str(case_folder(source))
    return (record.checksum, str(root / record.folder), file_state(paths.values()), year,
            default_regions)


def _registered(source: CaseSource, name: str, year: int) -> FiscalInputs:
    record, _, paths = _located(source, name, year)

    def compute() -> FiscalInputs:
        table, est, firms = read_stored(
            {f.role: paths[f.file] for f in record.files},
            {f.role: f.sha256 for f in record.files}, year, economy(source).ids, name)
        regions = table if table is not None else economy(source).regions(year)
        notes = {"inputs": f"registered fiscal inputs {name}, added {record.added} "
                           f"(SHA-256 {record.checksum})",
                 **{f.role: f"{f.source} ({f.rows} rows)" for f in record.files}}
        if table is None:
            notes["regions"] = "the illustrative economy's regions table"
        return FiscalInputs(year, regions, est, firms, illustrative=table is None,
                            provenance=notes, name=name, checksum=record.checksum)

    return memo("fiscal.inputs", inputs_key(source, name, year), compute)


def identity(inputs: FiscalInputs) -> dict[str, Any]:
    """Which inputs a result came from: ``{"name", "checksum", "illustrative"}``.

    Examples:
        >>> identity(load_inputs(CaseSource.bundled(), 2001))["name"]
        'illustrative'
    """
    return {"name": inputs.name, "checksum": inputs.checksum,
            "illustrative": bool(inputs.illustrative)}


def describe_inputs(source: CaseSource, name: str | None = None) -> dict[str, Any]:
    """The :func:`identity` of inputs ``name`` (None: illustrative) without loading them.

    Raises:
        UnknownReferenceError: no registered inputs ``name``.
    """
    if name is None or name == ILLUSTRATIVE:
        return {"name": ILLUSTRATIVE, "checksum": _economy_checksum(source, None),
                "illustrative": True}
    record = _required(_workspace(source), name)
    return {"name": name, "checksum": record.checksum,
            "illustrative": record.file("regions") is None}


def load_inputs(source: CaseSource, year: int, name: str | None = None, *,
                regions: Path | None = None, establishments: Path | None = None,
                firms: Path | None = None, seed: int | None = None) -> FiscalInputs:
    """Return the inputs of ``year``: registered ``name``, the files given, or the economy.

    ``name`` None or ``illustrative`` is the illustrative economy; files given replace its
    parts (``establishments`` and ``firms`` go together; without ``regions`` the economy's
    regions table is used and the inputs stay marked illustrative).

    Raises:
        InvalidValueError: ``name`` together with files; only one of establishments / firms;
            a year the registered inputs do not hold.
        UnknownReferenceError: no registered inputs ``name`` (with the nearest names).
        DataFileError: a registered file edited or missing (naming it); bad files.
    """
    files = (regions, establishments, firms)
    if name is not None and name != ILLUSTRATIVE:
        if any(f is not None for f in files):
            raise InvalidValueError("registered inputs and input files do not go together",
                                    field="inputs", value=name,
                                    expected="--inputs NAME, or files, not both")
        return _registered(source, name, year)
    if any(f is not None for f in files):
        return _files(source, year, regions, establishments, firms, seed)
    inputs = economy(source, seed).inputs(year)
    return replace(inputs, name=ILLUSTRATIVE, checksum=_economy_checksum(source, seed))
