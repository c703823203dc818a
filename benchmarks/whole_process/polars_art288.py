"""Art. 288 attribution in Polars (lazy): firm totals, joins, sums by region (whole process).

    python polars_art288.py ESTABLISHMENTS FIRMS      # .parquet or .csv; prints JSON
"""

import json
import sys

import polars as pl

TEXT = {"firm_id": pl.String, "region": pl.String, "registered_region": pl.String}


def scan(path: str) -> pl.LazyFrame:
    if path.endswith(".parquet"):
        return pl.scan_parquet(path)
    return pl.scan_csv(path, schema_overrides=TEXT)


def main() -> None:
    est = scan(sys.argv[1]).select("firm_id", "region", "headcount", "assets")
    firms = scan(sys.argv[2]).select(
        "firm_id", "registered_region", pl.col("profit").clip(lower_bound=0).alias("base"))
    totals = est.group_by("firm_id").agg(h=pl.col("headcount").sum(), a=pl.col("assets").sum())
    c = (firms.join(totals, on="firm_id", how="left")
         .with_columns(pl.col("h").fill_null(0.0), pl.col("a").fill_null(0.0))
         .with_columns(k=(pl.col("h") > 0).cast(pl.Int32) + (pl.col("a") > 0).cast(pl.Int32)))
    shares = (est.join(c.filter(pl.col("k") > 0), on="firm_id")
              .select("region", amount=pl.col("base") * (
                  pl.when(pl.col("h") > 0).then(pl.col("headcount") / pl.col("h")).otherwise(0.0)
                  + pl.when(pl.col("a") > 0).then(pl.col("assets") / pl.col("a")).otherwise(0.0))
                  / pl.col("k")))
    head = c.filter(pl.col("k") == 0).select(region="registered_region", amount="base")
    result = (pl.concat([shares, head]).group_by("region").agg(pl.col("amount").sum())
              .sort("region").collect())
    print(json.dumps(dict(zip(result["region"].to_list(), result["amount"].to_list(),
                              strict=True))))


if __name__ == "__main__":
    main()
