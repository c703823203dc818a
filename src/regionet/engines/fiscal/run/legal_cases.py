"""Legal test cases: small federations in YAML with the numbers the law gives, run and compared.

In the manner of OpenFisca's YAML tests (``openfisca test``). A file holds one case or a list
of cases::

    name: profit tax 1999, federal rate change on 1 April
    year: 1999
    comment: the arithmetic, by hand (required: a failing case prints it)
    input:
      regions:   {A: {population: 1000, expenditure_index: 1.0, parent: null,
                      tax_due: {vat: 100}}}
      firms:     {f1: {registered_region: A, profit: 3650}}
      establishments:
        - {firm_id: f1, region: A, headcount: 1, payroll: 1, assets: 1, sales: 1,
           own_balance_sheet: false}                  # optional, default false
    scenario:    {rules: {attribution: operation}, overrides: {...}}     # optional
    options:     {use_published_total: true, collection_by_region: {A: 0.5}}  # optional
    output:
      profit_tax_federal: {A: 419.5}          # column: {region: value}
      totals: {fund_size: 0.0}                # national totals
    absolute_error_margin: 0.000001           # optional, default 1e-9

Regions need ``population``; ``expenditure_index`` defaults to 1, ``parent`` to none,
``tax_due`` (by tax key) to nothing. Firms and establishments are optional; an
establishment's factors default to 0. ``collection_by_region`` gives every region.

:func:`read_cases` validates every file completely before anything runs and raises all the
problems at once (:class:`~regionet.core.errors.ValidationError`, each naming the file, the
case and the field); :func:`run_case` runs one case and compares every expected number, and
its :class:`CaseResult` prints the arithmetic of a failure: expected, got, the difference and
the case's comment.

Examples:
    >>> from regionet.engines.fiscal.law.parameters import ParameterTree
    >>> case = parse_case({"name": "n", "year": 1999, "comment": "by hand",
    ...     "input": {"regions": {"A": {"population": 10}}},
    ...     "output": {"population": {"A": 10}}}, "example.yaml", 1, None)
    >>> case.inputs.regions.ids, case.expected, case.margin
    (('A',), {'population': {'A': 10.0}}, 1e-09)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from regionet.core.errors import (
    DataFileError,
    ErrorCollector,
    InvalidValueError,
    RegionetError,
    ValidationError,
    did_you_mean,
)
from regionet.engines.fiscal.inputs.coding import from_frames
from regionet.engines.fiscal.inputs.establishments import FACTORS, OWN_BALANCE_SHEET
from regionet.engines.fiscal.inputs.year_inputs import FiscalInputs, RegionTable
from regionet.engines.fiscal.law.files import read_yaml
from regionet.engines.fiscal.law.parameters import ParameterTree
from regionet.engines.fiscal.law.scenarios import Scenario, scenario_from_mapping
from regionet.engines.fiscal.run.pipeline import (
    QUANTITY_COLUMNS,
    RULE_NAMES,
    TOTALS,
    YearResult,
    run_year,
)

__all__ = ["CASE_KEYS", "DEFAULT_MARGIN", "CaseResult", "LegalCase", "Mismatch", "case_files",
           "parse_case", "read_cases", "run_case"]

#: The keys of a case (``scenario``, ``options`` and ``absolute_error_margin`` are optional).
CASE_KEYS: Final = ("name", "year", "comment", "input", "scenario", "options", "output",
                    "absolute_error_margin")
_REQUIRED: Final = ("name", "year", "comment", "input", "output")
_INPUT_KEYS: Final = ("regions", "firms", "establishments")
_REGION_KEYS: Final = ("population", "expenditure_index", "parent", "tax_due")
_FIRM_KEYS: Final = ("registered_region", "profit")
_ESTABLISHMENT_KEYS: Final = ("firm_id", "region", *FACTORS, OWN_BALANCE_SHEET)
_OPTION_KEYS: Final = ("use_published_total", "collection_by_region")
#: The margin when a case gives none.
DEFAULT_MARGIN: Final = 1e-9


@dataclass(frozen=True, eq=False)
class LegalCase:
    """A validated case, ready to run.

    Attributes:
        file: the file it comes from; ``number``: its 1-based position there.
        name, year, comment: as written.
        inputs: the federation; ``scenario``: its scenario, if any.
        collection_by_region: efficiencies in region order, if given.
        use_published_total: the option of the same name.
        expected: column (or ``totals``) -> region (or total) -> number.
        margin: the absolute error margin.
    """

    file: str
    number: int
    name: str
    year: int
    comment: str
    inputs: FiscalInputs
    expected: Mapping[str, Mapping[str, float]]
    scenario: Scenario | None = None
    collection_by_region: tuple[float, ...] | None = None
    use_published_total: bool = False
    margin: float = DEFAULT_MARGIN

    @property
    def title(self) -> str:
        """``file, case N "name" (year)``."""
        return f'{self.file}, case {self.number} "{self.name}" ({self.year})'


@dataclass(frozen=True)
class Mismatch:
    """One expected number the run did not give: ``column[region]`` (or ``totals.key``)."""

    column: str
    region: str | None
    expected: float
    got: float
    margin: float

    def __str__(self) -> str:
        where = f"totals.{self.region}" if self.column == "totals" else (
            f"{self.column}[{self.region}]")
        return (f"{where}: expected {self.expected:.10g}, got {self.got:.10g} (difference "
                f"{self.got - self.expected:+.6g}, margin {self.margin:g})")


@dataclass(frozen=True, eq=False)
class CaseResult:
    """A case's outcome: the numbers that differ, or the error the run raised."""

    case: LegalCase
    mismatches: tuple[Mismatch, ...] = ()
    error: str | None = None
    checked: int = 0
    result: YearResult | None = field(default=None, repr=False)

    @property
    def passed(self) -> bool:
        """True when every expected number is within the margin."""
        return not self.mismatches and self.error is None

    def __str__(self) -> str:
        if self.passed:
            return f"PASS {self.case.title}: {self.checked} numbers"
        lines = [f"FAIL {self.case.title}"]
        lines += [f"  {m}" for m in self.mismatches]
        if self.error is not None:
            lines.append(f"  error: {self.error}")
        lines.append(f"  comment: {' '.join(self.case.comment.split())}")
        return "\n".join(lines)


