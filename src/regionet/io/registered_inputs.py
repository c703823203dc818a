"""Files of registered fiscal inputs: validated once, stored as Parquet with SHA-256 checksums.

``regionet fiscal inputs add NAME`` reads the user's files with the same checks as a run
(:func:`~regionet.io.economy_files.read_firms`: every error names the user's file, row,
field and value), for every year they hold, and writes them normalised into a folder beside
the workspace database, ``<db stem>.inputs/NAME-<checksum>/``:

- ``establishments.parquet`` (``firm_id, region, headcount, payroll, assets, sales``,
  ``own_balance_sheet`` when any establishment keeps its own balance sheet, and
  ``year`` if the files had one), sorted by year and then in the order of the firms table, so
  a run reads them already in firm order (no sort, no gather);
- ``firms.parquet`` (``firm_id, registered_region, profit[, year]``);
- ``regions.parquet`` when a regions file was given.

The write is staged: :func:`stage` writes the files into a hidden ``.NAME-….<pid>.partial``
folder, the caller records them in the workspace (one transaction), then :func:`publish`
renames the folder into place, or :func:`discard` removes it if the transaction failed. A
process killed before its commit leaves only a staging folder, which the next add or remove
sweeps away (:func:`sweep`); one killed between commit and rename is finished by the next read
(:func:`files_of` renames the staged folder whose checksums match).

Reading checks each file's SHA-256 against the workspace's record: a file edited behind
regionet's back is an error naming it.

Examples:
    >>> inputs_root("/data/study.db").as_posix()
    '/data/study.inputs'
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import pyarrow as pa

from regionet.core.errors import DataFileError
from regionet.core.processes import alive
from regionet.engines.fiscal.inputs.coding import (
    ESTABLISHMENT_COLUMNS,
    ESTABLISHMENT_OPTIONAL,
    FIRM_COLUMNS,
    code_inputs,
)
from regionet.engines.fiscal.inputs.establishments import FACTORS, Establishments, Firms
from regionet.engines.fiscal.inputs.year_inputs import TAX_KEYS, RegionTable
from regionet.io.fiscal_files import read_firms, read_regions
from regionet.io.input_tables import open_table

__all__ = ["ROLES", "StagedFile", "StagedInputs", "checksum_of", "discard", "file_state",
           "files_of", "inputs_root", "prune", "publish", "read_stored", "remove_folder",
           "sha256_of", "stage", "sweep"]

#: The files of registered inputs, by role.
ROLES: Final = ("establishments", "firms", "regions")
_SUFFIX: Final = ".partial"
_CHUNK: Final = 1 << 20


def inputs_root(db: str | Path) -> Path:
    """Return the folder holding the registered inputs of the workspace file ``db``."""
    path = Path(db)
    return path.with_name(path.stem + ".inputs")


def sha256_of(path: Path) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def checksum_of(files: Mapping[str, str]) -> str:
    """Return the inputs' checksum: SHA-256 over each role and its file's SHA-256.

    Examples:
        >>> checksum_of({"firms": "a", "establishments": "b"})[:12]
        'ef46fbd11d8c'
    """
    text = "".join(f"{role}:{files[role]}\n" for role in sorted(files))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class StagedFile:
    """One written file: its role, name, SHA-256, row count and the user's source path."""

    role: str
    file: str
    sha256: str
    rows: int
    source: str


@dataclass(frozen=True)
class StagedInputs:
    """Inputs written to a staging folder, not yet published.

    Attributes:
        staging: the staging folder.
        folder: the folder's final name (inside :func:`inputs_root`).
        files: the written files.
        years: the years the files hold (empty: no year column).
        checksum: :func:`checksum_of` the files.
    """

    staging: Path
    folder: str
    files: tuple[StagedFile, ...]
    years: tuple[int, ...]
    checksum: str


def _years(paths: Iterable[Path]) -> tuple[int, ...]:
    """The years of the files' ``year`` columns (every file with one must hold each year)."""
    found: dict[Path, set[int]] = {}
    for path in paths:
        table = open_table(path, None, (), ("year",))
        if "year" in table:
            values = table.numbers("year")
            bad = np.flatnonzero(~np.isfinite(values) | (values != np.round(values)))
            if bad.size:
                i = int(bad[0])
                raise DataFileError("not a year", file=str(path), row=table.row(i),
                                    field="year", value=table.value("year", i),
                                    expected="a whole year, e.g. 1999")
            found[path] = {int(v) for v in np.unique(values)}
    years = sorted(set().union(*found.values())) if found else []
    for path, held in found.items():
        lacking = [y for y in years if y not in held]
        if lacking:
            raise DataFileError(f"no rows for {lacking[0]}", file=str(path), field="year",
                                expected="rows for every year of the other files: "
                                         + ", ".join(map(str, years)))
    return tuple(years)


