"""Dynamics services on the bundled case and a workspace: runs, sweeps on every backend,
calibration, the report's section."""

from pathlib import Path

import pandas as pd
import pytest
import yaml

from regionet.core.errors import DataFileError, UnknownReferenceError
from regionet.services.case_source import CaseSource
from regionet.services.dynamics import check_patterns, dynamics_setup, run_simulation
from regionet.services.sweeps import calibrate, sweep
from regionet.services.workspace import import_files, init_workspace

SOURCE = CaseSource.bundled()

YEARS = (1991, 1996)


def test_run_reports_every_year_and_level():
    result = run_simulation(SOURCE, "as-described", seed=7, years=YEARS, regions=True)
    rows = result.rows
    assert rows["year"].tolist() == list(range(1991, 1997))
    assert (rows["ties_total"] == rows[["ties_bilateral", "ties_subnational",
                                        "ties_international"]].sum(axis=1)).all()
    assert rows.loc[rows.year < 1994, "treaties_total"].eq(0).all()
    assert len(result.regions) == 89 * 6
    assert set(result.regions["region"]) >= {"RU-KR", "RU-MOW", "RU-TA"}
    again = run_simulation(SOURCE, "as-described", seed=7, years=YEARS)
    assert rows.equals(again.rows)


def test_unknown_scenario_suggests():
    with pytest.raises(UnknownReferenceError, match="strong-centre"):
        run_simulation(SOURCE, "strong-center", years=YEARS)


def read(result):
    return (pd.concat([pd.read_parquet(p) for p in result.chunks])
            .sort_values(["run_id", "year"]).reset_index(drop=True))


@pytest.mark.slow  # a Dask cluster, ~5 s
def test_sweep_same_rows_on_every_backend(tmp_path):
    args = (["as-described", "closed-borders"], [0, 1, 2])
    seen = []
    one = sweep(SOURCE, *args, out=tmp_path / "one", years=YEARS, chunk_size=2,
                progress=lambda done, total: seen.append((done, total)))
    two = sweep(SOURCE, *args, out=tmp_path / "two", years=YEARS, chunk_size=2, workers=2)
    assert [p.name for p in one.chunks] == ["chunk-00000.parquet", "chunk-00001.parquet",
                                            "chunk-00002.parquet"]
    assert seen == [(0, 6), (2, 6), (4, 6), (6, 6)] and one.runs == 6
    assert read(one).equals(read(two))
    distributed = pytest.importorskip("distributed")
    dask_config = pytest.importorskip("dask.config")
    scratch = {"temporary-directory": str(tmp_path / "dask-scratch")}  # not /tmp
    with dask_config.set(scratch), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                     dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        dask = sweep(SOURCE, *args, out=tmp_path / "dask", years=YEARS, chunk_size=4, dask=client)
    assert read(one).equals(read(dask))
    summary = pd.read_parquet(one.summary)
    rows = read(one)
    mine = rows[(rows.scenario == "closed-borders") & (rows.year == 1995)]["ties_total"]
    got = summary[(summary.scenario == "closed-borders") & (summary.year == 1995)
                  & (summary.metric == "ties_total")].iloc[0]
    assert got["runs"] == 3 and got["mean"] == pytest.approx(mine.mean())
    with pytest.raises(DataFileError, match="already holds"):
        sweep(SOURCE, *args, out=tmp_path / "one", years=YEARS)


def test_sweep_grid_of_values(tmp_path):
    result = sweep(SOURCE, ["as-described"], [5], values={"ties.stress": [0.0, 8.0]},
                   out=tmp_path, years=YEARS)
    rows = read(result)
    assert sorted(rows["ties.stress"].unique()) == [0.0, 8.0]
    by = rows[rows.year == 1996].set_index("ties.stress")["horizontal_ties"]
    assert by[8.0] > by[0.0]  # stress raises tie hazards
    with pytest.raises(UnknownReferenceError, match=r"ties\.stress"):
        sweep(SOURCE, ["as-described"], [5], values={"ties.stres": [1.0]}, out=tmp_path / "x",
              years=YEARS)