def case_files(paths: Iterable[Path]) -> list[Path]:
    """The YAML files named, or found (sorted) in the folders named.

    Raises:
        DataFileError: a path that does not exist, or a folder without YAML files.
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
            if not found:
                raise DataFileError("no legal case files (*.yaml, *.yml) in the folder",
                                    file=str(path), expected="a folder of YAML cases")
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise DataFileError("file not found", file=str(path),
                                expected="a YAML file or a folder of them")
    return files


def read_cases(paths: Iterable[Path], tree: ParameterTree | None) -> list[LegalCase]:
    """Read and validate every case of ``paths`` (files or folders); nothing runs yet.

    Args:
        paths: YAML files, or folders whose ``*.yaml`` / ``*.yml`` files are read.
        tree: the parameters scenarios are validated against (None: cases with a
            scenario are refused).

    Raises:
        DataFileError: a path not found (see :func:`case_files`).
        ValidationError: every problem of every file, each naming the file, the case and
            the field.
    """
    errors = ErrorCollector("the legal cases", consequence="no case was run")
    cases: list[LegalCase] = []
    for path in case_files(paths):
        try:
            data = read_yaml(path)
        except DataFileError as err:  # not YAML: a malformed file, reported with the others
            errors.add(err)
            continue
        for number, item in enumerate(data if isinstance(data, list) else [data], 1):
            try:
                cases.append(parse_case(item, str(path), number, tree))
            except ValidationError as err:
                for problem in err.errors:
                    errors.add(problem)
    errors.raise_if_any()
    return cases


def parse_case(data: object, file: str, number: int, tree: ParameterTree | None) -> LegalCase:
    """Validate one case mapping (see the module docstring).

    Raises:
        ValidationError: every problem found, each naming the file, the case and the field.
    """
    errors = ErrorCollector("the legal cases", consequence="no case was run")
    case = _parse(data, file, number, tree, errors)
    errors.raise_if_any()
    if case is None:  # _parse returns None only with a problem collected: never here
        raise InvalidValueError("the case could not be read", file=file, field=f"case {number}")
    return case


class _Checker:
    """Collect the problems of one case, each located by file, case and field."""

    def __init__(self, file: str, number: int, name: object, errors: ErrorCollector) -> None:
        self.file, self.errors = file, errors
        self.where = f"case {number}" + (f' "{name}"' if isinstance(name, str) else "")
        self.before = len(errors)

    @property
    def ok(self) -> bool:
        return len(self.errors) == self.before

    def fail(self, message: str, field: str, value: object = None, expected: str | None = None,
             hint: str | None = None) -> None:
        self.errors.add(InvalidValueError(f"{self.where}: {message}", file=self.file,
                                          field=field, value=value, expected=expected,
                                          hint=hint))

    def located(self, err: RegionetError, prefix: str) -> None:
        """Keep ``err`` (or each of its problems), located in this case's file and fields."""
        for one in err.errors if isinstance(err, ValidationError) else [err]:
            kind = type(one) if type(one) is not ValidationError else InvalidValueError
            table = f"{one.file}." if one.file and one.file.startswith(prefix) else prefix
            self.errors.add(kind(f"{self.where}: {one.message}", file=self.file,
                                 row=one.row, field=f"{table}{one.field or ''}",
                                 value=one.value, expected=one.expected, hint=one.hint))

    def mapping(self, value: object, field: str, expected: str) -> Mapping[Any, Any]:
        if isinstance(value, Mapping):
            return value
        self.fail("not a mapping", field, _short(value), expected)
        return {}

    def keys(self, value: Mapping[Any, Any], allowed: Sequence[str], field: str) -> None:
        for key in value:
            if key not in allowed:
                self.fail("unknown key", f"{field}.{key}" if field else str(key), None,
                          "one of " + ", ".join(allowed), did_you_mean(str(key), allowed))

    def number(self, value: object, field: str, expected: str = "a finite number") -> float:
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(
                value):
            return float(value)
        self.fail("not a number", field, _short(value), expected)
        return math.nan