def _write(path: Path, tables: list[pa.Table]) -> tuple[str, int]:
    import pyarrow.parquet as pq

    # A year without own_balance_sheet gets nulls there (read back as false, the default).
    table = pa.concat_tables(tables, promote_options="default")
    pq.write_table(table, path, compression="zstd")
    with path.open("rb") as handle:
        os.fsync(handle.fileno())
    return sha256_of(path), table.num_rows


def _with_year(columns: dict[str, pa.Array], year: int | None) -> pa.Table:
    if year is not None:
        n = len(next(iter(columns.values())))
        columns = {"year": pa.array(np.full(n, year, dtype=np.int64)), **columns}
    return pa.table(columns)


def _regions_table(table: RegionTable) -> dict[str, pa.Array]:
    columns: dict[str, pa.Array] = {
        "region": pa.array(table.ids, pa.string()),
        "population": pa.array(table.population),
        "expenditure_index": pa.array(table.expenditure_index)}
    if table.parent is not None:
        columns["parent"] = pa.array(list(table.parent), pa.string())
    columns.update({key: pa.array(table.tax_due[key]) for key in TAX_KEYS
                    if key in table.tax_due})
    return columns


def _firm_tables(firm_ids: pa.Array, region_ids: pa.Array, est: Establishments,
                 firms: Firms) -> tuple[dict[str, pa.Array], dict[str, pa.Array]]:
    """Normalised columns; establishments in firm order (``est`` is stored sorted)."""
    establishments = {
        "firm_id": firm_ids.take(pa.array(est.firm)),
        "region": region_ids.take(pa.array(est.region)),
        **{name: pa.array(est.factor(name)) for name in FACTORS}}
    if est.any_own_balance_sheet:  # written only when used: older inputs keep their checksum
        establishments["own_balance_sheet"] = pa.array(est.own_balance_sheet)
    firm_columns = {"firm_id": firm_ids,
                    "registered_region": region_ids.take(pa.array(firms.registered_region)),
                    "profit": pa.array(firms.profit)}
    return establishments, firm_columns


def stage(root: Path, name: str, *, establishments: Path, firms: Path,
          regions: Path | None, default_regions: tuple[str, ...]) -> StagedInputs:
    """Validate the user's files for every year they hold and write them to a staging folder.

    Args:
        root: the workspace's inputs folder (:func:`inputs_root`).
        name: the inputs' name.
        establishments: the user's establishments file (CSV or Parquet).
        firms: the user's firms file.
        regions: the user's regions file, or None to use ``default_regions``.
        default_regions: the region ids when no regions file is given (the case's).

    Raises:
        DataFileError, InvalidValueError, UnknownActorError, UnknownReferenceError: the
            errors of a run on these files, naming the user's file, row, field and value.
    """
    sources = {"establishments": establishments, "firms": firms,
               **({"regions": regions} if regions is not None else {})}
    years = _years(sources.values())
    parts: dict[str, list[pa.Table]] = {role: [] for role in sources}
    for year in years or (None,):
        table = None if regions is None else read_regions(regions, year)
        ids = default_regions if table is None else table.ids
        firm_input = open_table(firms, year, FIRM_COLUMNS, FIRM_COLUMNS)
        est, firm_table = code_inputs(
            open_table(establishments, year, ESTABLISHMENT_COLUMNS,
                       (*ESTABLISHMENT_COLUMNS, *ESTABLISHMENT_OPTIONAL)),
            firm_input, ids, sort=True)
        est_columns, firm_columns = _firm_tables(
            firm_input.column("firm_id").combine_chunks(), pa.array(ids, pa.string()), est,
            firm_table)
        parts["establishments"].append(_with_year(est_columns, year))
        parts["firms"].append(_with_year(firm_columns, year))
        if table is not None:
            parts["regions"].append(_with_year(_regions_table(table), year))
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f".{name}.{os.getpid()}{_SUFFIX}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    try:
        files = []
        for role, tables in parts.items():
            sha, rows = _write(staging / f"{role}.parquet", tables)
            files.append(StagedFile(role, f"{role}.parquet", sha, rows, str(sources[role])))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    checksum = checksum_of({f.role: f.sha256 for f in files})
    return StagedInputs(staging, f"{name}-{checksum[:12]}", tuple(files), years, checksum)