def test_calibrate_writes_the_fit(tmp_path):
    fit = calibrate(SOURCE, out=tmp_path, samples=3, seeds=[0, 1], years=(1991, 2002))
    written = yaml.safe_load(fit.path.read_text())
    assert set(written["values"]) == {"treaty.rate", "treaty.election_boost",
                                      "ties.international.rate"}
    assert set(written["distance_per_target"]) >= {"treaty_regions_1998",
                                                   "regional_share_1999"}
    assert len(fit.samples) == 3 and fit.distance == pytest.approx(fit.samples.distance.min())
    checks = check_patterns(SOURCE, pd.DataFrame({"run_id": [0], "year": [1993],
                                          "treaties_total": [1]}).assign(
        **{c: 0 for c in ("treaty_regions_total", "treaties_signed",
                          "international_agreements", "regional_share_of_tax_revenue",
                          "equalization_recipients")}))
    assert not checks.set_index("target").loc["treaties_before_1994", "passed"]


def test_a_workspace_source_and_its_writes(tmp_path):
    """The world is the workspace's case, rebuilt once per version: an import is seen."""
    db = tmp_path / "mine.db"
    init_workspace(db)
    source = CaseSource.workspace(db)
    before = dynamics_setup(source, years=YEARS)
    assert dynamics_setup(source, years=YEARS) is before
    assert not {"FI-13", "EE-65"} & set(before.world.partners)
    assert run_simulation(source, "as-described", seed=3, years=YEARS).rows.equals(
        run_simulation(SOURCE, "as-described", seed=3, years=YEARS).rows)
    fixture = Path(__file__).parents[1] / "data" / "my_workspace"
    import_files(db, sorted(fixture.glob("*.csv")))
    after = dynamics_setup(source, years=YEARS)
    assert after is not before
    assert {"FI-13", "EE-65"} <= set(after.world.partners)
    assert len(after.world.partners) == len(before.world.partners) + 2


def test_the_report_section_runs_every_scenario_over_the_same_seeds(tmp_path):
    from regionet.services.dynamics_summary import dynamics_section

    names = ("as-described", "strong-centre", "closed-borders")
    section = dynamics_section(SOURCE, tmp_path, seeds=[1, 2, 3], years=(1995, 2001),
                               scenarios=names)
    assert list(section.scenarios) == list(names) and section.seeds == (1, 2, 3)
    assert "borders closed" in section.scenarios["closed-borders"]
    runs = {(name, seed): run_simulation(SOURCE, name, seed, years=(1995, 2001),
                                         regions=name == "as-described")
            for name in names for seed in (1, 2, 3)}
    mine = [runs[("strong-centre", s)].rows.set_index("year").loc[1999, "horizontal_ties"]
            for s in (1, 2, 3)]
    got = section.summary[(section.summary.scenario == "strong-centre")
                          & (section.summary.metric == "horizontal_ties")
                          & (section.summary.year == 1999)].iloc[0]
    assert got["runs"] == 3 and got["q50"] == sorted(mine)[1]
    growth = section.properties.set_index("measure").loc[
        "growth of horizontal ties, 1997 to 2000"]

    def grown(name, seed):
        rows = runs[(name, seed)].rows.set_index("year")["horizontal_ties"]
        return rows[2000] - rows[1997]

    described = [grown("as-described", s) for s in (1, 2, 3)]
    strong = [grown("strong-centre", s) for s in (1, 2, 3)]
    assert growth["value"] == pytest.approx(sum(described) / 3)
    assert growth["other_value"] == pytest.approx(sum(strong) / 3)
    assert growth["share_of_seeds"] == pytest.approx(
        sum(a > b for a, b in zip(described, strong, strict=True)) / 3)
    assert growth["share_of_seeds"] == pytest.approx(2 / 3)  # seeds 1 and 2 grow more
    assert len(section.properties) == 3
    karelia = [runs[("as-described", s)].regions.query("year == 2001 and region == 'RU-KR'")
               for s in (1, 2, 3)]
    row = section.regions.set_index("region").loc["RU-KR"]
    assert row["ties_foreign"] == pytest.approx(sum(float(k["ties_foreign"].iloc[0])
                                                    for k in karelia) / 3)
    assert row["ties"] == pytest.approx(row[["ties_bilateral", "ties_subnational",
                                             "ties_foreign", "ties_programme"]].sum())
    assert set(section.checks["scenario"]) == set(names)
    assert sorted(p.name for p in (tmp_path / "dynamics").iterdir()) == [
        "checks.csv", "properties.csv", "regions_2001.csv", "runs.parquet", "summary.csv"]
    assert section.files["runs"] == tmp_path / "dynamics" / "runs.parquet"
    short = dynamics_section(SOURCE, seeds=[0], years=(1991, 1996),
                             scenarios=["as-described", "strong-centre"])
    assert short.properties.empty and short.files == {}  # 1997-2000 not simulated