def _short(value: object) -> object:
    """A value as an error shows it: scalars as they are, containers cut to 60 characters."""
    if value is None or isinstance(value, str | int | float):
        return value
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def _parse(data: object, file: str, number: int, tree: ParameterTree | None,
           errors: ErrorCollector) -> LegalCase | None:
    raw = data if isinstance(data, Mapping) else {}
    check = _Checker(file, number, raw.get("name"), errors)
    if not isinstance(data, Mapping):
        check.fail("a case is a mapping", "", _short(data), "name, year, comment, input, output")
        return None
    check.keys(data, CASE_KEYS, "")
    for key in _REQUIRED:
        if key not in data:
            check.fail("missing key", key, None, "name, year, comment, input and output")
    name, comment, year = data.get("name"), data.get("comment"), data.get("year")
    if "name" in data and not (isinstance(name, str) and name.strip()):
        check.fail("bad name", "name", _short(name), "a non-empty text")
    if "comment" in data and not (isinstance(comment, str) and comment.strip()):
        check.fail("no arithmetic", "comment", _short(comment),
                   "the arithmetic by hand, a non-empty text")
    if "year" in data and (not isinstance(year, int) or isinstance(year, bool)):
        check.fail("bad year", "year", _short(year), "a year, e.g. 1999")
    inputs = (_inputs(check, data["input"], year if isinstance(year, int) else 0)
              if "input" in data else None)
    raw_input = data.get("input")
    regions = raw_input.get("regions") if isinstance(raw_input, Mapping) else None
    ids = tuple(map(str, regions)) if isinstance(regions, Mapping) else ()
    margin = check.number(data.get("absolute_error_margin", DEFAULT_MARGIN),
                          "absolute_error_margin", "a number >= 0")
    if margin < 0:
        check.fail("negative margin", "absolute_error_margin", margin, "a number >= 0")
    expected = _expected(check, data["output"], ids) if "output" in data else {}
    options = check.mapping(data.get("options") or {}, "options",
                            "{use_published_total: bool, collection_by_region: {region: e}}")
    check.keys(options, _OPTION_KEYS, "options")
    published = options.get("use_published_total", False)
    if not isinstance(published, bool):
        check.fail("not true or false", "options.use_published_total", _short(published))
    efficiencies = _efficiencies(check, options.get("collection_by_region"), ids)
    scenario = _scenario(check, data.get("scenario"), str(name), tree)
    if not check.ok or inputs is None or not isinstance(name, str) or not isinstance(
            comment, str):
        return None
    return LegalCase(file, number, name, inputs.year, comment, inputs, expected, scenario,
                     efficiencies, published is True, margin)


