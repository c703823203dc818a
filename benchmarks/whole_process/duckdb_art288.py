"""Art. 288 attribution in DuckDB SQL: firm totals, joins, sums by region (whole process).

    python duckdb_art288.py ESTABLISHMENTS FIRMS      # .parquet or .csv; prints JSON
"""

import json
import sys

import duckdb

SQL = """
WITH e AS (SELECT firm_id, region, headcount, assets FROM {est}),
f AS (SELECT firm_id, registered_region, greatest(profit, 0) AS base FROM {firms}),
t AS (SELECT firm_id, sum(headcount) AS h, sum(assets) AS a FROM e GROUP BY firm_id),
c AS (SELECT f.firm_id, f.registered_region, f.base, coalesce(t.h, 0) AS h,
             coalesce(t.a, 0) AS a,
             (coalesce(t.h, 0) > 0)::INT + (coalesce(t.a, 0) > 0)::INT AS k
      FROM f LEFT JOIN t USING (firm_id)),
x AS (SELECT e.region, c.base * ((CASE WHEN c.h > 0 THEN e.headcount / c.h ELSE 0 END)
                                 + (CASE WHEN c.a > 0 THEN e.assets / c.a ELSE 0 END)) / c.k
             AS amount
      FROM e JOIN c USING (firm_id) WHERE c.k > 0
      UNION ALL SELECT registered_region, base FROM c WHERE k = 0)
SELECT region, sum(amount) AS attributed FROM x GROUP BY region ORDER BY region
"""


def source(path: str, types: str) -> str:
    if path.endswith(".parquet"):
        return f"read_parquet('{path}')"
    return f"read_csv('{path}', header = true, columns = {{{types}}})"


def main() -> None:
    est, firms = sys.argv[1], sys.argv[2]
    query = SQL.format(
        est=source(est, "'firm_id': 'VARCHAR', 'region': 'VARCHAR', 'headcount': 'DOUBLE', "
                        "'payroll': 'DOUBLE', 'assets': 'DOUBLE', 'sales': 'DOUBLE'"),
        firms=source(firms, "'firm_id': 'VARCHAR', 'registered_region': 'VARCHAR', "
                            "'profit': 'DOUBLE'"))
    rows = duckdb.sql(query).fetchall()
    print(json.dumps({region: value for region, value in rows}))


if __name__ == "__main__":
    main()
