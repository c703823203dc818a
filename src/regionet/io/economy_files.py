"""Files of the fiscal model: the illustrative economy's files and users' own input files.

The bundled case keeps its illustrative economy in ``cases/russia_1990s/economy/``:
``assumptions.yaml`` (every constant), ``population.csv`` (sourced 1990-2002, carried forward
after) and ``resource_companies.csv``. :func:`read_economy_files` reads them (with the case's
``subjects.csv``) into the structures the generator takes; :func:`load_economy` returns
the generator itself. The files are read without pandas (:func:`read_economy_tables`: a
fiscal run on a user's files needs the economy's regions table, not pandas);
:func:`read_economy_files` gives the same tables as pandas frames.

Users with real data skip the generator: :func:`read_fiscal_inputs` reads a regions table,
an establishments table (CSV or Parquet) and a firms table into :class:`FiscalInputs`
(formats in ``docs/economy.md``); :func:`write_fiscal_inputs` writes any inputs, e.g. the
illustrative ones, in the same formats, as a template.

Examples:
    >>> economy = load_economy()
    >>> inputs = economy.inputs(1999)
    >>> len(inputs.regions.ids), inputs.illustrative
    (89, True)
"""

from __future__ import annotations

import csv
import hashlib
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import numpy as np

from regionet.cases import DEFAULT_CASE
from regionet.core.errors import DataFileError, InvalidValueError
from regionet.engines.economy.assumptions import EconomyAssumptions, parse_assumptions
from regionet.engines.economy.columns import Columns
from regionet.engines.economy.economy import Economy
from regionet.engines.fiscal.inputs.establishments import FACTORS
from regionet.engines.fiscal.inputs.year_inputs import TAX_KEYS, FiscalInputs
from regionet.engines.fiscal.law.files import read_yaml
from regionet.io.case_folders import case_directory
from regionet.io.fiscal_files import REGION_COLUMNS, read_firms, read_regions

if TYPE_CHECKING:  # frames for the callers that ask for them (pandas loads on use)
    import pandas as pd

__all__ = [
    "ECONOMY_FOLDER",
    "REGION_COLUMNS",
    "EconomyFiles",
    "EconomyTables",
    "economy_checksum",
    "economy_directory",
    "fiscal_input_frames",
    "load_economy",
    "read_assumptions",
    "read_economy_files",
    "read_economy_tables",
    "read_firms",
    "read_fiscal_inputs",
    "read_published_figures",
    "read_regions",
    "update_assumptions",
    "write_fiscal_inputs",
]

#: Folder of a case that holds its illustrative economy.
ECONOMY_FOLDER = "economy"
_POPULATION_COLUMNS = ("region", "year", "population")
_COMPANY_COLUMNS = ("firm", "region", "activity", "weight", "from_year", "to_year")


class EconomyFiles(NamedTuple):
    """The economy's tables as pandas frames (see :class:`Economy`)."""

    assumptions: EconomyAssumptions
    population: pd.DataFrame
    companies: pd.DataFrame
    subjects: pd.DataFrame


class EconomyTables(NamedTuple):
    """The plain structures the generator takes: tables as ``{column: values}``."""

    assumptions: EconomyAssumptions
    population: dict[str, list[Any]]
    companies: dict[str, list[Any]]
    subjects: dict[str, list[Any]]


def economy_directory(case: str | Path = DEFAULT_CASE) -> Path:
    """Return the economy folder of a bundled case id or a case folder."""
    return case_directory(case) / ECONOMY_FOLDER


def _read_csv(path: Path, required: tuple[str, ...]) -> dict[str, list[Any]]:
    """A CSV file's columns as text (blank lines skipped), checked for ``required`` ones.

    Raises:
        DataFileError: a missing file or column, or a row whose number of cells is not the
            header's.
    """
    if not path.is_file():
        raise DataFileError("file not found", file=str(path), expected="an existing CSV file")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [row for row in csv.reader(handle) if row]
    header = rows[0] if rows else []
    missing = [c for c in required if c not in header]
    if missing:
        raise DataFileError("missing column(s) " + ", ".join(missing), file=str(path),
                            field=missing[0], expected="columns " + ", ".join(required))
    for line, row in enumerate(rows[1:], start=1):
        if len(row) != len(header):
            raise DataFileError(f"{len(row)} cells", file=str(path), row=line,
                                expected=f"{len(header)} cells, one per column of the header")
    return {name: [row[i] for row in rows[1:]] for i, name in enumerate(header)}


