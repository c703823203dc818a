"""``regionet fiscal``: run the pipeline, compare scenarios, explain a number, test the law."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from regionet.interfaces.cli.fiscal_inputs import InputsOption, describe, inputs_app
from regionet.interfaces.cli.progress import QuietOption, progress
from regionet.interfaces.cli.sources import DEFAULT_DB, ReadDbOption, read_source

__all__ = ["fiscal_app"]

fiscal_app = typer.Typer(help="Centre-region money: who receives which taxes, transfers, "
                              "donors and recipients.", no_args_is_help=True)
fiscal_app.add_typer(inputs_app, name="inputs")

YearOption = Annotated[int, typer.Option("--year", help="Fiscal year (1992-2010).")]
RuleOption = Annotated[str | None, typer.Option(
    "--rule", help="Attribution rule of the profit tax's regional part: registration, "
                   "operation, art288, art288_1995, uditpa, uditpa_double_sales, "
                   "uditpa_single_sales, ccctb, canada.")]
ILLUSTRATIVE = ("Note: inputs from the illustrative economy (no per-region tax data for the "
                "1990s were found); numbers show the mechanism, not history. See docs/economy.md.")
KEY_COLUMNS = ["region", "population", "profit_tax_base_attributed", "profit_tax_federal",
               "profit_tax_regional", "revenue_federal_collected", "revenue_regional",
               "transfers", "net_flow", "total_per_capita"]


@fiscal_app.command("run")
def fiscal_run(
    year: YearOption,
    scenario: Annotated[str | None, typer.Option(
        "--scenario", help="Bundled scenario name or a scenario YAML file.")] = None,
    rule: RuleOption = None,
    establishments: Annotated[Path | None, typer.Option(
        "--establishments", help="CSV/Parquet: firm_id, region, headcount, payroll, assets, "
                                 "sales.")] = None,
    firms: Annotated[Path | None, typer.Option(
        "--firms", help="CSV/Parquet: firm_id, registered_region, profit.")] = None,
    regions: Annotated[Path | None, typer.Option(
        "--regions", help="CSV: region, population, optional expenditure_index and tax due "
                          "columns.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write results to this folder.")]
    = None,
    fmt: Annotated[str, typer.Option("--format", help="csv, parquet or json.")] = "csv",
    inputs: InputsOption = None,
    db: ReadDbOption = DEFAULT_DB,
    quiet: QuietOption = False,
) -> None:
    """Run one year: revenue by tax and level, transfers and net flow per region."""
    if inputs is None:  # the files' firm ids are read while the services load
        from regionet.services.read_ahead import read_inputs_ahead

        read_inputs_ahead(establishments, firms)
    from regionet.core.errors import InvalidValueError
    from regionet.interfaces.cli.output import print_json, print_table
    from regionet.interfaces.cli.teardown import nothing_to_finalize
    from regionet.services.fiscal import run_fiscal_year, write_fiscal_result
    from regionet.services.inputs import identity

    if fmt not in ("csv", "parquet", "json"):
        raise InvalidValueError("unknown format", field="format", value=fmt,
                                expected="csv, parquet or json")
    source = read_source(db)
    with progress(f"Running the fiscal model for {year}", quiet=quiet):
        result = run_fiscal_year(source, year, scenario=scenario, rule=rule,
                                 regions=regions, establishments=establishments, firms=firms,
                                 inputs=inputs, origin="the command line")
    typer.echo(describe(identity(result.inputs)), err=True)
    if out is not None:
        for path in write_fiscal_result(result, out, fmt):
            typer.echo(str(path))
    elif fmt == "json":
        print_json(result.records())  # no pandas: the rows come from the result's arrays
    else:
        print_table(result.regions[KEY_COLUMNS].round(3).to_dict(orient="records"),
                    KEY_COLUMNS, f"Fiscal results {year} ({result.rules['attribution']}, "
                    f"{result.rules['equalization']}), million RUB")
    if result.inputs.illustrative:
        typer.echo(ILLUSTRATIVE, err=True)
    # Everything is written and closed: the entry point may end the process without freeing
    # the inputs (0.07-0.09 s for 5e6 establishments; teardown.py).
    nothing_to_finalize()


@fiscal_app.command("compare")
def fiscal_compare(
    year: YearOption,
    scenarios: Annotated[list[str], typer.Option(
        "--scenario", help="Two scenarios (names or files): the base, then the alternative.")],
    measure: Annotated[str, typer.Option(help="Per-region column to compare.")]
    = "total_per_capita",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    inputs: InputsOption = None,
    db: ReadDbOption = DEFAULT_DB,
    quiet: QuietOption = False,
) -> None:
    """Winners and losers of the second scenario against the first."""
    from regionet.core.errors import InvalidValueError
    from regionet.interfaces.cli.output import print_json, print_table
    from regionet.services.fiscal import compare_scenarios
    from regionet.services.inputs import describe_inputs

    if len(scenarios) != 2:
        raise InvalidValueError("compare needs exactly two scenarios", field="scenario",
                                value=";".join(scenarios), expected="--scenario A --scenario B")
    source = read_source(db)
    with progress(f"Running {scenarios[0]} and {scenarios[1]} for {year}", quiet=quiet):
        table = compare_scenarios(source, year, scenarios[0], scenarios[1], measure=measure,
                                  inputs=inputs)
        used = describe_inputs(source, inputs)
    rows = table.to_dict(orient="records")
    if as_json:
        print_json(rows)
    else:
        print_table(rows, list(table.columns), f"{scenarios[1]} vs {scenarios[0]}, {year}, "
                    f"{measure}")
    typer.echo(describe(used), err=True)
    if used["illustrative"]:
        typer.echo(ILLUSTRATIVE, err=True)


@fiscal_app.command("explain")
def fiscal_explain(
    year: YearOption,
    region: Annotated[str, typer.Option("--region", help="Region id, e.g. RU-KHM.")],
    quantity: Annotated[str, typer.Option("--quantity", help="Output column to explain.")]
    = "net_flow",
    scenario: Annotated[str | None, typer.Option("--scenario", help="Scenario name or file.")]
    = None,
    rule: RuleOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    inputs: InputsOption = None,
    db: ReadDbOption = DEFAULT_DB,
    quiet: QuietOption = False,
) -> None:
    """The trace of inputs, parameters (with legal references) and rule behind a number."""
    from regionet.interfaces.cli.output import print_json
    from regionet.services.fiscal import explain_number
    from regionet.services.inputs import describe_inputs

    source = read_source(db)
    with progress(f"Explaining {quantity} of {region} in {year}", quiet=quiet):
        explanation = explain_number(source, year, region, quantity, scenario=scenario,
                                     rule=rule, inputs=inputs)
        used = describe_inputs(source, inputs)
    if as_json:
        print_json(explanation.to_dict())
    else:
        typer.echo(str(explanation))
    typer.echo(describe(used), err=True)
    if used["illustrative"]:
        typer.echo(ILLUSTRATIVE, err=True)


@fiscal_app.command("test")
def fiscal_test(
    paths: Annotated[list[Path], typer.Argument(
        help="YAML legal-case files, or folders of them (*.yaml, *.yml).")],
    verbose: Annotated[bool, typer.Option("--verbose", "-v",
                                          help="Also list the cases that pass.")] = False,
    db: ReadDbOption = DEFAULT_DB,
    quiet: QuietOption = False,
) -> None:
    """Run YAML legal cases and print each failure's arithmetic.

    Exit 0 when every case passes, 1 when one fails, 2 when a file is malformed (nothing runs).
    """
    from regionet.services.fiscal import run_legal_cases

    source = read_source(db)
    with progress("Running the legal cases", quiet=quiet):
        results = run_legal_cases(source, paths)
    failed = sum(not r.passed for r in results)
    for result in results:
        if verbose or not result.passed:
            typer.echo(str(result))
    typer.echo(f"{len(results) - failed} passed, {failed} failed")
    if failed:
        raise typer.Exit(1)
