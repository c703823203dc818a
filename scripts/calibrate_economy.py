"""Calibrate the illustrative economy of the ``russia-1990s`` case against published aggregates.

Run from the repository root::

    .venv/bin/python scripts/calibrate_economy.py            # print and write the fit table
    .venv/bin/python scripts/calibrate_economy.py --fit      # tune, write back, print the fit

The pipeline (``regionet.engines.fiscal.run.pipeline.run_year``, baseline parameters) runs over
1992-2010 on the generated economy. Two published aggregates are targets
(``/work/shared/reference/fiscal-russia.md``):

* the regions' share of consolidated tax revenue, 1996-2002: 49.5, 53.1, 56.6, 49.2, 43.5,
  37.4, 35.1 % (Gaidar Institute, "Russian economy in 2005", table 14), within 3 points;
* 70-80 of the 89 regions receive equalization transfers in each of 1999-2001 ("about 70-80
  of 89 regions received transfers each year", IET/CEPRA; about 13 received none in 1999).

``--fit`` tunes only the constants marked ``calibrated: true`` in ``assumptions.yaml``:

* ``national.mix.regional_other[1996..2002]``: the size of the wholly regional taxes, solved
  per year so the modelled share meets the published one (rounded to 0.001 of T);
* ``income.dispersion``: the spread of the per-capita income index, chosen on a grid so the
  number of recipients in 1999-2001 is closest to 75 (the middle of 70-80).

This is a calibration, not a validation: the targets are matched by construction, so the fit
says nothing about the economy's realism. The table goes to ``--out`` (CSV) and stdout
(``--markdown`` as markdown); with ``--fit`` (or ``--docs PATH``) the assumptions table and the
fit table of ``docs/economy.md`` are regenerated between their markers.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from regionet.engines.economy.assumptions import EconomyAssumptions, markdown_table
from regionet.engines.economy.economy import DEFAULT_YEARS, Economy
from regionet.engines.fiscal.law.files import load_parameters
from regionet.engines.fiscal.law.parameters import ParameterTree
from regionet.engines.fiscal.run.pipeline import run_year
from regionet.io.casefiles import case_directory
from regionet.io.economy_files import (
    EconomyFiles,
    economy_directory,
    read_calibration_targets,
    read_economy_files,
    update_assumptions,
)

#: The published targets (economy/calibration_targets.csv, each row sourced).
_TARGETS = read_calibration_targets()
_SHARE = _TARGETS[_TARGETS.indicator == "regional_share_of_tax_revenue"]
#: Regions' share of consolidated tax revenue, % (Gaidar Institute, table 14).
TARGET_SHARE = dict(zip(_SHARE.year, _SHARE.value, strict=True))
SHARE_TOLERANCE = float(_SHARE.tolerance.max())
_RECIPIENTS = _TARGETS[_TARGETS.indicator == "equalization_recipients"]
#: Years with the published count of recipients, and the range.
RECIPIENT_YEARS = tuple(int(y) for y in _RECIPIENTS.year)
RECIPIENTS = (int(_RECIPIENTS.low.min()), int(_RECIPIENTS.high.max()))
REGIONAL_OTHER = "national.mix.regional_other"
DISPERSION = "income.dispersion"
DISPERSION_GRID = tuple(np.round(np.arange(0.5, 1.8001, 0.05), 2))
ASSUMPTIONS_MARKER = "GENERATED ASSUMPTIONS TABLE"
FIT_MARKER = "GENERATED FIT TABLE"
NATIONAL_MARKER = "GENERATED NATIONAL TABLE"


def economy(files: EconomyFiles, assumptions: EconomyAssumptions, seed: int | None) -> Economy:
    return Economy(assumptions, files.population, files.companies, subjects=files.subjects,
                   seed=seed)


def fit_table(model: Economy, tree: ParameterTree, years: tuple[int, ...]) -> pd.DataFrame:
    """One row per year: modelled vs published share and recipients, and the tuned values."""
    rows = []
    ro = model.assumptions.series(REGIONAL_OTHER)
    for year in years:
        result = run_year(model.inputs(year), tree)
        share = 100.0 * result.totals["regional_share_of_tax_revenue"]
        target = TARGET_SHARE.get(year)
        recipients = int((result.regions["transfers"] > 0).sum())
        rows.append({
            "year": year,
            "published_share_pct": target,
            "modelled_share_pct": round(share, 2),
            "difference_pts": None if target is None else round(share - target, 2),
            "within_3_pts": None if target is None else abs(share - target) <= SHARE_TOLERANCE,
            "recipients": recipients,
            "published_recipients": "70-80" if year in RECIPIENT_YEARS else "",
            "recipients_ok": (RECIPIENTS[0] <= recipients <= RECIPIENTS[1]
                              if year in RECIPIENT_YEARS else None),
            "regional_other_share_of_T": round(ro.at(year), 4),
            "regional_other_basis": ro.basis(year),
            "equalization_method": result.rules["equalization"],
            "fund_size_million_rub": round(result.totals["fund_size"], 1),
        })
    return pd.DataFrame(rows)


def _recipients(files: EconomyFiles, assumptions: EconomyAssumptions, tree: ParameterTree,
                seed: int | None) -> list[int]:
    model = economy(files, assumptions, seed)
    return [int((run_year(model.inputs(y), tree).regions["transfers"] > 0).sum())
            for y in RECIPIENT_YEARS]


def fit_dispersion(files: EconomyFiles, assumptions: EconomyAssumptions, tree: ParameterTree,
                   seed: int | None) -> float:
    """The grid value whose 1999-2001 recipient counts are closest to 75 (ties: nearest 1)."""
    middle = sum(RECIPIENTS) / 2
    scored = []
    for value in DISPERSION_GRID:
        counts = _recipients(files, assumptions.with_values({DISPERSION: value}), tree, seed)
        inside = all(RECIPIENTS[0] <= c <= RECIPIENTS[1] for c in counts)
        scored.append((not inside, sum((c - middle) ** 2 for c in counts), abs(value - 1.0),
                       float(value)))
    return min(scored)[3]


def fit_regional_other(files: EconomyFiles, assumptions: EconomyAssumptions,
                       tree: ParameterTree, seed: int | None) -> dict[str, float]:
    """Solve each target year's regional_other share so the modelled share meets the target.

    The share is ``(R + a x) / (C + a x)`` in the regional_other share ``x`` (``a``: the amount
    collected per unit of ``x``), so one run per year gives ``x`` exactly.
    """
    model = economy(files, assumptions, seed)
    series = assumptions.series(REGIONAL_OTHER)
    changes = {}
    for year, target in TARGET_SHARE.items():
        x0 = series.at(year)
        result = run_year(model.inputs(year), tree)
        collected = float(result.regions["regional_other_regional"].sum())
        per_unit = collected / x0 if x0 > 0 else model.national_tax_due(year)["regional_other"]
        regional = result.totals["regional_tax_revenue"] - collected
        consolidated = result.totals["federal_tax_revenue"] + regional
        s = target / 100.0
        x = (s * consolidated - regional) / (per_unit * (1.0 - s))
        changes[f"{REGIONAL_OTHER}[{year}]"] = round(max(x, 0.0), 3)
    return changes


def fit(files: EconomyFiles, tree: ParameterTree, seed: int | None,
        rounds: int = 2) -> dict[str, float]:
    """Tune the calibrated constants; return their new values by path."""
    assumptions, changes = files.assumptions, {}
    for _ in range(rounds):
        changes[DISPERSION] = fit_dispersion(files, assumptions, tree, seed)
        assumptions = assumptions.with_values(changes)
        changes.update(fit_regional_other(files, assumptions, tree, seed))
        assumptions = assumptions.with_values(changes)
    return changes


def check(table: pd.DataFrame) -> list[str]:
    """Return the years that miss the published tolerances."""
    misses = [f"{r.year}: share {r.modelled_share_pct} vs {r.published_share_pct}"
              for r in table.itertuples() if r.within_3_pts is False]
    misses += [f"{r.year}: {r.recipients} recipients" for r in table.itertuples()
               if r.recipients_ok is False]
    return misses


def markdown(table: pd.DataFrame) -> str:
    header = ("| year | published share % | modelled share % | difference (pts) | recipients "
              "(published) | regional_other (share of T) | method | fund (million RUB) |\n"
              "|---|---|---|---|---|---|---|---|")
    lines = [header]
    for r in table.to_dict("records"):
        target, diff = r["published_share_pct"], r["difference_pts"]
        pub = "" if target is None or target != target else f"{float(target):.1f}"
        gap = "" if diff is None or diff != diff else f"{float(diff):+.2f}"
        rec = str(r["recipients"]) + (f" ({r['published_recipients']})"
                                      if r["published_recipients"] else "")
        lines.append(f"| {r['year']} | {pub} | {float(r['modelled_share_pct']):.2f} | {gap} | "
                     f"{rec} | {float(r['regional_other_share_of_T']):.3f} "
                     f"({r['regional_other_basis']}) | {r['equalization_method']} | "
                     f"{float(r['fund_size_million_rub']):,.0f} |")
    return "\n".join(lines)


def replace_section(text: str, name: str, content: str) -> str:
    """Replace the text between ``<!-- BEGIN name -->`` and ``<!-- END name -->``."""
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    if begin not in text or end not in text:
        raise SystemExit(f"markers for {name!r} not found in the docs file")
    head, rest = text.split(begin, 1)
    return f"{head}{begin}\n{content}\n{end}{rest.split(end, 1)[1]}"


def national_markdown(model: Economy) -> str:
    """National tax due by year (million RUB) and how the scale T is obtained."""
    keys = ("vat", "personal_income_tax", "profit_tax_base", "excise_spirits", "excise_other",
            "mineral_extraction_tax.hydrocarbons", "mineral_extraction_tax.other_minerals",
            "federal_other", "regional_other")
    scale = model.assumptions.series("national.tax_due_scale")
    lines = ["| year | T | basis of T | " + " | ".join(keys) + " |",
             "|---" * (len(keys) + 3) + "|"]
    for year in DEFAULT_YEARS:
        due = model.national_tax_due(year)
        point = dict(scale.points).get(year)
        basis = point.status if point is not None else f"assumed ({scale.basis(year)})"
        lines.append(f"| {year} | {scale.at(year):,.0f} | {basis} | "
                     + " | ".join(f"{due[k]:,.0f}" for k in keys) + " |")
    return "\n".join(lines)


def write_docs(path: Path, model: Economy, table: pd.DataFrame) -> None:
    """Regenerate the assumptions, national and fit tables of docs/economy.md."""
    text = path.read_text(encoding="utf-8")
    text = replace_section(text, ASSUMPTIONS_MARKER, markdown_table(model.assumptions))
    text = replace_section(text, NATIONAL_MARKER, national_markdown(model))
    text = replace_section(text, FIT_MARKER, markdown(table))
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fit", action="store_true",
                        help="tune the calibrated constants and write them to assumptions.yaml")
    parser.add_argument("--case", default="russia-1990s", help="bundled case id or case folder")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed of the economy (default: the assumptions' seed)")
    parser.add_argument("--out", type=Path, default=Path("out/economy_fit.csv"),
                        help="CSV file for the fit table (default out/economy_fit.csv)")
    parser.add_argument("--markdown", action="store_true", help="print the table as markdown")
    parser.add_argument("--docs", type=Path, default=None,
                        help="regenerate the assumptions and fit tables of this markdown file "
                             "(default with --fit: docs/economy.md)")
    args = parser.parse_args(argv)

    files = read_economy_files(args.case)
    tree = load_parameters(case_directory(args.case) / "parameters")
    if args.fit:
        changes = fit(files, tree, args.seed)
        path = economy_directory(args.case) / "assumptions.yaml"
        update_assumptions(path, changes)
        print(f"wrote {len(changes)} calibrated values to {path}:")
        for key, value in changes.items():
            print(f"  {key} = {value:g}")
        files = read_economy_files(args.case)
    model = economy(files, files.assumptions, args.seed)
    table = fit_table(model, tree, DEFAULT_YEARS)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False)
    print("ILLUSTRATIVE economy: a calibration to published aggregates, not a validation.")
    print(markdown(table) if args.markdown else table.to_string(index=False))
    print(f"fit table written to {args.out}")
    docs = args.docs or (Path("docs/economy.md") if args.fit else None)
    if docs is not None:
        write_docs(docs, model, table)
        print(f"tables regenerated in {docs}")
    misses = check(table)
    for miss in misses:
        print("outside the published tolerance:", miss, file=sys.stderr)
    return 1 if misses else 0


if __name__ == "__main__":
    raise SystemExit(main())