_INTEGER: Final = re.compile(r"[-+]?[0-9]+")
_DECIMAL: Final = re.compile(r"[-+]?(([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?|[iI]nf(inity)?)")


def _numbers(table: dict[str, list[Any]], column: str, path: Path, *, blank_ok: bool = False
             ) -> list[int | float]:
    """A text column as numbers (integers stay integers; a blank is NaN where allowed).

    Raises:
        InvalidValueError: a cell that is not a number, naming the file, row and field.
    """
    values: list[int | float] = []
    for row, cell in enumerate(table[column], start=1):
        text = str(cell).strip()
        if _INTEGER.fullmatch(text):
            values.append(int(text))
        elif _DECIMAL.fullmatch(text):
            values.append(float(text))
        elif text == "" and blank_ok:
            values.append(math.nan)
        else:
            raise InvalidValueError("not a number", file=str(path), row=row, field=column,
                                    value=text, expected="a number")
    return values


def _frame(table: Columns) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(dict(table))


def read_assumptions(path: str | Path) -> EconomyAssumptions:
    """Read and validate an ``assumptions.yaml``."""
    data = read_yaml(Path(path))
    if not isinstance(data, Mapping):
        raise DataFileError("not a mapping", file=str(path), expected="a YAML mapping")
    try:
        return parse_assumptions(data)
    except InvalidValueError as err:
        err.file = str(path)
        raise


def read_economy_tables(case: str | Path = DEFAULT_CASE) -> EconomyTables:
    """Read a case's economy folder and ``subjects.csv`` as plain columns (no pandas).

    Numbers are converted (``year``, ``population``; ``weight``, ``from_year`` and
    ``to_year`` of the companies, blank years as NaN); every other cell stays text.

    Raises:
        DataFileError: a missing file or column, or a row of the wrong length.
        InvalidValueError: a bad number or constant (naming file, row and field).
    """
    folder, root = economy_directory(case), case_directory(case)
    assumptions = read_assumptions(folder / "assumptions.yaml")
    population_file = folder / "population.csv"
    population = _read_csv(population_file, _POPULATION_COLUMNS)
    population["year"] = [int(y) for y in _numbers(population, "year", population_file)]
    population["population"] = _numbers(population, "population", population_file)
    companies_file = folder / "resource_companies.csv"
    companies = _read_csv(companies_file, _COMPANY_COLUMNS)
    companies["weight"] = _numbers(companies, "weight", companies_file)
    for column in ("from_year", "to_year"):
        companies[column] = _numbers(companies, column, companies_file, blank_ok=True)
    subjects = _read_csv(root / "subjects.csv", ("id", "type", "economic_region"))
    return EconomyTables(assumptions, population, companies, subjects)


def read_economy_files(case: str | Path = DEFAULT_CASE) -> EconomyFiles:
    """Read a case's economy folder and ``subjects.csv`` as pandas frames.

    The tables of :func:`read_economy_tables`, each a frame.

    Raises:
        DataFileError: a missing file or column, or a row of the wrong length.
        InvalidValueError: a bad number or constant (naming file, row and field).
    """
    tables = read_economy_tables(case)
    return EconomyFiles(tables.assumptions, _frame(tables.population),
                        _frame(tables.companies), _frame(tables.subjects))


def economy_checksum(case: str | Path = DEFAULT_CASE, seed: int | None = None) -> str:
    """Return a SHA-256 identifying the illustrative economy: its files and the seed.

    The files are ``assumptions.yaml``, ``population.csv``, ``resource_companies.csv`` and
    the case's ``subjects.csv``; a seed other than the assumptions' is part of the digest.
    """
    folder, root = economy_directory(case), case_directory(case)
    digest = hashlib.sha256()
    for path in (folder / "assumptions.yaml", folder / "population.csv",
                 folder / "resource_companies.csv", root / "subjects.csv"):
        digest.update(f"{path.name}\x1f".encode())
        digest.update(path.read_bytes())
    if seed is not None:
        digest.update(f"seed\x1f{seed}".encode())
    return digest.hexdigest()


def load_economy(case: str | Path = DEFAULT_CASE, *, seed: int | None = None,
                 assumptions: EconomyAssumptions | None = None) -> Economy:
    """Return the illustrative economy of a case (``assumptions`` replaces the file's)."""
    tables = read_economy_tables(case)
    return Economy(assumptions or tables.assumptions, tables.population, tables.companies,
                   subjects=tables.subjects, seed=seed)


