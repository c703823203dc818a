"""The illustrative economy of the russia-1990s case: files, generator, determinism, round trip."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest

from regionet.core.errors import InvalidValueError, RegionetError, UnknownActorError
from regionet.engines.economy.assumptions import markdown_table, parse_assumptions
from regionet.engines.economy.economy import DEFAULT_YEARS, Economy, generate, generate_years
from regionet.engines.fiscal.inputs.year_inputs import TAX_KEYS, FiscalInputs
from regionet.io.casefiles import case_directory
from regionet.io.economy_files import (
    EconomyFiles,
    economy_directory,
    load_economy,
    read_assumptions,
    read_economy_files,
    read_fiscal_inputs,
    update_assumptions,
    write_fiscal_inputs,
)

POPULATION_1999 = 147_539_426  # the 89 subjects, nested autonomous okrugs counted once
RESOURCE_EXTRACTION = {  # firm -> regions where the reference table says it operates
    "gazprom": {"RU-YAN"}, "lukoil": {"RU-KHM", "RU-PER", "RU-VGG"},
    "surgutneftegaz": {"RU-KHM", "RU-LEN"}, "yukos": {"RU-KHM", "RU-SAM", "RU-TOM"},
    "sibneft": {"RU-YAN", "RU-OMS", "RU-CHU"}, "norilsk-nickel": {"RU-KYA", "RU-TAY", "RU-MUR"},
    "alrosa": {"RU-SA", "RU-ARK"}, "tatneft": {"RU-TA"},
    "severstal": {"RU-VLG", "RU-KR", "RU-MUR", "RU-KO"},
}
REGISTERED_IN_MOSCOW = ("gazprom", "lukoil", "yukos", "sibneft", "norilsk-nickel")


@pytest.fixture(scope="module")
def files() -> EconomyFiles:
    return read_economy_files()


@pytest.fixture(scope="module")
def economy(files: EconomyFiles) -> Economy:
    return Economy(files.assumptions, files.population, files.companies,
                   subjects=files.subjects)


@pytest.fixture(scope="module")
def years(economy: Economy) -> dict[int, FiscalInputs]:
    return {year: economy.inputs(year) for year in DEFAULT_YEARS}


def _arrays(inputs: FiscalInputs) -> dict[str, npt.NDArray[Any]]:
    est, firms, regions = inputs.establishments, inputs.firms, inputs.regions
    arrays: dict[str, npt.NDArray[Any]] = {f"tax_due.{k}": v for k, v in regions.tax_due.items()}
    arrays.update(population=regions.population,
                  expenditure_index=np.asarray(regions.expenditure_index),
                  firm=est.firm, region=est.region, headcount=est.headcount,
                  payroll=est.payroll, assets=est.assets, sales=est.sales,
                  registered=firms.registered_region, profit=firms.profit)
    return arrays


# -- the files -----------------------------------------------------------------------------------

def test_population_file_is_sourced_to_2002_and_carried_forward(files: EconomyFiles) -> None:
    pop = files.population
    assert len(pop) == 89 * len(range(1990, 2011))
    assert set(pop.groupby("year")["region"].nunique()) == {89}
    assert set(pop.loc[pop["year"] <= 2002, "status"]) == {"verified"}
    assert set(pop.loc[pop["year"] >= 2003, "status"]) == {"assumed"}
    wide = pop.pivot(index="region", columns="year", values="population")
    for year in range(2003, 2011):
        assert (wide[year] == wide[2002]).all()
    assert wide[1999].sum() == POPULATION_1999


def test_population_1999_matches_the_case_subjects(files: EconomyFiles,
                                                   years: dict[int, FiscalInputs]) -> None:
    regions = years[1999].regions
    subjects = files.subjects.set_index("id")["population_1999"].astype(float)
    assert regions.population.sum() == POPULATION_1999
    assert regions.population.tolist() == subjects.loc[list(regions.ids)].tolist()


def test_every_constant_has_a_status_and_a_reason(files: EconomyFiles) -> None:
    entries = list(files.assumptions.entries())
    assert len(entries) > 50
    for entry in entries:
        assert entry.status in ("verified", "partial", "assumed")
        assert entry.note.strip()
        assert entry.reference or entry.status == "assumed"
    tuned = {c.path for c in files.assumptions.calibrated()}
    assert tuned == {"income.dispersion",
                     *(f"national.mix.regional_other[{y}]" for y in range(1996, 2003))}


def test_docs_list_every_assumption(files: EconomyFiles) -> None:
    doc = (Path(__file__).parents[2] / "docs" / "economy.md").read_text(encoding="utf-8")
    marker = "GENERATED ASSUMPTIONS TABLE -->"
    table = doc.split("<!-- BEGIN " + marker)[1].split("<!-- END " + marker)[0].strip()
    assert table == markdown_table(files.assumptions), (
        "docs/economy.md is out of date: run scripts/calibrate_economy.py --docs docs/economy.md")


def test_bad_assumptions_are_reported_together() -> None:
    bad = {"a": {"value": 1, "status": "sure", "note": "n"},
           "b": {"value": "x", "status": "assumed", "note": ""},
           "c": {"value": 2, "status": "verified", "note": "n"}}
    with pytest.raises(RegionetError) as info:
        parse_assumptions(bad)
    text = str(info.value)
    assert "a.status" in text and "b.note" in text and "c.reference" in text


# -- the generated inputs --------------------------------------------------------------------------

def test_regions_are_the_89_subjects_of_1999_in_sorted_order(
        files: EconomyFiles, years: dict[int, FiscalInputs]) -> None:
    expected = tuple(sorted(files.subjects["id"]))
    assert len(expected) == 89
    for inputs in years.values():
        assert inputs.regions.ids == expected
        assert inputs.establishments.n_regions == inputs.firms.n_regions == 89
    parent = dict(zip(expected, years[1999].regions.parent or (), strict=True))
    assert parent["RU-KHM"] == parent["RU-YAN"] == "RU-TYU"
    assert parent["RU-MOW"] is None


def test_inputs_are_illustrative_and_say_what_is_assumed(years: dict[int, FiscalInputs]) -> None:
    for inputs in years.values():
        assert inputs.illustrative is True
        assert "ILLUSTRATIVE" in inputs.provenance["economy"]
        assert {"population", "tax_due", "firms", "calibrated"} <= set(inputs.provenance)
    assert "verified" in years[1999].provenance["population"]
    assert "assumed" in years[2005].provenance["population"]


def test_tax_due_is_finite_non_negative_and_adds_up(economy: Economy,
                                                    years: dict[int, FiscalInputs]) -> None:
    for year, inputs in years.items():
        national = economy.national_tax_due(year)
        for key in TAX_KEYS:
            due = inputs.regions.due(key)
            assert np.all(np.isfinite(due)) and np.all(due >= 0), (year, key)
            assert due.sum() == pytest.approx(national[key], rel=1e-12)
        assert inputs.firms.base.sum() == pytest.approx(national["profit_tax_base"], rel=1e-9)
        extraction_tax = inputs.regions.due("mineral_extraction_tax.hydrocarbons").sum()
        assert (extraction_tax > 0) == (year >= 2002)
        index = np.asarray(inputs.regions.expenditure_index)
        assert np.average(index, weights=inputs.regions.population) == pytest.approx(1.0)


def test_1998_anchors_of_the_federal_budget_law(years: dict[int, FiscalInputs]) -> None:
    inputs = years[1998]
    assert 0.75 * inputs.regions.due("vat").sum() == pytest.approx(141_270.2, rel=1e-3)
    assert 0.13 * inputs.firms.base.sum() == pytest.approx(48_140.6, rel=1e-3)


def test_resource_companies_register_in_moscow_and_extract_elsewhere(economy: Economy) -> None:
    year_firms = economy.firms(1999)
    ids = economy.ids
    est = year_firms.establishments
    for firm, regions in RESOURCE_EXTRACTION.items():
        code = year_firms.firm_ids.index(firm)
        rows = slice(est.firm_offsets[code], est.firm_offsets[code + 1])
        places = {ids[r] for r in est.region[rows]}
        registered = ids[year_firms.firms.registered_region[code]]
        operating = places - {registered} if firm in REGISTERED_IN_MOSCOW else places
        assert operating <= regions and operating, firm
        if firm in REGISTERED_IN_MOSCOW:
            assert registered == "RU-MOW", firm
            share = est.headcount[rows][est.region[rows] != ids.index("RU-MOW")].sum()
            assert share > 0.9 * est.headcount[rows].sum(), firm  # extraction, not the office
    gazprom = year_firms.firm_ids.index("gazprom")
    assert year_firms.firms.profit[gazprom] > 0


def test_company_history_changes_the_firms(economy: Economy) -> None:
    early = economy.firms(1992).firm_ids
    assert "surgutneftegaz" not in early  # incorporated 1993: its enterprises stand alone
    assert "surgutneftegaz:extraction_hydrocarbons:RU-KHM" in early
    assert "yukos:extraction_hydrocarbons:RU-TOM" not in early  # Tomskneft joins in 1997
    late = economy.firms(2005)
    sibneft = late.firm_ids.index("sibneft")
    assert economy.ids[late.firms.registered_region[sibneft]] == "RU-OMS"


def test_same_seed_same_arrays_other_seed_other_arrays(files: EconomyFiles) -> None:
    args = (files.assumptions, files.population, files.companies)
    first = generate(1999, *args, subjects=files.subjects, seed=7)
    again = generate_years([1999], *args, subjects=files.subjects, seed=7)[1999]
    other = generate(1999, *args, subjects=files.subjects, seed=8)
    a, b, c = _arrays(first), _arrays(again), _arrays(other)
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    assert any(a[name].shape != c[name].shape or not np.array_equal(a[name], c[name])
               for name in ("profit", "headcount", "tax_due.vat"))


def test_default_seed_comes_from_the_assumptions(files: EconomyFiles, economy: Economy) -> None:
    assert economy.seed == int(files.assumptions.number("seed"))
    with pytest.raises(InvalidValueError):
        Economy(files.assumptions, files.population, files.companies, subjects=files.subjects,
                seed=-1)


def test_unknown_regions_are_named(files: EconomyFiles) -> None:
    companies = files.companies.copy()
    companies.loc[0, "region"] = "RU-MSK"
    with pytest.raises(UnknownActorError, match="RU-MSK"):
        Economy(files.assumptions, files.population, companies, subjects=files.subjects)


# -- users' own files -----------------------------------------------------------------------------

@pytest.mark.parametrize("parquet", [False, True])
def test_inputs_round_trip_through_files(economy: Economy, tmp_path: Path, parquet: bool) -> None:
    inputs = economy.inputs(2001)
    ids = economy.firms(2001).firm_ids
    regions, establishments, firms = write_fiscal_inputs(inputs, tmp_path, ids, parquet=parquet)
    back = read_fiscal_inputs(2001, regions, establishments, firms)
    assert back.illustrative is False
    assert back.regions.ids == inputs.regions.ids
    assert back.regions.parent == inputs.regions.parent
    a, b = _arrays(inputs), _arrays(back)
    for name in a:
        np.testing.assert_allclose(a[name], b[name], rtol=1e-12, err_msg=name)


def test_read_fiscal_inputs_filters_the_year(economy: Economy, tmp_path: Path) -> None:
    paths = write_fiscal_inputs(economy.inputs(2000), tmp_path)
    for path in paths:
        frame = pd.read_csv(path)
        pd.concat([frame.assign(year=2000), frame.assign(year=2001)]).to_csv(path, index=False)
    assert read_fiscal_inputs(2000, *paths).regions.n == 89
    with pytest.raises(RegionetError, match="no rows for 1999"):
        read_fiscal_inputs(1999, *paths)


def test_update_assumptions_keeps_comments(tmp_path: Path) -> None:
    source = economy_directory() / "assumptions.yaml"
    copy = tmp_path / "assumptions.yaml"
    shutil.copy(source, copy)
    update_assumptions(copy, {"income.dispersion": 0.95,
                              "national.mix.regional_other[1999]": 0.123})
    changed = read_assumptions(copy)
    assert changed.number("income.dispersion") == 0.95
    assert changed.series("national.mix.regional_other").at(1999) == 0.123
    text = copy.read_text(encoding="utf-8")
    assert text.count("\n#") == source.read_text(encoding="utf-8").count("\n#")
    with pytest.raises(InvalidValueError):
        update_assumptions(copy, {"national.mix.regional_other[1990]": 0.1})


def test_load_economy_accepts_a_case_folder() -> None:
    model = load_economy(case_directory("russia-1990s"), seed=3)
    assert model.seed == 3 and len(model.ids) == 89
