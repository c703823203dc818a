"""Art. 288 attribution in pandas: groupby-transform, merge, groupby (whole process).

    python pandas_art288.py ESTABLISHMENTS FIRMS      # .parquet or .csv; prints JSON
"""

import json
import sys

import numpy as np
import pandas as pd

TEXT = {"firm_id": str, "region": str, "registered_region": str}


def read(path: str, columns: list[str]) -> pd.DataFrame:
    if path.endswith(".parquet"):
        return pd.read_parquet(path, columns=columns)
    return pd.read_csv(path, usecols=columns, dtype=TEXT)


def main() -> None:
    est = read(sys.argv[1], ["firm_id", "region", "headcount", "assets"])
    firms = read(sys.argv[2], ["firm_id", "registered_region", "profit"])
    firms["base"] = firms["profit"].clip(lower=0)
    by_firm = est.groupby("firm_id")
    est["h"] = by_firm["headcount"].transform("sum")
    est["a"] = by_firm["assets"].transform("sum")
    df = est.merge(firms[["firm_id", "base"]], on="firm_id")
    k = (df["h"] > 0).astype(float) + (df["a"] > 0)
    share = (np.where(df["h"] > 0, df["headcount"] / df["h"].where(df["h"] > 0, 1), 0.0)
             + np.where(df["a"] > 0, df["assets"] / df["a"].where(df["a"] > 0, 1), 0.0))
    df["amount"] = df["base"] * np.divide(share, k, out=np.zeros(len(df)), where=k > 0)
    result = df.groupby("region")["amount"].sum()
    totals = est.groupby("firm_id")[["headcount", "assets"]].sum()
    firm_totals = totals.reindex(firms["firm_id"]).fillna(0.0).to_numpy()
    at_head = (firm_totals[:, 0] <= 0) & (firm_totals[:, 1] <= 0)
    head = firms.loc[at_head].groupby("registered_region")["base"].sum()
    result = result.add(head, fill_value=0.0).sort_index()
    print(json.dumps({str(k): float(v) for k, v in result.items()}))


if __name__ == "__main__":
    main()
