"""Files of the dynamics model: parameters, scenarios, treaties, pattern targets, sweep chunks.

A case keeps them in ``cases/<case>/dynamics/``: ``parameters.yaml`` (every parameter with a
status), ``scenarios/*.yaml``, ``treaties.csv`` (the bilateral power-sharing treaties, one row
per treaty, jointly signing regions in one row) and ``patterns.csv`` (the observed patterns
the model is checked against, with the fiscal targets of ``economy/calibration_targets.csv``).
Sweep results are Parquet files written whole or not at all (:func:`write_parquet`).

Examples:
    >>> params = read_parameters()
    >>> params.leaf("ratchet.offset").status
    'sourced'
    >>> sorted(list_scenarios())[:2]
    ['as-described', 'closed-borders']
    >>> treaties = read_treaties()
    >>> len(treaties), int(treaties["n_subjects"].sum()), int(treaties["year"].min())
    (40, 44, 1994)
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd
import yaml

from regionet.core.errors import (
    DataFileError,
    ErrorCollector,
    UnknownActorError,
    UnknownReferenceError,
    did_you_mean,
)
from regionet.core.periods import parse_date
from regionet.engines.dynamics.parameters import DynamicsParameters, parse_parameters
from regionet.engines.dynamics.patterns import STATISTICS, Target
from regionet.engines.dynamics.scenarios import DynamicsScenario, scenario_from_mapping
from regionet.engines.fiscal.law.files import read_yaml
from regionet.io.case_folders import case_directory
from regionet.io.tables import read_rows

__all__ = [
    "DYNAMICS_FOLDER",
    "dynamics_directory",
    "list_scenarios",
    "read_columns",
    "read_frames",
    "read_parameters",
    "read_scenario",
    "read_targets",
    "read_treaties",
    "write_parquet",
    "write_yaml",
]

#: Folder of a case that holds the dynamics files.
DYNAMICS_FOLDER = "dynamics"
_TREATY_COLUMNS = ("treaty_id", "signed", "subjects", "sources", "status")
_TARGET_COLUMNS = ("target", "column", "statistic", "year_from", "year_to", "low", "high",
                   "sources", "status")


def dynamics_directory(case: str | Path = "russia-1990s") -> Path:
    """Return the dynamics folder of a bundled case id or a case folder."""
    return case_directory(case) / DYNAMICS_FOLDER


def read_parameters(source: str | Path = "russia-1990s") -> DynamicsParameters:
    """Read a parameter file (a path to a ``.yaml``) or a case's ``dynamics/parameters.yaml``.

    Raises:
        DataFileError: a missing or unreadable file, or invalid YAML.
        InvalidValueError: or ValidationError, naming the file and the dotted path.
    """
    given = Path(source)
    file = given if given.suffix in (".yaml", ".yml") else \
        dynamics_directory(source) / "parameters.yaml"
    if not file.is_file():
        raise DataFileError("dynamics parameter file not found", file=str(file),
                            expected="a YAML file of dynamics parameters")
    data = read_yaml(file)
    if not isinstance(data, Mapping):
        raise DataFileError("not a mapping", file=str(file), expected="a YAML mapping")
    return parse_parameters(data, str(file))


def list_scenarios(case: str | Path = "russia-1990s") -> list[str]:
    """Return the names of the case's dynamics scenarios, sorted."""
    return sorted(p.stem for p in (dynamics_directory(case) / "scenarios").glob("*.yaml"))


def read_scenario(name_or_path: str | Path, parameters: DynamicsParameters, *,
                  case: str | Path = "russia-1990s") -> DynamicsScenario:
    """Read a scenario by name (in the case) or from a ``.yaml`` path and validate it.

    Raises:
        UnknownReferenceError: an unknown scenario name, with the nearest ones.
        DataFileError: a missing file or invalid YAML.
        InvalidValueError: or ValidationError: see :func:`scenario_from_mapping`.
    """
    given = Path(name_or_path)
    if given.suffix in (".yaml", ".yml"):
        file = given
    else:
        file = dynamics_directory(case) / "scenarios" / f"{name_or_path}.yaml"
        if not file.is_file():
            names = list_scenarios(case)
            raise UnknownReferenceError("unknown dynamics scenario", field="scenario",
                                        value=str(name_or_path),
                                        expected="one of " + ", ".join(names),
                                        hint=did_you_mean(str(name_or_path), names))
    if not file.is_file():
        raise DataFileError("scenario file not found", file=str(file),
                            expected="an existing .yaml file")
    return scenario_from_mapping(read_yaml(file), parameters, source=str(file))


