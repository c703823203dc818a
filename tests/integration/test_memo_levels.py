"""Every example the memo gives of a level of cooperation, as tabled in docs/levels.md.

The table in the section "Every memo example" of ``docs/levels.md`` is the test data: each
row names a tie of the bundled case and the level and sublevel the memo's definitions give
it. The doc and the classifier therefore cannot drift apart.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

import regionet as rn
from regionet.model.case import Case

DOC = Path(__file__).resolve().parents[2] / "docs" / "levels.md"
ROW = re.compile(r"^\| *(\d+|ref\.) *\| *([^|]+?) *\| *`(t-[a-z0-9-]+)` *\| *([a-z-]+) *\| *"
                 r"([a-z-]*) *\|$")


@cache
def examples() -> list[tuple[str, str, str, str, str | None]]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Every memo example", 1)[1].split("\n## ", 1)[0]
    rows = [m.groups() for line in section.splitlines() if (m := ROW.match(line))]
    return [(para, what, tie, level, sub or None) for para, what, tie, level, sub in rows]


@pytest.fixture(scope="module")
def case() -> Case:
    return rn.load_case("russia-1990s")


def test_the_table_holds_every_example_the_issue_lists() -> None:
    rows = examples()
    assert len(rows) == 43
    assert len({tie for _, _, tie, _, _ in rows}) == len(rows)
    by_level: dict[str, int] = {}
    for _, _, _, level, sub in rows:
        key = f"{level}/{sub}" if sub else level
        by_level[key] = by_level.get(key, 0) + 1
    assert by_level == {"bilateral": 3, "subnational": 8, "international/cross-border": 14,
                        "international/non-adjacent": 2, "interstate": 3,
                        "international/trans-regional": 10, "vertical": 1, "federal": 1,
                        "external": 1}


@pytest.mark.parametrize(("para", "what", "tie", "level", "sublevel"), examples(),
                         ids=[f"para{r[0]}-{r[2]}" for r in examples()])
def test_memo_example_has_its_level(case: Case, para: str, what: str, tie: str, level: str,
                                   sublevel: str | None) -> None:
    c = case.classify(tie)
    assert (c.level.value, c.sublevel.value if c.sublevel else None) == (level, sublevel), (
        f"para {para}, {what}: {c.reason}")


def test_bilateral_examples_say_whether_they_are_neighbours(case: Case) -> None:
    assert case.classify("t-kr-mur-bilateral").neighbours is True
    assert case.classify("t-niz-kda-bilateral").neighbours is False
    assert case.classify("t-ko-kr-bilateral").neighbours is False


@pytest.mark.parametrize(("tie", "reason"), [
    ("t-fi-kr-cooperation", "FI and RU-KR: RU-KR borders FI by land"),
    ("t-kgd-de-cooperation", "RU-KGD and DE: RU-KGD does not border DE"),
    ("t-kr-vermont-agreement-1989",
     "RU-KR and US-VT: RU-KR does not border US (US-VT is a region of US)"),
    ("t-sak-jp-cross-border", "RU-SAK and JP: RU-SAK borders JP by sea"),
    ("t-kostomuksha-construction",
     "FI and RU, located in RU-KR (classified as if RU-KR took part): RU-KR borders FI by land"),
    ("t-no-pechenganikel-pledge",
     "NO and pechenganikel: RU-MUR (region of pechenganikel) borders NO by land"),
    ("t-rfe-dongbei-interdependence",
     "RU-PRI, RU-KHA, RU-AMU, RU-YEV and 1 more: RU-AMU, RU-KHA, RU-PRI, RU-YEV border CN by "
     "land (cn-dongbei is a region of CN)"),
    ("t-kr-member-euregio-karelia",
     "RU-KR and euregio-karelia: RU-KR borders FI by land (euregio-karelia is a cross-border "
     "structure)"),
    ("t-ru-member-cbss",
     "RU and cbss: the party is the federation itself (RU), with a multilateral party "
     "(Council of the Baltic Sea States (CBSS))"),
    ("t-ru-se-nuclear-environment",
     "RU and SE: the party is the federation itself (RU), with a foreign party (Sweden); no "
     "member of RU takes part"),
    ("t-mfa-creates-interregional-unit",
     "ru-mfa and ru-mfa-interregional-unit: within the federal centre (ru-mfa, "
     "ru-mfa-interregional-unit); no member or foreign party"),
    ("t-ncm-establishes-nefco",
     "nordic-council-of-ministers and nefco: no party is RU, one of its members, "
     "associations or agencies"),
])
def test_reasons_name_the_border_or_the_rule(case: Case, tie: str, reason: str) -> None:
    assert case.classify(tie).reason == reason


def test_barents_regional_council_seats_are_trans_regional(case: Case) -> None:
    seats = {t.actors[0]: t for t in case.ties.values()
             if t.kind == "membership" and t.actors[1:] == ("barents-regional-council",)}
    assert set(seats) == {"RU-MUR", "RU-ARK", "RU-KR", "RU-NEN", "RU-KO"}
    for tie in seats.values():
        c = case.classify(tie)
        assert (c.level.value, c.sublevel and c.sublevel.value) == ("international",
                                                                     "trans-regional")
    assert {m: str(t.validity.start) if t.validity.start else None
            for m, t in seats.items()} == {"RU-MUR": "1993-01-11", "RU-ARK": "1993-01-11",
                                           "RU-KR": "1993-04-01", "RU-NEN": None,
                                           "RU-KO": "2002-01-01"}
    # a source gives each seat; where it does not give the date, the status says so
    assert {m: t.status.value for m, t in seats.items()} == {
        "RU-MUR": "partial", "RU-ARK": "partial", "RU-KR": "verified", "RU-NEN": "partial",
        "RU-KO": "assumed"}


def test_external_is_kept_for_ties_without_any_party_of_the_federation(case: Case) -> None:
    fed = case.federation_model
    for tie in case.ties.values():
        c = case.classify(tie)
        russian = [a for a in tie.actors if fed.side(a)[0] in ("member", "centre", "association")]
        located = tie.location is not None and fed.side(tie.location)[0] == "member"
        assert (c.level.value == "external") == (not russian and not located), tie.id


def test_readme_counts_ties_by_level_as_the_classifier_does(case: Case) -> None:
    readme = (DOC.parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### The levels of cooperation", 1)[1].split("\n## ", 1)[0]
    table = re.findall(r"^\| ([a-z-]+) \| *([a-z-]*) *\| (\d+) \|$", section, flags=re.M)
    counts = {f"ties.{lv}" + (f".{sub}" if sub else ""): int(n) for lv, sub, n in table}
    summary = {k: v for k, v in case.summary().items() if k.startswith("ties.")}
    assert counts == summary
    assert f"The bundled case's {case.summary()['ties']} ties" in section
