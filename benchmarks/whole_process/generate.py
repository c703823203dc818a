"""Seeded establishments and firms files for the whole-process benchmark (Parquet and CSV).

The files look like a registry extract a user is given: rows in no particular order, region
ids as text (the case's subject ids, e.g. ``RU-MOW``), firm ids that are 10-digit registry
numbers kept as text (not ``0..F-1``), heavy-tailed firm sizes and the zero factors that
exercise the attribution fallbacks (offices without staff, leased premises, dormant firms,
losses).

    python benchmarks/whole_process/generate.py --rows 5e6 --out /tmp/regionet-bench
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

Array = np.ndarray[Any, Any]
SUBJECTS = Path(__file__).resolve().parents[2] / "src/regionet/cases/russia_1990s/subjects.csv"


def region_ids() -> list[str]:
    """The 89 subject ids of the bundled case, capital first (it plays the busiest region)."""
    with SUBJECTS.open(encoding="utf-8", newline="") as handle:
        ids = [row["id"] for row in csv.DictReader(handle)]
    ids.remove("RU-MOW")
    return ["RU-MOW", *ids]


def tables(rows: int, seed: int) -> tuple[pa.Table, pa.Table]:
    """Return (establishments, firms) with ``rows`` establishments of ``rows // 3`` firms."""
    rng = np.random.default_rng(seed)
    regions = region_ids()
    n_regions, n_firms = len(regions), max(rows // 3, 1)
    popularity = 1.0 / np.arange(1, n_regions + 1) ** 0.9
    popularity /= popularity.sum()
    # every firm has one establishment; the rest go to firms by a heavy-tailed popularity
    weight = 1.0 / np.arange(1, n_firms + 1) ** 0.8
    extra = rng.choice(n_firms, size=rows - n_firms, p=weight / weight.sum())
    firm = np.concatenate([np.arange(n_firms), extra])
    registered = rng.choice(n_regions, size=n_firms, p=popularity)
    registered[rng.random(n_firms) < 0.25] = 0  # head offices crowd into the capital
    region = rng.choice(n_regions, size=rows, p=popularity)
    at_home = rng.random(rows) < 0.3
    region[at_home] = registered[firm[at_home]]
    headcount = np.round(rng.lognormal(2.0, 1.2, rows))  # ~1 % zeros: offices without staff
    payroll = headcount * rng.lognormal(0.0, 0.3, n_regions)[region] * rng.lognormal(0, .2, rows)
    assets = rng.lognormal(10.0, 2.0, rows)
    assets[rng.random(rows) < 0.08] = 0.0  # leased premises
    assets[(rng.random(n_firms) < 0.02)[firm]] = 0.0  # firms without depreciable property
    dormant = (rng.random(n_firms) < 0.005)[firm]  # every factor zero: head office keeps it
    headcount[dormant], payroll[dormant], assets[dormant] = 0.0, 0.0, 0.0
    sales = rng.lognormal(11.0, 2.0, rows)
    sales[rng.random(rows) < 0.1] = 0.0
    profit = rng.lognormal(12.0, 2.5, n_firms)
    profit[rng.random(n_firms) < 0.2] *= -1.0  # losses attribute nothing
    numbers = rng.choice(9_000_000_000, size=n_firms, replace=False) + 1_000_000_000
    firm_ids = pa.array(np.char.mod("%010d", numbers).astype(object), pa.string())
    names = pa.array(regions, pa.string())
    order = rng.permutation(rows)
    firm_order = rng.permutation(n_firms)
    establishments = pa.table({
        "firm_id": firm_ids.take(pa.array(firm[order])),
        "region": names.take(pa.array(region[order])),
        "headcount": headcount[order], "payroll": payroll[order], "assets": assets[order],
        "sales": sales[order]})
    firms = pa.table({"firm_id": firm_ids.take(pa.array(firm_order)),
                      "registered_region": names.take(pa.array(registered[firm_order])),
                      "profit": profit[firm_order]})
    return establishments, firms


def write(rows: int, seed: int, out: Path) -> dict[str, str]:
    """Write the four files under ``out/<rows>-<seed>/`` unless there already; return paths."""
    folder = out / f"{rows}-{seed}"
    paths = {f"{name}_{fmt}": str(folder / f"{name}.{fmt}")
             for name in ("establishments", "firms") for fmt in ("parquet", "csv")}
    done = folder / "manifest.json"
    if done.is_file() and json.loads(done.read_text()) == paths:
        return paths
    folder.mkdir(parents=True, exist_ok=True)
    establishments, firms = tables(rows, seed)
    for name, table in (("establishments", establishments), ("firms", firms)):
        pq.write_table(table, paths[f"{name}_parquet"])  # pyarrow defaults: snappy, 1Mi rows
        pacsv.write_csv(table, paths[f"{name}_csv"])
    done.write_text(json.dumps(paths))
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=float, default=5e6)
    parser.add_argument("--nodes", type=int, help="write an edge list of this many nodes")
    parser.add_argument("--edges", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=1999)
    parser.add_argument("--out", type=Path, default=Path("/tmp/regionet-bench"))
    args = parser.parse_args()
    if args.nodes:
        print(json.dumps(write_edges(args.nodes, args.edges, args.seed, args.out)))
    else:
        print(json.dumps(write(int(args.rows), args.seed, args.out), indent=2))



def edge_table(nodes: int, edges: int, seed: int) -> pa.Table:
    """A seeded Chung-Lu graph (heavy-tailed degrees) with text node ids and weights."""
    rng = np.random.default_rng(seed)
    weight = rng.pareto(2.5, nodes) + 1.0
    p = weight / weight.sum()
    pairs: set[tuple[int, int]] = set()
    src_all, dst_all = [], []
    while len(pairs) < edges:
        want = int((edges - len(pairs)) * 1.2) + 16
        a, b = rng.choice(nodes, want, p=p), rng.choice(nodes, want, p=p)
        for u, v in zip(a.tolist(), b.tolist(), strict=True):
            key = (u, v) if u < v else (v, u)
            if u != v and key not in pairs:
                pairs.add(key)
                src_all.append(u)
                dst_all.append(v)
                if len(pairs) == edges:
                    break
    ids = pa.array([f"n{i:06d}x" for i in rng.permutation(nodes)], pa.string())
    return pa.table({"source": ids.take(pa.array(src_all)), "target": ids.take(pa.array(dst_all)),
                     "weight": rng.uniform(0.1, 1.0, edges)})


def write_edges(nodes: int, edges: int, seed: int, out: Path) -> dict[str, str]:
    """Write ``edges.parquet`` and ``edges.csv`` under ``out/edges-<nodes>-<edges>-<seed>/``."""
    folder = out / f"edges-{nodes}-{edges}-{seed}"
    paths = {fmt: str(folder / f"edges.{fmt}") for fmt in ("parquet", "csv")}
    done = folder / "manifest.json"
    if done.is_file() and json.loads(done.read_text()) == paths:
        return paths
    folder.mkdir(parents=True, exist_ok=True)
    table = edge_table(nodes, edges, seed)
    pq.write_table(table, paths["parquet"])
    pacsv.write_csv(table, paths["csv"])
    done.write_text(json.dumps(paths))
    return paths


if __name__ == "__main__":
    main()
