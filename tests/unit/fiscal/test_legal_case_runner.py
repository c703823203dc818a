"""The legal-case reader and runner: defaults, comparisons, failures and malformed files."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

import regionet.cases
from regionet.core.errors import DataFileError, ValidationError
from regionet.engines.fiscal.law.files import load_parameters
from regionet.engines.fiscal.run.legal_cases import (
    Mismatch,
    case_files,
    parse_case,
    read_cases,
    run_case,
)

TREE = load_parameters(Path(regionet.cases.__file__).parent / "russia_1990s" / "parameters")


def vat_case(**changes: Any) -> dict[str, Any]:
    case: dict[str, Any] = {
        "name": "VAT 1997", "year": 1997, "comment": "VAT 1000 in A, 25 %\n regional: 250",
        "input": {"regions": {"A": {"population": 1000, "tax_due": {"vat": 1000}},
                              "B": {"population": 500, "expenditure_index": 1.5}}},
        "output": {"vat_regional": {"A": 250, "B": 0}, "vat_federal": {"A": 750},
                   "totals": {"regional_tax_revenue": 250}}}
    case.update(changes)
    return case


def test_a_case_is_read_with_its_defaults() -> None:
    case = parse_case(vat_case(), "vat.yaml", 3, TREE)
    assert (case.file, case.number, case.name, case.year) == ("vat.yaml", 3, "VAT 1997", 1997)
    assert case.inputs.regions.ids == ("A", "B")
    assert case.inputs.regions.expenditure_index.tolist() == [1.0, 1.5]
    assert case.inputs.regions.due("vat").tolist() == [1000.0, 0.0]
    assert case.inputs.regions.parent is None and len(case.inputs.firms.base) == 0
    assert (case.scenario, case.collection_by_region, case.use_published_total,
            case.margin) == (None, None, False, 1e-9)
    assert case.expected == {"vat_regional": {"A": 250.0, "B": 0.0}, "vat_federal": {"A": 750.0},
                             "totals": {"regional_tax_revenue": 250.0}}
    result = run_case(case, TREE)
    assert result.passed and result.checked == 4 and result.error is None
    assert str(result) == 'PASS vat.yaml, case 3 "VAT 1997" (1997): 4 numbers'


def test_a_failing_case_shows_its_arithmetic() -> None:
    case = parse_case(vat_case(output={"vat_regional": {"A": 300, "B": 0},
                                       "totals": {"fund_size": 1}},
                               absolute_error_margin=0.5), "vat.yaml", 1, TREE)
    result = run_case(case, TREE)
    # 1997: F = 0.15 × federal revenue 750 = 112.5
    assert result.mismatches == (Mismatch("vat_regional", "A", 300.0, 250.0, 0.5),
                                 Mismatch("totals", "fund_size", 1.0, 112.5, 0.5))
    assert not result.passed and result.checked == 3
    assert str(result).splitlines() == [
        'FAIL vat.yaml, case 1 "VAT 1997" (1997)',
        "  vat_regional[A]: expected 300, got 250 (difference -50, margin 0.5)",
        "  totals.fund_size: expected 1, got 112.5 (difference +111.5, margin 0.5)",
        "  comment: VAT 1000 in A, 25 % regional: 250"]


def test_options_and_scenarios_reach_the_run() -> None:
    case = parse_case(vat_case(
        options={"collection_by_region": {"B": 1.0, "A": 0.5}},
        scenario={"overrides": {"vat.split.regional": {"1997-01-01": 0.5},
                                "vat.split.federal": {"1997-01-01": 0.5}}},
        output={"vat_regional": {"A": 250}}), "x.yaml", 1, TREE)
    assert case.collection_by_region == (0.5, 1.0)  # in the regions' order
    assert case.scenario is not None and case.scenario.name == "VAT 1997"
    assert run_case(case, TREE).passed  # 0.5 × 1000 × 0.5


def test_a_run_error_fails_the_case() -> None:
    case = parse_case(vat_case(year=2000, input={"regions": {"A": {
        "population": 1, "tax_due": {"mineral_extraction_tax.hydrocarbons": 10}}}},
        output={"revenue_regional": {"A": 0}}), "x.yaml", 1, TREE)
    result = run_case(case, TREE)
    assert not result.passed and result.mismatches == () and result.checked == 0
    assert result.error is not None and "split has no value in 2000" in result.error
    assert "  error: " in str(result)


def test_nan_never_passes() -> None:
    case = parse_case(vat_case(output={"totals": {"regional_share_of_tax_revenue": 0}},
                               input={"regions": {"A": {"population": 1}}}), "x.yaml", 1, TREE)
    [mismatch] = run_case(case, TREE).mismatches  # no revenue at all: the share is NaN
    assert math.isnan(mismatch.got)


def problems(data: object) -> set[str | None]:
    with pytest.raises(ValidationError) as err:
        parse_case(data, "bad.yaml", 2, TREE)
    assert all(e.file == "bad.yaml" and 'case 2' in e.message for e in err.value.errors)
    return {e.field for e in err.value.errors}


def test_malformed_cases_name_every_field() -> None:
    assert problems(["not", "a", "mapping"]) == {""}
    assert problems({"name": "n"}) == {"year", "comment", "input", "output"}
    assert problems(vat_case(comentary="x", year="1997", comment=" ")) == {
        "comentary", "year", "comment"}
    assert problems(vat_case(input={"regions": {
        "A": {"population": -5, "tax_due": {"vat": "lots"}, "expenditure_idx": 1,
              "parent": "Q"},
        "B": {"expenditure_index": -1}}})) == {
        "input.regions.A.population", "input.regions.A.tax_due.vat",
        "input.regions.A.expenditure_idx", "input.regions.A.parent",
        "input.regions.B.population", "input.regions.B.expenditure_index"}
    assert problems(vat_case(output={"vat_regionl": {"A": 1}, "vat_regional": {"Z": 1},
                                     "totals": {"fund": 1, "fund_size": "x"}},
                             absolute_error_margin=-1)) == {
        "output.vat_regionl", "output.vat_regional.Z", "output.totals.fund",
        "output.totals.fund_size", "absolute_error_margin"}
    assert problems(vat_case(options={"collection_by_region": {"A": 1}, "fast": True,
                                      "use_published_total": "yes"})) == {
        "options.collection_by_region", "options.fast", "options.use_published_total"}
    assert problems(vat_case(scenario={"overrides": {"vat.split.regionl": {
        "1997-01-01": 0.5}}})) == {"scenario.overrides"}
    only_a = {"vat_regional": {"A": 0}}
    assert problems(vat_case(input={"regions": {"A": {"population": 1, "tax_due": {
        "vatt": 1}}}}, output=only_a)) == {"input.tax_due"}
    assert problems(vat_case(input={"regions": {"A": {"population": 1}},
                                    "firms": {"f": {"registered_region": "A", "profit": 1}},
                                    "establishments": [{"firm_id": "g", "region": "A"}]},
                             output=only_a)) == {"input.establishments.firm_id"}


def test_files_and_folders(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text("name: one\nyear: 1997\ncomment: c\n"
                                     "input: {regions: {A: {population: 1}}}\n"
                                     "output: {population: {A: 1}}\n", encoding="utf-8")
    (tmp_path / "a.yml").write_text("- name: two\n  year: 1997\n  comment: c\n"
                                    "  input: {regions: {A: {population: 2}}}\n"
                                    "  output: {population: {A: 2}}\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a case", encoding="utf-8")
    assert case_files([tmp_path]) == [tmp_path / "a.yml", tmp_path / "b.yaml"]
    assert [(c.name, c.number) for c in read_cases([tmp_path], TREE)] == [("two", 1),
                                                                          ("one", 1)]
    with pytest.raises(DataFileError, match="file not found"):
        case_files([tmp_path / "missing.yaml"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataFileError, match="no legal case files"):
        case_files([tmp_path / "empty"])
    (tmp_path / "broken.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="not valid YAML") as err:
        read_cases([tmp_path], TREE)
    assert err.value.errors[0].file == str(tmp_path / "broken.yaml")
    with pytest.raises(ValidationError, match="a scenario needs the parameters"):
        parse_case(vat_case(scenario={"rules": {"attribution": "operation"}}), "x.yaml", 1, None)