def _sync(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(root: Path, staged: StagedInputs) -> Path:
    """Move the staged folder into place (after the workspace recorded it); return it."""
    target = root / staged.folder
    if target.exists():  # left by an earlier remove that could not delete it
        shutil.rmtree(target)
    staged.staging.rename(target)
    _sync(root)
    return target


def discard(staged: StagedInputs) -> None:
    """Remove a staging folder (the workspace did not record it)."""
    shutil.rmtree(staged.staging, ignore_errors=True)


def remove_folder(root: Path, folder: str) -> None:
    """Remove a registered inputs' folder (after the workspace forgot it)."""
    shutil.rmtree(root / folder, ignore_errors=True)


def sweep(root: Path) -> list[Path]:
    """Remove staging folders left by processes that no longer run; return them."""
    removed = []
    if root.is_dir():
        for path in root.glob(f".*{_SUFFIX}"):
            pid = path.name[: -len(_SUFFIX)].rsplit(".", 1)[-1]
            if pid.isdigit() and not alive(int(pid)) and path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed


def prune(root: Path, keep: Iterable[str]) -> list[Path]:
    """Remove the published folders under ``root`` that ``keep`` does not name; return them.

    Staging folders (``.NAME.PID.partial``) are left to :func:`sweep`. Used when a workspace
    is initialised again (``data init --force``): its records are gone, so are their files.

    Examples:
        >>> for name in ("a-1", "b-2", ".c.1.partial"):
        ...     (tmp_path / name).mkdir()
        >>> [p.name for p in prune(tmp_path, ["a-1"])]
        ['b-2']
        >>> sorted(p.name for p in tmp_path.iterdir())
        ['.c.1.partial', 'a-1']
    """
    kept = set(keep)
    removed = []
    if root.is_dir():
        for path in sorted(root.iterdir()):
            if path.is_dir() and not path.name.startswith(".") and path.name not in kept:
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed


def _recover(root: Path, folder: str, expected: Mapping[str, str]) -> Path | None:
    """Finish a publish that was cut off after the commit: a staged folder with these files."""
    name = folder.rsplit("-", 1)[0]
    for staging in sorted(root.glob(f".{name}.*{_SUFFIX}")):
        if all((staging / file).is_file() and sha256_of(staging / file) == sha
               for file, sha in expected.items()):
            staging.rename(root / folder)
            return root / folder
    return None


def files_of(root: Path, folder: str, expected: Mapping[str, str]) -> dict[str, Path]:
    """Return the paths of a registered inputs' files (file name -> path), all present.

    Args:
        root: the inputs folder.
        folder: the inputs' folder name.
        expected: file name -> recorded SHA-256.

    Raises:
        DataFileError: the folder or a file is missing.
    """
    place = root / folder
    if not place.is_dir():
        place = _recover(root, folder, expected) or place
    paths = {file: place / file for file in expected}
    for path in paths.values():
        if not path.is_file():
            raise DataFileError("a file of registered fiscal inputs is missing", file=str(path),
                                expected="the file written by `regionet fiscal inputs add`",
                                hint="Remove the inputs and add them again")
    return paths


def file_state(paths: Iterable[Path]) -> tuple[tuple[int, int, int], ...]:
    """Return (size, modification time in ns, inode) of each file: cheap change detection."""
    return tuple((s.st_size, s.st_mtime_ns, s.st_ino) for s in (p.stat() for p in paths))


def read_stored(paths: Mapping[str, Path], expected: Mapping[str, str], year: int,
                default_regions: tuple[str, ...], name: str = "NAME"
                ) -> tuple[RegionTable | None, Establishments, Firms]:
    """Check the files' SHA-256 and read the year's regions (if stored), establishments, firms.

    Args:
        name: the inputs' name (for the hint of an error).
        paths: role -> stored file.
        expected: role -> recorded SHA-256.
        year: the fiscal year.
        default_regions: region ids when no regions file is stored.

    Raises:
        DataFileError: a file whose SHA-256 differs from the recorded one (edited after it
            was registered), naming the file; or no rows for the year.
    """
    for role, path in paths.items():
        if sha256_of(path) != expected[role]:
            raise DataFileError(
                "the file changed after it was registered (SHA-256 differs from the "
                "workspace's record)", file=str(path),
                expected=f"SHA-256 {expected[role]}",
                hint=f"Do not edit registered inputs: remove them (`regionet fiscal inputs "
                     f"remove {name}`) and add the new files")
    table = read_regions(paths["regions"], year) if "regions" in paths else None
    ids = default_regions if table is None else table.ids
    est, firms = read_firms(paths["establishments"], paths["firms"], year, ids, sort=True)
    return table, est, firms
