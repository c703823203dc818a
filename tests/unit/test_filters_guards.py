"""Guards for the API's tie filters written from the mutants mutmut found alive.

Exact errors for an unknown actor and an unknown tie (message, field, value, expected and
the hint from the nearest ids), and the per-actor tie counts of the map under the kind, date
and status filters, counted by hand from the bundled ``ties.csv`` (docs/testing.md).
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

import regionet.cases
from regionet.core.errors import UnknownActorError, UnknownReferenceError
from regionet.model.case import TieFilter
from regionet.services import records
from regionet.services.case_source import CaseSource, reading
from regionet.storage import queries

CASE = Path(regionet.cases.__file__).parent / "russia_1990s"


def _ties() -> list[dict[str, str]]:
    with (CASE / "ties.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _hand_counts(keep) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Per actor, the ties it is a party to or hosts (once per tie), among those kept."""
    counts: Counter[str] = Counter()
    for t in _ties():
        if keep(t):
            counts.update({*t["actors"].split(";"), *([t["location"]] if t["location"] else [])})
    return dict(counts)


def _valid_on(day: str):  # type: ignore[no-untyped-def]
    return lambda t: ((not t["start"] or t["start"] <= day[:len(t["start"])])
                      and (not t["end"] or day[:len(t["end"])] <= t["end"]))


@pytest.mark.parametrize(("criteria", "keep"), [
    (TieFilter(kind="membership"), lambda t: t["kind"] == "membership"),
    (TieFilter(status="assumed"), lambda t: t["status"] == "assumed"),
    (TieFilter(as_of=date(1998, 6, 1)), _valid_on("1998-06-01")),
    (TieFilter(kind="agreement", as_of=date(1995, 1, 1), status="verified"),
     lambda t: t["kind"] == "agreement" and t["status"] == "verified"
     and _valid_on("1995-01-01")(t)),
])
def test_map_tie_counts_under_kind_date_and_status(criteria, keep):  # type: ignore[no-untyped-def]
    expected = _hand_counts(keep)
    assert 0 < sum(expected.values()) < sum(_hand_counts(lambda t: True).values())
    with reading(CaseSource.bundled()) as conn:
        assert queries.tie_counts(conn, criteria) == expected


def test_an_unknown_actor_filter_is_refused_exactly() -> None:
    with pytest.raises(UnknownActorError) as caught:
        records.list_ties(CaseSource.bundled(), TieFilter(actor="RU-KRR"))
    err = caught.value
    assert (err.message, err.field, err.value, err.expected, err.hint) == (
        "unknown actor", "actor", "RU-KRR", "an actor id defined in the case or workspace",
        "Did you mean RU-KR, RU-KRS, RU-KOR?")


def test_an_unknown_tie_is_refused_exactly() -> None:
    with pytest.raises(UnknownReferenceError) as caught:
        records.tie_detail(CaseSource.bundled(), "t-no-pechenganikel-pledg")
    err = caught.value
    assert (err.message, err.field, err.value, err.expected, err.hint) == (
        "unknown tie", "id", "t-no-pechenganikel-pledg", "a tie id of the case",
        "Did you mean t-no-pechenganikel-pledge?")
