"""A hand-built case small enough to compute every measure by hand.

Members RU-KR, RU-MUR, RU-SPE, RU-LEN (from 1991) and RU-KO (from 1995) of assoc-nw;
Karelia and Murmansk border Finland (and Murmansk Norway) by land.

| tie | kind | actors | dates | money |
|---|---|---|---|---|
| t-mem-* | membership | member → assoc-nw | 1991– (KO 1995–) | |
| t-kr-mur | cooperation | KR, MUR | 1993–1999 | |
| t-spe-len | cooperation | SPE, LEN | undated | |
| t-spe-kr | agreement | SPE, KR | 1996– | |
| t-fi-kr | cooperation | FI, KR | undated | |
| t-fi-kr-trade | trade | FI, KR | 1998 | USD 1000 (1998): no rate |
| t-no-mur | pledge | NO → MUR | undated | NOK 810.81… (1998) = ECU 100 |
| t-nefco-spe | loan | nefco → SPE | 1999 | EUR 50 (1999): no ECU after 1998 |
| t-tri | cooperation | KR, MUR, SPE | 2000 | |
| t-vert | agreement | RU, KR | undated | |
"""

from __future__ import annotations

import pytest

from regionet.core.ids import ActorId, DocumentId, ObservationId, TieId
from regionet.core.money import Money, Rate, RatesTable
from regionet.core.periods import Interval
from regionet.model.actors import Actor, ActorKind
from regionet.model.case import Case
from regionet.model.observations import Observation
from regionet.model.sources import Document, SourceRef
from regionet.model.ties import Tie
from regionet.model.vocab import TieKind, Vocabulary

K = ActorKind
MEMO = (SourceRef(DocumentId("memo"), "para 12"),)
MEMBERS = ("RU-KR", "RU-MUR", "RU-SPE", "RU-LEN", "RU-KO")


def _actor(i: str, kind: ActorKind, name: str, parent: str | None = None,
           **attributes: str) -> Actor:
    return Actor(ActorId(i), kind, name, parent=ActorId(parent) if parent else None,
                 attributes=attributes)


def _tie(i: str, kind: str, *actors: str, start: str | None = None, end: str | None = None,
         amount: Money | None = None) -> Tie:
    return Tie(TieId(i), kind, tuple(ActorId(a) for a in actors),
               validity=Interval.parse(start, end), amount=amount, sources=MEMO)


def build_case() -> Case:
    actors = [
        _actor("RU", K.CENTRE, "Russia"),
        _actor("RU-KR", K.SUBJECT, "Karelia", "RU", land_border_states="FI"),
        _actor("RU-MUR", K.SUBJECT, "Murmansk", "RU", land_border_states="FI;NO"),
        _actor("RU-SPE", K.SUBJECT, "St Petersburg", "RU"),
        _actor("RU-LEN", K.SUBJECT, "Leningrad Oblast", "RU"),
        _actor("RU-KO", K.SUBJECT, "Komi", "RU"),
        _actor("assoc-nw", K.ASSOCIATION, "Northwest", "RU"),
        _actor("FI", K.STATE, "Finland"),
        _actor("NO", K.STATE, "Norway"),
        _actor("nefco", K.FUND, "NEFCO"),
    ]
    kinds = {name: TieKind(name, name, directed, name) for name, directed in [
        ("membership", True), ("cooperation", False), ("agreement", False),
        ("trade", False), ("pledge", True), ("loan", True)]}
    ties = [_tie(f"t-mem-{m[3:].lower()}", "membership", m, "assoc-nw",
                 start="1995" if m == "RU-KO" else "1991") for m in MEMBERS]
    ties += [
        _tie("t-kr-mur", "cooperation", "RU-KR", "RU-MUR", start="1993", end="1999"),
        _tie("t-spe-len", "cooperation", "RU-SPE", "RU-LEN"),
        _tie("t-spe-kr", "agreement", "RU-SPE", "RU-KR", start="1996"),
        _tie("t-fi-kr", "cooperation", "FI", "RU-KR"),
        _tie("t-fi-kr-trade", "trade", "FI", "RU-KR", start="1998", end="1998",
             amount=Money(1000.0, "USD", 1998)),
        _tie("t-no-mur", "pledge", "NO", "RU-MUR", amount=Money(100 * 300 / 37, "NOK", 1998)),
        _tie("t-nefco-spe", "loan", "nefco", "RU-SPE", start="1999", end="1999",
             amount=Money(50.0, "EUR", 1999)),
        _tie("t-tri", "cooperation", "RU-KR", "RU-MUR", "RU-SPE", start="2000", end="2000"),
        _tie("t-vert", "agreement", "RU", "RU-KR"),
    ]
    claim = Observation(ObservationId("o-claim"), "bloc_dominance", ActorId("assoc-nw"),
                        value_text="RU-SPE", sources=MEMO)
    return Case(
        id="hand", title="Hand-built", federation=ActorId("RU"),
        documents={DocumentId("memo"): Document(DocumentId("memo"), "The memo")},
        vocab=Vocabulary(kinds, {}),
        actors={a.id: a for a in actors}, ties={t.id: t for t in ties},
        observations={claim.id: claim},
        rates=RatesTable([Rate("ECU", "NOK", 1998, 300 / 37, "memo", "para 14", "verified")]),
        adjacency={frozenset({"RU-KR", "RU-MUR"}), frozenset({"RU-SPE", "RU-LEN"})},
    )


@pytest.fixture
def hand() -> Case:
    return build_case()


@pytest.fixture(scope="session")
def bundled() -> Case:
    from regionet.io.casefiles import load_case

    return load_case("russia-1990s")