def _inputs(check: _Checker, raw: object, year: int) -> FiscalInputs | None:
    data = check.mapping(raw, "input", "{regions, firms, establishments}")
    check.keys(data, _INPUT_KEYS, "input")
    regions = check.mapping(data.get("regions"), "input.regions", "{region id: {population}}")
    if not regions:
        if "regions" in data:
            check.fail("no region", "input.regions", None, "at least one region")
        return None
    for rid, region in regions.items():
        where = f"input.regions.{rid}"
        if not isinstance(rid, str):
            check.fail("region id is not a text", where, _short(rid), "a text, e.g. A")
        row = check.mapping(region, where, "{population, expenditure_index, parent, tax_due}")
        check.keys(row, _REGION_KEYS, where)
        if "population" not in row:
            check.fail("missing key", f"{where}.population", None, "persons, > 0")
        for key, least in (("population", "> 0"), ("expenditure_index", ">= 0")):
            if key in row:
                value = check.number(row[key], f"{where}.{key}", f"a finite number {least}")
                if value < 0 or (value == 0 and key == "population"):
                    check.fail("out of range", f"{where}.{key}", value, f"a number {least}")
        parent = row.get("parent")
        if parent is not None and (parent not in regions or parent == rid):
            check.fail("unknown parent region", f"{where}.parent", _short(parent),
                       "another region of the input, or null")
        taxes = check.mapping(row.get("tax_due") or {}, f"{where}.tax_due", "{tax key: amount}")
        for key, amount in taxes.items():
            check.number(amount, f"{where}.tax_due.{key}")
    firms = check.mapping(data.get("firms") or {}, "input.firms",
                          "{firm id: {registered_region, profit}}")
    for fid, firm in firms.items():
        row = check.mapping(firm, f"input.firms.{fid}", "{registered_region, profit}")
        check.keys(row, _FIRM_KEYS, f"input.firms.{fid}")
        check.number(row.get("profit"), f"input.firms.{fid}.profit")
    establishments = data.get("establishments") or []
    if not isinstance(establishments, list):
        check.fail("not a list", "input.establishments", _short(establishments),
                   "a list of {firm_id, region, headcount, payroll, assets, sales}")
        establishments = []
    for k, est in enumerate(establishments, 1):
        row = check.mapping(est, f"input.establishments[{k}]", "{firm_id, region, factors}")
        check.keys(row, _ESTABLISHMENT_KEYS, f"input.establishments[{k}]")
        for factor in FACTORS:
            if factor in row:
                check.number(row[factor], f"input.establishments[{k}].{factor}")
        if OWN_BALANCE_SHEET in row and not isinstance(row[OWN_BALANCE_SHEET], bool):
            check.fail("not true or false", f"input.establishments[{k}].{OWN_BALANCE_SHEET}",
                       _short(row[OWN_BALANCE_SHEET]), "true or false (default false)")
    if not check.ok:
        return None
    try:
        return _build(regions, firms, establishments, year)
    except RegionetError as err:
        check.located(err, "input.")
        return None


def _build(regions: Mapping[str, Mapping[str, Any]], firms: Mapping[Any, Mapping[str, Any]],
           establishments: Sequence[Mapping[str, Any]], year: int) -> FiscalInputs:
    """The federation of a case (validated by the inputs' own constructors)."""
    ids, rows = tuple(regions), list(regions.values())
    keys = sorted({k for r in rows for k in (r.get("tax_due") or {})})
    parents = tuple(r.get("parent") for r in rows)
    table = RegionTable(
        ids, population=np.array([r["population"] for r in rows], dtype=float),
        expenditure_index=np.array([r.get("expenditure_index", 1.0) for r in rows],
                                   dtype=float),
        tax_due={k: np.array([(r.get("tax_due") or {}).get(k, 0.0) for r in rows], dtype=float)
                 for k in keys},
        parent=parents if any(parents) else None)
    firm_frame = pd.DataFrame({"firm_id": [str(f) for f in firms],
                               "registered_region": [f.get("registered_region")
                                                     for f in firms.values()],
                               "profit": [float(f["profit"]) for f in firms.values()]})
    est_frame = pd.DataFrame({"firm_id": [str(e.get("firm_id")) for e in establishments],
                              "region": [e.get("region") for e in establishments],
                              **{f: [float(e.get(f, 0.0)) for e in establishments]
                                 for f in FACTORS},
                              OWN_BALANCE_SHEET: [bool(e.get(OWN_BALANCE_SHEET, False))
                                                  for e in establishments]})
    coded, coded_firms = from_frames(est_frame, firm_frame, ids,
                                     establishments_file="input.establishments",
                                     firms_file="input.firms")
    return FiscalInputs(year, table, coded, coded_firms)