# -- users' own inputs -------------------------------------------------------------------------

def read_fiscal_inputs(year: int, regions: str | Path, establishments: str | Path,
                       firms: str | Path, *, illustrative: bool = False,
                       provenance: Mapping[str, str] | None = None) -> FiscalInputs:
    """Read users' own inputs of one year into :class:`FiscalInputs`.

    Args:
        year: the fiscal year; files with a ``year`` column may hold several years.
        regions: CSV with ``region, population`` and optional columns (:func:`read_regions`).
        establishments: CSV or Parquet (``.parquet``) with ``firm_id, region, headcount,
            payroll, assets, sales`` and optionally ``own_balance_sheet`` (default false).
        firms: CSV or Parquet with ``firm_id, registered_region, profit``.
        illustrative: mark the inputs illustrative (False for real data).
        provenance: notes on the sources; by default the file names.

    Raises:
        DataFileError: a missing file or column, or no rows for the year.
        InvalidValueError, UnknownActorError, UnknownReferenceError: a bad value or id,
            naming the file, row and field.
    """
    table = read_regions(regions, year)
    est, firm_table = read_firms(establishments, firms, year, table.ids)
    notes = dict(provenance or {"regions": str(regions), "establishments": str(establishments),
                                "firms": str(firms)})
    return FiscalInputs(year, table, est, firm_table, illustrative=illustrative,
                        provenance=notes)


