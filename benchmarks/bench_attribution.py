"""Benchmark: attributing a profit-tax base over 1e6-1e7 establishments (Tax Code art. 288).

Times, in the same run and on the same synthetic data:

(a) regionet's ``attribute(est, firms, "art288")`` (firm-sorted columns, chunked expansion);
(b) a straightforward pandas groupby/merge implementation of the same rule;
(c) a NumPy floor: ``np.bincount`` on unsorted codes, no sort and no chunking;

reports the best wall time of ``--repeat`` runs, peak extra memory (tracemalloc, in a
separate run), ratios, and checks that the three results agree. Also times building the
firm-sorted ``Establishments`` and loading it from Parquet (needs pyarrow).

    .venv/bin/python benchmarks/bench_attribution.py [--sizes 1e6 1e7] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from regionet.engines.fiscal.inputs.establishments import Establishments, Firms
from regionet.engines.fiscal.rules.attribution import RULES, attribute

Array = np.ndarray[Any, Any]


@dataclass
class Federation:
    """Synthetic microdata: establishment columns in shuffled row order, and firms."""

    firm: Array
    region: Array
    headcount: Array
    payroll: Array
    assets: Array
    sales: Array
    registered_region: Array
    profit: Array
    n_regions: int

    @property
    def n_firms(self) -> int:
        return len(self.profit)

    def columns(self) -> dict[str, Array]:
        return {"firm": self.firm, "region": self.region, "headcount": self.headcount,
                "payroll": self.payroll, "assets": self.assets, "sales": self.sales}

    def input_bytes(self) -> int:
        return sum(a.nbytes for a in self.columns().values())


def synthetic(n: int, n_regions: int, seed: int) -> Federation:
    """Heavy-tailed firm sizes, a capital-heavy region mix, zeros that exercise fallbacks."""
    rng = np.random.default_rng(seed)
    sizes = np.minimum(rng.zipf(2.1, size=n), 50_000)  # 1 establishment for ~2/3 of firms
    cumulative = np.cumsum(sizes)
    n_firms = int(np.searchsorted(cumulative, n)) + 1
    sizes = sizes[:n_firms]
    sizes[-1] -= cumulative[n_firms - 1] - n
    popularity = 1.0 / np.arange(1, n_regions + 1) ** 0.9  # region 0 plays Moscow
    popularity /= popularity.sum()
    registered = rng.choice(n_regions, size=n_firms, p=popularity).astype(np.int32)
    registered[rng.random(n_firms) < 0.25] = 0  # head offices crowd into the capital
    firm = np.repeat(np.arange(n_firms, dtype=np.int32), sizes)
    region = rng.choice(n_regions, size=n, p=popularity).astype(np.int32)
    at_home = rng.random(n) < 0.3
    region[at_home] = registered[firm[at_home]]
    headcount = np.round(rng.lognormal(2.0, 1.2, n))  # ~1 % zeros: offices without staff
    wage = rng.lognormal(0.0, 0.3, n_regions)
    payroll = headcount * wage[region] * rng.lognormal(0.0, 0.2, n)
    assets = rng.lognormal(10.0, 2.0, n)
    assets[rng.random(n) < 0.08] = 0.0  # leased premises
    no_property = rng.random(n_firms) < 0.02  # firms with no depreciable property at all
    assets[no_property[firm]] = 0.0
    dormant = rng.random(n_firms) < 0.005  # firms with every factor zero: head office
    headcount[dormant[firm]] = 0.0
    payroll[dormant[firm]] = 0.0
    assets[dormant[firm]] = 0.0
    sales = rng.lognormal(11.0, 2.0, n)
    sales[rng.random(n) < 0.1] = 0.0
    profit = rng.lognormal(12.0, 2.5, n_firms)
    profit[rng.random(n_firms) < 0.2] *= -1.0  # losses attribute nothing
    shuffle = rng.permutation(n)
    return Federation(firm[shuffle], region[shuffle], headcount[shuffle], payroll[shuffle],
                      assets[shuffle], sales[shuffle], registered, profit, n_regions)


def build(fed: Federation) -> tuple[Establishments, Firms]:
    est = Establishments(**fed.columns(), n_firms=fed.n_firms, n_regions=fed.n_regions)
    firms = Firms(registered_region=fed.registered_region, profit=fed.profit,
                  n_regions=fed.n_regions)
    return est, firms


def pandas_art288(est: pd.DataFrame, firms: pd.DataFrame, n_regions: int) -> Array:
    """The obvious pandas version: group totals, merge back, shares, group by region."""
    totals = est.groupby("firm")[["headcount", "assets"]].sum()
    totals.columns = ["headcount_total", "assets_total"]
    df = est.merge(totals, left_on="firm", right_index=True, how="left")
    df = df.merge(firms[["base"]], left_on="firm", right_index=True, how="left")
    has_labour = df["headcount_total"] > 0
    has_assets = df["assets_total"] > 0
    n_factors = has_labour.astype(float) + has_assets.astype(float)
    labour = (df["headcount"] / df["headcount_total"]).where(has_labour, 0.0)
    property_ = (df["assets"] / df["assets_total"]).where(has_assets, 0.0)
    share = ((labour + property_) / n_factors).where(n_factors > 0, 0.0)
    df["attributed"] = share * df["base"]
    regions = pd.RangeIndex(n_regions)
    result = df.groupby("region")["attributed"].sum().reindex(regions, fill_value=0.0)
    firm_totals = totals.reindex(firms.index, fill_value=0.0)
    at_head_office = (firm_totals["headcount_total"] <= 0) & (firm_totals["assets_total"] <= 0)
    head = firms.loc[at_head_office].groupby("registered_region")["base"].sum()
    return (result + head.reindex(regions, fill_value=0.0)).to_numpy()


def numpy_floor_art288(fed: Federation) -> Array:
    """Plain NumPy on unsorted codes: bincount totals, gather, bincount by region."""
    n_firms, n_regions = fed.n_firms, fed.n_regions
    base = np.maximum(fed.profit, 0.0)
    labour_total = np.bincount(fed.firm, weights=fed.headcount, minlength=n_firms)
    assets_total = np.bincount(fed.firm, weights=fed.assets, minlength=n_firms)
    has_labour, has_assets = labour_total > 0, assets_total > 0
    n_factors = has_labour.astype(np.float64) + has_assets
    c_labour = np.divide(base, n_factors * labour_total, out=np.zeros(n_firms), where=has_labour)
    c_assets = np.divide(base, n_factors * assets_total, out=np.zeros(n_firms), where=has_assets)
    weights = c_labour[fed.firm] * fed.headcount + c_assets[fed.firm] * fed.assets
    result = np.bincount(fed.region, weights=weights, minlength=n_regions)
    head = np.where(n_factors == 0, base, 0.0)
    return result + np.bincount(fed.registered_region, weights=head, minlength=n_regions)


def run_times(fn: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    seconds, result = [], None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        seconds.append(time.perf_counter() - start)
    return seconds, result


def best_time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    seconds, result = run_times(fn, repeat)
    return min(seconds), result


def peak_extra_bytes(fn: Callable[[], Any]) -> int:
    """Peak bytes allocated above the level before ``fn`` (NumPy reports to tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak - before


def read_columns(parquet: Any) -> dict[str, Array]:
    """Read a Parquet file row group by row group into preallocated NumPy columns.

    ``pq.read_table(...).to_numpy()`` holds the whole decoded table in Arrow memory and then
    concatenates each column's chunks into a second copy; this holds one row group at a time.
    """
    schema = parquet.schema_arrow
    n = parquet.metadata.num_rows
    columns = {name: np.empty(n, dtype=schema.field(name).type.to_pandas_dtype())
               for name in schema.names}
    start = 0
    for group in range(parquet.num_row_groups):
        table = parquet.read_row_group(group)
        for name in schema.names:
            columns[name][start:start + table.num_rows] = table[name].to_numpy()
        start += table.num_rows
    return columns


def parquet_rows(fed: Federation, est: Establishments,
                 repeat: int) -> list[tuple[str, float, str]]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        return [("load Parquet", float("nan"), "skipped: pip install pyarrow")]
    rows = []
    sorted_table = pa.table({"firm": est.firm.astype(np.int32),
                             "region": est.region.astype(np.int32),
                             **{name: getattr(est, name) for name in
                                ("headcount", "payroll", "assets", "sales")}})
    shuffled_table = pa.table(fed.columns())
    firms_table = pa.table({"registered_region": fed.registered_region, "profit": fed.profit})
    with tempfile.TemporaryDirectory() as tmp:
        firms_path = Path(tmp) / "firms.parquet"
        pq.write_table(firms_table, firms_path)
        for label, table in (("firm-sorted file", sorted_table),
                             ("shuffled file", shuffled_table)):
            path = Path(tmp) / "establishments.parquet"
            pq.write_table(table, path)
            os.sync()  # time reading, not the write-back of the file just written
            size = path.stat().st_size

            def load(path: Path = path) -> Establishments:
                columns = read_columns(pq.ParquetFile(path))
                firm_columns = read_columns(pq.ParquetFile(firms_path))
                Firms(**firm_columns, n_regions=fed.n_regions)
                return Establishments(**columns, n_firms=fed.n_firms, n_regions=fed.n_regions)

            seconds, _ = run_times(load, repeat)
            rows.append((f"load Parquet, {label}", min(seconds),
                         f"{size / 1e6:.0f} MB on disk; first load in the process "
                         f"{seconds[0]:.3f} s"))
    return rows


def compare(fed: Federation, est: Establishments, firms: Firms,
            args: argparse.Namespace) -> None:
    """Time art. 288 three ways; the pandas frames are freed on return."""
    implementations: dict[str, Callable[[], Array]] = {
        "regionet attribute(art288)": lambda: attribute(est, firms, "art288"),
        "numpy floor (bincount, unsorted)": lambda: numpy_floor_art288(fed),
    }
    if not args.no_pandas:
        est_df = pd.DataFrame(fed.columns())
        firms_df = pd.DataFrame({"registered_region": fed.registered_region,
                                 "base": np.maximum(fed.profit, 0.0)})
        implementations["pandas groupby/merge"] = (
            lambda: pandas_art288(est_df, firms_df, fed.n_regions))
    timings, results, peaks = {}, {}, {}
    for name, fn in implementations.items():
        timings[name], results[name] = best_time(fn, args.repeat)
        peaks[name] = peak_extra_bytes(fn)
    reference = results["regionet attribute(art288)"]
    total = firms.base.sum()
    print(f"{'implementation':34} {'best s':>8} {'peak MB':>8} {'peak/input':>10} "
          f"{'vs pandas':>9} {'vs floor':>8}  agrees")
    for name in implementations:
        t = timings[name]
        vs_pandas = timings.get("pandas groupby/merge", float("nan")) / t
        vs_floor = timings["numpy floor (bincount, unsorted)"] / t
        agrees = np.allclose(results[name], reference, rtol=1e-9, atol=1e-12 * total)
        print(f"{name:34} {t:8.3f} {peaks[name] / 1e6:8.0f} "
              f"{peaks[name] / fed.input_bytes():10.2f} {vs_pandas:8.1f}x {vs_floor:7.1f}x"
              f"  {agrees}")
    conserved = abs(reference.sum() - total) <= 1e-9 * total
    print(f"money conserved (sum of regions == sum of positive profits): {conserved}")


def bench_size(n: int, args: argparse.Namespace) -> None:
    fed = synthetic(n, args.regions, args.seed)
    print(f"\n## {n:,} establishments, {fed.n_firms:,} firms, {fed.n_regions} regions; "
          f"input columns {fed.input_bytes() / 1e6:.0f} MB")
    build_s, (est, firms) = best_time(lambda: build(fed), 1)
    compare(fed, est, firms, args)
    print(f"{'other rules, regionet attribute':34} {'best s':>8}")
    for rule in RULES:
        if rule != "art288":
            t, _ = best_time(lambda rule=rule: attribute(est, firms, rule), args.repeat)
            print(f"  {rule:32} {t:8.3f}")
    print(f"{'loading':34} {'best s':>8}")
    print(f"  {'build Establishments (shuffled)':32} {build_s:8.3f}  validate + sort by firm")
    for label, seconds, note in parquet_rows(fed, est, args.repeat):
        print(f"  {label:32} {seconds:8.3f}  {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1e6, 1e7])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--regions", type=int, default=89)
    parser.add_argument("--seed", type=int, default=1999)
    parser.add_argument("--no-pandas", action="store_true", help="skip the pandas baseline")
    args = parser.parse_args()
    print(f"# {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"numpy {np.__version__}, pandas {pd.__version__}; best of {args.repeat}")
    for size in args.sizes:
        bench_size(int(size), args)


if __name__ == "__main__":
    main()