def _expected(check: _Checker, raw: object,
              ids: Sequence[str]) -> dict[str, dict[str, float]]:
    output = check.mapping(raw, "output", "{column: {region: value}, totals: {total: value}}")
    if not output and isinstance(raw, Mapping):
        check.fail("nothing expected", "output", None, "at least one column or total")
    expected: dict[str, dict[str, float]] = {}
    for column, values in output.items():
        where = f"output.{column}"
        known = TOTALS if column == "totals" else ids
        if column != "totals" and column not in QUANTITY_COLUMNS:
            check.fail("unknown output column", where, None, "an output column or totals",
                       did_you_mean(str(column), [*QUANTITY_COLUMNS, "totals"]))
            continue
        row = check.mapping(values, where, "{region: value}" if column != "totals"
                            else "{total: value}")
        for key, value in row.items():
            if key not in known:
                what = "unknown total" if column == "totals" else "region not in the input"
                check.fail(what, f"{where}.{key}", None, "one of " + ", ".join(known),
                           did_you_mean(str(key), known))
            expected.setdefault(str(column), {})[str(key)] = check.number(value,
                                                                          f"{where}.{key}")
    return expected


def _efficiencies(check: _Checker, raw: object,
                  ids: Sequence[str]) -> tuple[float, ...] | None:
    if raw is None:
        return None
    given = check.mapping(raw, "options.collection_by_region", "{region: efficiency}")
    missing = [r for r in ids if r not in given]
    if missing or set(given) - set(ids):
        check.fail("not one efficiency per region", "options.collection_by_region",
                   sorted(map(str, given)), "every region of the input: " + ", ".join(ids))
        return None
    return tuple(check.number(given[r], f"options.collection_by_region.{r}") for r in ids)


def _scenario(check: _Checker, raw: object, name: str,
              tree: ParameterTree | None) -> Scenario | None:
    if raw is None:
        return None
    data = check.mapping(raw, "scenario", "{overrides: {...}, rules: {...}}")
    if tree is None:
        check.fail("a scenario needs the parameters", "scenario", None, "read_cases(..., tree)")
        return None
    try:
        return scenario_from_mapping({"name": name, "description": "legal case", **data}, tree,
                                     rule_names=RULE_NAMES)
    except RegionetError as err:
        check.located(err, "scenario.")
        return None


def run_case(case: LegalCase, tree: ParameterTree) -> CaseResult:
    """Run ``case`` and compare every expected number with the run's, within the margin.

    A :class:`RegionetError` raised by the run (e.g. tax due for a tax not yet in force) makes
    the case fail with that message.
    """
    try:
        result = run_year(case.inputs, tree, scenario=case.scenario,
                          collection_by_region=case.collection_by_region,
                          use_published_total=case.use_published_total)
    except RegionetError as err:
        return CaseResult(case, error=str(err))
    index = {region: i for i, region in enumerate(case.inputs.regions.ids)}
    mismatches, checked = [], 0
    for column, values in case.expected.items():
        numbers = None if column == "totals" else result.regions[column].to_numpy(np.float64)
        for key, expected in values.items():
            got = float(result.totals[key] if numbers is None else numbers[index[key]])
            checked += 1
            if not abs(got - expected) <= case.margin:  # NaN fails too
                mismatches.append(Mismatch(column, key, expected, got, case.margin))
    return CaseResult(case, tuple(mismatches), None, checked, result)