def fiscal_input_frames(inputs: FiscalInputs, firm_ids: tuple[str, ...] | None = None
                        ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return the regions, establishments and firms tables of ``inputs`` (file formats)."""
    import pandas as pd

    r = inputs.regions
    regions = pd.DataFrame({"region": r.ids, "population": r.population,
                            "expenditure_index": r.expenditure_index,
                            "parent": [p or "" for p in (r.parent or [None] * r.n)]})
    for key in TAX_KEYS:
        regions[key] = r.due(key)
    names = firm_ids or tuple(f"firm-{i}" for i in range(inputs.firms.n_firms))
    est = inputs.establishments
    establishments = pd.DataFrame({"firm_id": [names[f] for f in est.firm],
                                   "region": [r.ids[i] for i in est.region],
                                   **{k: est.factor(k) for k in FACTORS}})
    if est.any_own_balance_sheet:  # the optional column, written when it says something
        establishments["own_balance_sheet"] = est.own_balance_sheet
    firms = pd.DataFrame({"firm_id": names,
                          "registered_region": [r.ids[i] for i in inputs.firms.registered_region],
                          "profit": inputs.firms.profit})
    return regions, establishments, firms


def write_fiscal_inputs(inputs: FiscalInputs, folder: str | Path,
                        firm_ids: tuple[str, ...] | None = None, *,
                        parquet: bool = False) -> tuple[Path, Path, Path]:
    """Write ``regions.csv``, ``establishments.csv`` (or ``.parquet``) and ``firms.csv``."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    regions, establishments, firms = fiscal_input_frames(inputs, firm_ids)
    paths = (out / "regions.csv",
             out / ("establishments.parquet" if parquet else "establishments.csv"),
             out / "firms.csv")
    regions.to_csv(paths[0], index=False)
    if parquet:
        establishments.to_parquet(paths[1], index=False)
    else:
        establishments.to_csv(paths[1], index=False)
    firms.to_csv(paths[2], index=False)
    return paths


# -- writing calibrated values back --------------------------------------------------------------

_KEY = re.compile(r"^(\s*)([^\s#:][^:#]*?):(.*)$")
_VALUE = re.compile(r"(\bvalue:\s*)(-?[0-9.eE+-]+)")


def update_assumptions(path: str | Path, changes: Mapping[str, float]) -> None:
    """Rewrite numeric values in an ``assumptions.yaml`` in place, keeping its comments.

    ``changes`` maps ``dotted.path`` (a constant) or ``dotted.path[YEAR]`` (a year of a
    series) to the new value. The file is re-read afterwards to check every change landed.

    Raises:
        InvalidValueError: a path that is not in the file.
    """
    file = Path(path)
    lines = file.read_text(encoding="utf-8").split("\n")
    for target, value in changes.items():
        keys = target.replace("[", ".values.").rstrip("]").split(".")
        stack: list[tuple[int, str]] = []
        done = False
        for i, line in enumerate(lines):
            match = _KEY.match(line)
            if not match or line.lstrip().startswith("#"):
                continue
            indent, key = len(match.group(1)), match.group(2).strip()
            while stack and stack[-1][0] >= indent:
                stack.pop()
            stack.append((indent, key))
            if [k for _, k in stack] == keys:
                for j in range(i, len(lines)):
                    inner = _KEY.match(lines[j])
                    if j > i and inner is not None and len(inner.group(1)) <= indent:
                        break
                    if _VALUE.search(lines[j]):
                        lines[j] = _VALUE.sub(rf"\g<1>{value:.6g}", lines[j], count=1)
                        done = True
                        break
                break
        if not done:
            raise InvalidValueError("no such numeric entry in the file", file=str(file),
                                    field=target, expected="a constant or a series year")
    file.write_text("\n".join(lines), encoding="utf-8")
    check = read_assumptions(file)
    for target, value in changes.items():
        if "[" in target:
            name, year = target[:-1].split("[")
            got = float(dict(check.series(name).points)[int(year)].value)  # type: ignore[arg-type]
        else:
            got = check.number(target)
        if not np.isclose(got, float(f"{value:.6g}")):
            raise InvalidValueError("value not written", file=str(file), field=target,
                                    value=got, expected=f"{value:.6g}")


def read_calibration_targets(case: str | Path = DEFAULT_CASE) -> pd.DataFrame:
    """Return the published aggregates the illustrative economy is calibrated to.

    Columns: ``indicator, year, value, low, high, unit, tolerance, sources, status, note``
    (``value`` ± ``tolerance``, or the range ``low``–``high``).

    Examples:
        >>> t = read_calibration_targets()
        >>> float(t[t.indicator == "regional_share_of_tax_revenue"].set_index("year").value[1998])
        56.6
    """
    path = economy_directory(case) / "calibration_targets.csv"
    table = _read_csv(path, ("indicator", "year", "value", "low", "high", "unit", "tolerance",
                             "sources", "status"))
    table["year"] = [int(y) for y in _numbers(table, "year", path)]
    for column in ("value", "low", "high", "tolerance"):
        table[column] = _numbers(table, column, path, blank_ok=True)
    return _frame(table)


_FIGURE_COLUMNS = ("figure", "year_from", "year_to", "value", "low", "high", "unit", "measure",
                   "sources", "status", "note", "model_note")
_STATUSES = ("verified", "partial", "assumed")


def read_published_figures(case: str | Path = DEFAULT_CASE) -> pd.DataFrame:
    """Return the published figures the fiscal model is set beside (``published_figures.csv``).

    One row per figure and period: ``figure`` (the measure's id), ``year_from``, ``year_to``,
    the published ``value`` and the tolerance as the range ``low``–``high``, ``unit``,
    ``measure`` (how the model computes it), ``sources``, ``status``, ``note`` and
    ``model_note`` (what in the model may keep it from the figure).

    Raises:
        DataFileError: missing file or columns.
        InvalidValueError: a bad number, period, range or status (naming row and field).

    Examples:
        >>> f = read_published_figures().set_index(["figure", "year_from"])
        >>> float(f.loc[("net_donors", 1995), "value"]), int(f.loc[("net_donors", 1995), "year_to"])
        (49.0, 1999)
    """
    path = economy_directory(case) / "published_figures.csv"
    table = _read_csv(path, _FIGURE_COLUMNS)
    for column in ("year_from", "year_to"):
        table[column] = [int(y) for y in _numbers(table, column, path)]
    for column in ("value", "low", "high"):
        table[column] = _numbers(table, column, path)
    frame = _frame(table)
    for row, r in enumerate(frame.to_dict(orient="records"), start=1):
        first, last = int(r["year_from"]), int(r["year_to"])
        value, low, high = float(r["value"]), float(r["low"]), float(r["high"])
        problem = (("year_to", last, f"a year >= year_from ({first})") if last < first else
                   ("low", f"{low:g}–{high:g}", f"low <= value ({value:g}) <= high")
                   if not low <= value <= high else
                   ("status", r["status"], "one of " + ", ".join(_STATUSES))
                   if r["status"] not in _STATUSES else
                   ("sources", r["sources"], "document:locator; …")
                   if not str(r["sources"]).strip() else None)
        if problem is not None:
            field, bad, expected = problem
            raise InvalidValueError(f"bad {field}", file=str(path), row=row, field=field,
                                    value=bad, expected=expected)
    return frame