def read_treaties(source: str | Path = "russia-1990s", *,
                  known: Collection[str] | None = None) -> pd.DataFrame:
    """Read the power-sharing treaties (a CSV path, or the case's ``dynamics/treaties.csv``).

    Returns:
        One row per treaty: ``treaty_id, signed (date), year, subjects (tuple), n_subjects,
        sources, status, note``.

    Raises:
        DataFileError: a missing file or missing columns.
        ValidationError: every bad row at once (file, row, field, value, what was expected):
            a bad date, no subject, a subject not in ``known``, a region in two treaties, a
            repeated id, a bad status.
    """
    given = Path(source)
    file = given if given.suffix == ".csv" else dynamics_directory(source) / "treaties.csv"
    if not file.is_file():
        raise DataFileError("treaties file not found", file=str(file),
                            expected="a CSV of treaties")
    errors = ErrorCollector(f"{file.name}", consequence="nothing was read")
    rows: list[dict[str, object]] = []
    seen: set[str] = set()
    regions: dict[str, str] = {}
    for number, row in read_rows(file, _TREATY_COLUMNS, ("note",)):
        with errors.catching():
            signed = parse_date(row["signed"], field="signed", file=file.name, row=number)
            subjects = tuple(s for s in row["subjects"].split(";") if s)
            if not subjects:
                errors.fail("no subject", field="subjects", value=row["subjects"],
                            expected="one or more subject ids separated by ';'",
                            file=file.name, row=number)
            for s in subjects:
                if known is not None and s not in known:
                    errors.add(UnknownActorError("unknown subject", field="subjects", value=s,
                                                 hint=did_you_mean(s, known), file=file.name,
                                                 row=number))
                if s in regions:
                    errors.fail(f"region already in treaty {regions[s]}", field="subjects",
                                value=s, expected="one treaty per region", file=file.name,
                                row=number)
                regions.setdefault(s, row["treaty_id"])
            if row["treaty_id"] in seen:
                errors.fail("repeated treaty_id", field="treaty_id", value=row["treaty_id"],
                            expected="one row per treaty", file=file.name, row=number)
            seen.add(row["treaty_id"])
            if row["status"] not in ("verified", "partial", "assumed"):
                errors.fail("bad status", field="status", value=row["status"],
                            expected="verified, partial or assumed", file=file.name, row=number)
            rows.append({"treaty_id": row["treaty_id"], "signed": signed, "year": signed.year,
                         "subjects": subjects, "n_subjects": len(subjects),
                         "sources": row["sources"], "status": row["status"],
                         "note": row.get("note", "") or ""})
    errors.raise_if_any()
    return pd.DataFrame(rows)


def _number(text: str, field: str, file: str, row: int, errors: ErrorCollector
            ) -> float | None:
    try:
        return float(text)
    except ValueError:
        errors.fail("not a number", file=file, row=row, field=field, value=text,
                    expected="a number")
        return None


def read_targets(case: str | Path = "russia-1990s") -> list[Target]:
    """Return the observed patterns of a case the model is checked against.

    They are ``dynamics/patterns.csv`` and the fiscal targets of
    ``economy/calibration_targets.csv`` (regional share of tax revenue ± its tolerance, one
    target a year; equalization recipients within their range, one target a year).

    Raises:
        DataFileError: a missing file or missing columns.
        ValidationError: every bad row at once.
    """
    file = dynamics_directory(case) / "patterns.csv"
    if not file.is_file():
        raise DataFileError("patterns file not found", file=str(file),
                            expected="a CSV of pattern targets")
    errors = ErrorCollector(file.name, consequence="nothing was read")
    targets: list[Target] = []
    for number, row in read_rows(file, _TARGET_COLUMNS, ("window_from", "window_to", "note")):
        nums = {k: _number(row[k], k, file.name, number, errors)
                for k in ("year_from", "year_to", "low", "high")}
        if row["statistic"] not in STATISTICS:
            errors.fail("unknown statistic", file=file.name, row=number, field="statistic",
                        value=row["statistic"], expected="one of " + ", ".join(STATISTICS))
            continue
        window = None
        if row.get("window_from") and row.get("window_to"):
            a = _number(row["window_from"], "window_from", file.name, number, errors)
            b = _number(row["window_to"], "window_to", file.name, number, errors)
            window = (int(a), int(b)) if a is not None and b is not None else None
        if any(v is None for v in nums.values()):
            continue
        with errors.catching():
            targets.append(Target(row["target"], row["column"], row["statistic"],
                                  (int(nums["year_from"] or 0), int(nums["year_to"] or 0)),
                                  float(nums["low"] or 0), float(nums["high"] or 0), window,
                                  row["sources"], row["status"], row.get("note", "") or ""))
    errors.raise_if_any()
    fiscal = case_directory(case) / "economy" / "calibration_targets.csv"
    for number, row in read_rows(fiscal, ("indicator", "year", "value", "low", "high",
                                          "tolerance", "sources", "status"), ("unit", "note")):
        year = int(row["year"])
        if row["indicator"] == "regional_share_of_tax_revenue":
            value, tol = float(row["value"]) / 100, float(row["tolerance"]) / 100
            targets.append(Target(f"regional_share_{year}", "regional_share_of_tax_revenue",
                                  "at_end", (year, year), value - tol, value + tol, None,
                                  row["sources"], row["status"],
                                  f"{fiscal.name} row {number}: {row['value']} % ± "
                                  f"{row['tolerance']} points"))
        elif row["indicator"] == "equalization_recipients":
            targets.append(Target(f"equalization_recipients_{year}", "equalization_recipients",
                                  "at_end", (year, year), float(row["low"]),
                                  float(row["high"]), None, row["sources"], row["status"],
                                  f"{fiscal.name} row {number}"))
    return targets


def write_parquet(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` to ``path`` whole or not at all (a temporary file renamed over it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    try:
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read_columns(paths: Iterable[Path], columns: Sequence[str]) -> pd.DataFrame:
    """Read only ``columns`` of Parquet files (in path order) into one frame."""
    frames = [pd.read_parquet(p, columns=list(columns)) for p in paths]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(columns))


def read_frames(paths: Iterable[Path]) -> pd.DataFrame:
    """Read whole Parquet files (in path order) into one frame."""
    frames = [pd.read_parquet(p) for p in paths]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def write_yaml(data: Mapping[str, object], path: Path) -> Path:
    """Write ``data`` as YAML to ``path`` whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as fh:
            yaml.safe_dump(dict(data), fh, sort_keys=False, allow_unicode=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
