"""``regionet simulate run|sweep|calibrate|check`` through the command line (in process)."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from regionet.interfaces.cli.app import app
from regionet.interfaces.cli.app import main as entry
from regionet.interfaces.cli.simulate import parse_param
from regionet.services.case_source import CaseSource
from regionet.services.dynamics import check_patterns, run_simulation, runs_table

SOURCE = CaseSource.bundled()
DB = ["--db", "no-such.db"]  # the bundled case


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["simulate", *args, *DB], env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def test_run_json_is_the_service_run():
    code, out, _ = invoke("run", "--scenario", "closed-borders", "--seed", "5",
                          "--years", "1993:1997", "--json")
    assert code == 0
    got = json.loads(out)
    want = run_simulation(SOURCE, "closed-borders", 5, years=(1993, 1997)).rows
    assert got["scenario"] == "closed-borders" and got["seed"] == 5
    assert [r["year"] for r in got["rows"]] == [1993, 1994, 1995, 1996, 1997]
    for column in ("ties_total", "treaties_total", "stress_mean", "donors"):
        assert [r[column] for r in got["rows"]] == want[column].tolist()
    assert "regions" not in got


def test_run_table_and_out_then_check_from_the_folder(tmp_path: Path):
    code, out, _ = invoke("run", "--seed", "2", "--years", "1991:1992")
    assert code == 0 and "as-described, seed 2 (2)" in out and "regional share" in out
    code, out, _ = invoke("run", "--seed", "2", "--out", str(tmp_path), "--regions")
    assert code == 0
    assert out.split() == [str(tmp_path / "run.parquet"), str(tmp_path / "regions.parquet")]
    written = pd.read_parquet(tmp_path / "run.parquet")
    assert written[["run_id", "seed", "scenario"]].drop_duplicates().values.tolist() == [
        [0, 2, "as-described"]]
    assert len(pd.read_parquet(tmp_path / "regions.parquet")) == 89 * 12
    code, out, _ = invoke("check", "--from", str(tmp_path), "--json")
    assert code == 0
    checks = json.loads(out)
    want = check_patterns(SOURCE, runs_table([run_simulation(SOURCE, "as-described", 2)]))
    assert [(c["target"], c["label"], c["passed"]) for c in checks] == [
        (r.target, r.label, r.passed) for r in want.itertuples()]
    assert {c["scenario"] for c in checks} == {"as-described"}


def test_check_runs_the_seeds_when_not_given_a_folder():
    code, out, _ = invoke("check", "--scenario", "strong-centre", "--seeds", "3")
    assert code == 0
    rows = runs_table([run_simulation(SOURCE, "strong-centre", s) for s in range(3)])
    checks = check_patterns(SOURCE, rows)
    passed = int(checks["passed"].sum())
    assert f"{passed} of {len(checks)} checks within the observed range." in out
    assert "treaty_regions_1998" in out and "strong-centre" in out


def test_sweep_writes_the_grid_of_values(tmp_path: Path):
    code, out, _ = invoke("sweep", "--scenario", "as-described", "--scenario", "no-treaties",
                          "--seeds", "2", "--param", "ties.stress=0:8:3", "--years",
                          "1991:1994", "--chunk-size", "5", "--out", str(tmp_path))
    assert code == 0, out
    assert "12 runs, 3 chunk files" in out
    rows = pd.concat(pd.read_parquet(p) for p in sorted((tmp_path / "chunks").iterdir()))
    assert sorted(rows["ties.stress"].unique()) == [0.0, 4.0, 8.0]
    assert sorted(rows["scenario"].unique()) == ["as-described", "no-treaties"]
    assert sorted(rows["seed"].unique()) == [0, 1] and len(rows) == 12 * 4
    summary = pd.read_parquet(tmp_path / "summary.parquet")
    assert set(summary["ties.stress"]) == {0.0, 4.0, 8.0}
    one = rows[(rows.scenario == "no-treaties") & (rows["ties.stress"] == 4.0)
               & (rows.seed == 1)]
    assert (one["treaties_total"] == 0).all()  # no treaties in that scenario
    code, out, _ = invoke("check", "--from", str(tmp_path), "--json")
    checks = pd.DataFrame(json.loads(out))
    assert code == 0 and list(checks.columns[:2]) == ["scenario", "ties.stress"]
    per_group = checks.groupby(["scenario", "ties.stress"]).size()
    assert len(per_group) == 6 and per_group.nunique() == 1  # each scenario and value apart
    assert (checks[checks.target == "treaties_before_1994"]["runs"] == 2).all()


def test_calibrate_prints_the_fit_and_writes_it(tmp_path: Path):
    code, out, _ = invoke("calibrate", "--samples", "2", "--seeds", "2", "--param",
                          "treaty.rate", "--out", str(tmp_path), "--json")
    assert code == 0, out
    got = json.loads(out)
    written = yaml.safe_load((tmp_path / "fit.yaml").read_text())
    assert list(got["values"]) == ["treaty.rate"] == list(written["values"])
    assert got["values"]["treaty.rate"] == pytest.approx(written["values"]["treaty.rate"])
    assert got["distance"] == pytest.approx(written["distance"])
    assert set(got["targets"]) >= {"treaty_regions_1998", "international_agreements_1991_1995"}


@pytest.mark.parametrize(("args", "code", "words"), [
    (["run", "--years", "1999:1991"], 2, ["--years", "'1999:1991'", "START:END"]),
    (["run", "--years", "1991"], 2, ["--years", "'1991'", "START:END"]),
    (["run", "--scenario", "strong-center"], 4, ["--scenario", "strong-centre"]),
    (["sweep", "--scenario", "as-described", "--seeds", "2", "--param", "ties.stres=0:8:3",
      "--out", "OUT"], 4, ["--param", "'ties.stres'", "Did you mean ties.stress"]),
    (["sweep", "--scenario", "as-described", "--seeds", "2", "--param", "ties.stress=0:8",
      "--out", "OUT"], 2, ["--param", "'ties.stress=0:8'", "PATH=START:STOP:N"]),
    (["sweep", "--scenario", "as-described", "--seeds", "2", "--param", "ties.stress=a:1:2",
      "--out", "OUT"], 2, ["--param", "'ties.stress=a:1:2'"]),
    (["sweep", "--scenario", "as-described", "--seeds", "2", "--param", "ties.stress=0:1:2",
      "--param", "ties.stress=0:1:3", "--out", "OUT"], 2, ["--param", "each PATH once"]),
    (["sweep", "--scenario", "as-described", "--seeds", "2", "--workers", "2", "--dask",
      "tcp://127.0.0.1:1", "--out", "OUT"], 2, ["--dask", "not both"]),
    (["calibrate", "--param", "ratchet.offset", "--out", "OUT"], 4,
     ["--param", "'ratchet.offset'", "treaty.rate"]),
    (["check", "--from", "OUT"], 3, ["no simulation results", "run.parquet"]),
])
def test_bad_options_are_named_with_their_value(tmp_path: Path, capsys, args, code, words):
    argv = [a.replace("OUT", str(tmp_path / "out")) for a in args]
    old = sys.argv
    sys.argv = ["regionet", "simulate", *argv, *DB]
    try:
        with pytest.raises(SystemExit) as done:
            entry()
    finally:
        sys.argv = old
    err = capsys.readouterr().err
    assert done.value.code == code, err
    for word in words:
        assert word in err
    assert not (tmp_path / "out" / "chunks").exists()  # refused before anything ran


@pytest.mark.parametrize(("text", "values"), [
    ("a.b=0:1:1", [0.0]), ("a.b=0:1:2", [0.0, 1.0]), ("a.b=1:0:3", [1.0, 0.5, 0.0]),
    ("a.b=0.1:0.3:3", [0.1, 0.2, 0.3])])
def test_param_values_are_evenly_spaced_and_end_on_stop(text, values):
    path, got = parse_param(text)
    assert path == "a.b" and len(got) == len(values)
    assert all(math.isclose(a, b) for a, b in zip(got, values, strict=True))
    assert got[-1] == values[-1]


def test_a_dask_address_that_is_not_one_is_named(tmp_path: Path, capsys):
    pytest.importorskip("distributed")
    old = sys.argv
    sys.argv = ["regionet", "simulate", "sweep", "--scenario", "as-described", "--seeds", "2",
                "--dask", "not an address", "--out", str(tmp_path / "out"), *DB]
    try:
        with pytest.raises(SystemExit) as done:
            entry()
    finally:
        sys.argv = old
    err = capsys.readouterr().err
    assert done.value.code == 2
    assert "field '--dask', value 'not an address': cannot reach the Dask scheduler" in err
    assert "nothing was run" in err and not (tmp_path / "out").exists()
