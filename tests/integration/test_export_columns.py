"""Exported files against their documentation: headers in the documented order, known rows.

The documented columns are parsed from docs/data.md (and docs/geodata.md for the capitals
file), so the documentation and the exporter cannot drift apart silently. The rows of
``ties_classified.csv`` are compared as raw CSV lines, so a column written under the wrong
header (e.g. level and sublevel swapped) fails as well as a wrong value.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from regionet.io.casefiles import load_case
from regionet.io.exports import export_case

DOCS = Path(__file__).resolve().parents[2] / "docs"
TICKED = re.compile(r"`([^`]+)`")


def cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def table_rows(text: str) -> list[list[str]]:
    """The body rows of the first Markdown table in ``text`` (header and rule skipped)."""
    lines = [ln for ln in text.splitlines() if ln.startswith("|")]
    first = text.splitlines().index(lines[0])
    block = []
    for line in text.splitlines()[first:]:
        if not line.startswith("|"):
            break
        block.append(cells(line))
    return block[2:]


def documented_csv_columns() -> dict[str, list[str]]:
    """File path in an exported case folder -> its columns, in the documented order."""
    text = (DOCS / "data.md").read_text(encoding="utf-8")
    layout = text.split("## Case folder", 1)[1].split("```")[1]
    paths = {Path(p).stem: p for p in re.findall(r"[\w/]+\.csv", layout)}
    section = text.split("## Tables (case files and import files)", 1)[1].split("\n## ", 1)[0]
    columns: dict[str, list[str]] = {}
    for block in section.split("\n### ")[1:]:
        heading, body = block.split("\n", 1)
        header = cells(next(ln for ln in body.splitlines() if ln.startswith("|")))
        table = heading.split()[0]
        for row in table_rows(body):
            if header[0] == "table":  # one table documents several vocabularies
                table = row[0] or table
                names = TICKED.findall(row[1])
            else:
                names = TICKED.findall(row[0])
            columns.setdefault(paths[table], []).extend(names)
    exports = text.split("### csv", 1)[1].split("\n### ", 1)[0]
    adjacency = re.search(r"`(geo/adjacency_1999\.csv)`\s+\(([^)]*)\)", exports)
    assert adjacency is not None, "docs/data.md no longer documents geo/adjacency_1999.csv"
    columns[adjacency.group(1)] = TICKED.findall(adjacency.group(2))
    classified = exports.split("`ties_classified.csv`", 1)[1]
    columns["ties_classified.csv"] = [n for row in table_rows(classified)
                                      for n in TICKED.findall(row[0])]
    geodata = (DOCS / "geodata.md").read_text(encoding="utf-8")
    capitals = re.search(r"\| `capitals_1999\.csv` \| `([^`]+)`", geodata)
    assert capitals is not None, "docs/geodata.md no longer documents capitals_1999.csv"
    columns["geo/capitals_1999.csv"] = capitals.group(1).split(",")
    return columns


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "csv"
    export_case(load_case("russia-1990s"), "csv", out)
    return out


def test_the_documentation_parses_into_every_table() -> None:
    columns = documented_csv_columns()
    assert set(columns) == {
        "documents.csv", "vocab/tie_kinds.csv", "vocab/domains.csv", "vocab/indicators.csv",
        "actors.csv", "subjects.csv", "actor_attributes.csv", "ties.csv", "observations.csv",
        "rates.csv", "geo/adjacency_1999.csv", "geo/capitals_1999.csv", "ties_classified.csv"}
    assert columns["ties_classified.csv"] == ["id", "kind", "actors", "start", "end", "level",
                                              "sublevel", "reason", "neighbours"]
    assert columns["vocab/tie_kinds.csv"] == ["kind", "group", "directed", "definition",
                                              "plover", "cameo"]


def test_every_exported_csv_has_the_documented_header(exported: Path) -> None:
    documented = documented_csv_columns()
    files = {p.relative_to(exported).as_posix() for p in exported.rglob("*.csv")}
    assert files == set(documented), "exported CSV files and documented files differ"
    for name, columns in documented.items():
        header = (exported / name).read_text(encoding="utf-8").splitlines()[0]
        assert header.split(",") == columns, name


#: Raw lines of ties_classified.csv for ties whose level is known from the memo's definitions
#: and the borders in subjects.csv / adjacency_1999.csv: Karelia borders Murmansk and
#: Finland; Komi and Karelia, Nizhny Novgorod and Krasnodar share no border.
KNOWN_ROWS = [
    "t-kr-mur-bilateral,cooperation,RU-KR;RU-MUR,,,bilateral,,"
    "RU-KR and RU-MUR: members of RU that share a border,true",
    "t-ko-kr-bilateral,cooperation,RU-KO;RU-KR,,,bilateral,,"
    "RU-KO and RU-KR: members of RU with no common border,false",
    "t-niz-kda-bilateral,cooperation,RU-NIZ;RU-KDA,,,bilateral,,"
    "RU-NIZ and RU-KDA: members of RU with no common border,false",
    # Cross-border is decided at the member's own border (issue 9, memo para 13).
    "t-fi-kr-cooperation,cooperation,FI;RU-KR,,,international,cross-border,"
    "FI and RU-KR: RU-KR borders FI by land,",
    "t-kgd-de-cooperation,cooperation,RU-KGD;DE,,,international,non-adjacent,"
    "RU-KGD and DE: RU-KGD does not border DE,",
    "t-lobby-resource-tax-khm,lobbying,RU-KHM;state-duma;federation-council,,,vertical,,"
    '"RU-KHM and state-duma and federation-council: the centre (federation-council, '
    'state-duma) with members",',
    "t-mem-central-russia-bry,membership,RU-BRY;assoc-central-russia,1990-12-15,2001-06-08,"
    "subnational,,RU-BRY and assoc-central-russia: through the association "
    "assoc-central-russia of members of RU,",
    # The federation's own dealings with a foreign state: interstate (issue 9, memo para 14).
    "t-ru-jp-territorial-dialogue,negotiation,RU;JP,,,interstate,,"
    '"RU and JP: the party is the federation itself (RU), with a foreign party (Japan); '
    'no member of RU takes part",',
]


def test_ties_classified_known_rows(exported: Path) -> None:
    lines = (exported / "ties_classified.csv").read_text(encoding="utf-8").splitlines()
    by_id = {line.split(",", 1)[0]: line for line in lines[1:]}
    for row in KNOWN_ROWS:
        assert by_id[row.split(",", 1)[0]] == row
    with (exported / "ties.csv").open(encoding="utf-8", newline="") as fh:
        ties = list(csv.DictReader(fh))
    assert len(lines) - 1 == len(ties) == 161
    assert list(by_id) == [t["id"] for t in ties]  # one row per tie, in the case's order


def test_json_ties_and_actors_carry_the_documented_fields(tmp_path: Path) -> None:
    """JSON tables have the CSV columns except the differences docs/data.md lists."""
    export_case(load_case("russia-1990s"), "json", tmp_path)
    documented = documented_csv_columns()
    ties = json.loads((tmp_path / "ties.json").read_text(encoding="utf-8"))
    # money is one object {value, currency, year}; ties add the classification
    assert set(ties[0]) == (set(documented["ties.csv"]) - {"currency", "amount_year"}) | {
        "level", "sublevel", "reason", "neighbours"}
    actors = json.loads((tmp_path / "actors.json").read_text(encoding="utf-8"))
    assert set(actors[0]) == set(documented["actors.csv"]) | {"attributes"}
    observations = json.loads((tmp_path / "observations.json").read_text(encoding="utf-8"))
    assert set(observations[0]) == set(documented["observations.csv"])
