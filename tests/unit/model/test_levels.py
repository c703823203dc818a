"""Every classifier rule, with the memo's own examples (on a hand-built federation)."""

import pytest

from regionet.core.errors import UnknownActorError
from regionet.core.ids import ActorId
from regionet.model.actors import Actor, ActorKind
from regionet.model.levels import Federation, Level, Sublevel

K = ActorKind
ACTORS = [
    ("RU", K.CENTRE, "Russia", None),
    ("RU-KR", K.SUBJECT, "Karelia", "RU"),
    ("RU-MUR", K.SUBJECT, "Murmansk Oblast", "RU"),
    ("RU-KO", K.SUBJECT, "Komi", "RU"),
    ("RU-NIZ", K.SUBJECT, "Nizhny Novgorod Oblast", "RU"),
    ("RU-KDA", K.SUBJECT, "Krasnodar Krai", "RU"),
    ("RU-KGD", K.SUBJECT, "Kaliningrad Oblast", "RU"),
    ("RU-SAK", K.SUBJECT, "Sakhalin Oblast", "RU"),
    ("RU-SPE", K.SUBJECT, "St Petersburg", "RU"),
    ("RU-PRI", K.SUBJECT, "Primorsky Krai", "RU"),
    ("FI", K.STATE, "Finland", None),
    ("NO", K.STATE, "Norway", None),
    ("DE", K.STATE, "Germany", None),
    ("JP", K.STATE, "Japan", None),
    ("CN", K.STATE, "China", None),
    ("cn-dongbei", K.FOREIGN_REGION, "Northeast China", "CN"),
    ("nefco", K.FUND, "NEFCO", "nordic-council-of-ministers"),
    ("nordic-council-of-ministers", K.ORGANIZATION, "Nordic Council of Ministers", None),
    ("cbss", K.ORGANIZATION, "CBSS", None),
    ("assoc-northwest", K.ASSOCIATION, "Northwest Association", "RU"),
    ("ru-mfa", K.AGENCY, "Foreign Ministry", "RU"),
    ("pechenganikel", K.COMPANY, "Pechenganikel", "RU-MUR"),
]


@pytest.fixture(scope="module")
def fed() -> Federation:
    actors = {ActorId(i): Actor(ActorId(i), k, n, parent=ActorId(p) if p else None)
              for i, k, n, p in ACTORS}
    return Federation(
        ActorId("RU"), actors,
        land_borders={"RU-KR": {"FI"}, "RU-MUR": {"FI", "NO"}, "RU-PRI": {"CN", "KP"},
                      "RU-KGD": {"PL", "LT"}},
        sea_borders={"RU-SAK": {"JP"}},
        adjacency={frozenset({"RU-KR", "RU-MUR"}), frozenset({"RU-NIZ", "RU-KO"})},
    )


def test_bilateral_neighbours_memo_para_11(fed):
    c = fed.classify(["RU-KR", "RU-MUR"])
    assert (c.level, c.sublevel, c.neighbours) == (Level.BILATERAL, None, True)
    assert "share a border" in c.reason


@pytest.mark.parametrize("pair", [("RU-NIZ", "RU-KDA"), ("RU-KO", "RU-KR")])
def test_bilateral_non_neighbours_memo_para_11(fed, pair):
    c = fed.classify(pair)
    assert c.level is Level.BILATERAL and c.neighbours is False
    assert "no common border" in c.reason


def test_subnational_membership_memo_para_12(fed):
    c = fed.classify(["RU-SPE", "assoc-northwest"])
    assert c.level is Level.SUBNATIONAL and "assoc-northwest" in c.reason


def test_cross_border_land_neighbour_memo_para_13(fed):
    c = fed.classify(["RU-KR", "FI"])
    assert (c.level, c.sublevel) == (Level.INTERNATIONAL, Sublevel.CROSS_BORDER)
    assert c.reason == "RU-KR and FI: Finland borders Russia by land (and RU-KR itself)"


def test_cross_border_sea_neighbour_kuriles_memo_para_9(fed):
    c = fed.classify(["JP", "RU-SAK"])
    assert c.sublevel is Sublevel.CROSS_BORDER and "by sea" in c.reason


def test_cross_border_with_a_foreign_region_dongbei_memo_para_13(fed):
    c = fed.classify(["RU-PRI", "cn-dongbei"])
    assert c.sublevel is Sublevel.CROSS_BORDER
    assert "Northeast China is a region of China" in c.reason


def test_company_stands_for_its_region_pechenganikel_memo_para_14(fed):
    c = fed.classify(["NO", "pechenganikel"])
    assert c.sublevel is Sublevel.CROSS_BORDER and "RU-MUR itself" in c.reason


def test_non_neighbour_state_is_other_kaliningrad_germany_memo_para_9(fed):
    c = fed.classify(["RU-KGD", "DE"])
    assert (c.level, c.sublevel) == (Level.INTERNATIONAL, Sublevel.OTHER)
    assert "Germany does not border Russia" in c.reason


def test_trans_regional_with_a_fund_nefco_memo_para_16(fed):
    c = fed.classify(["nefco", "RU-SPE"])
    assert c.sublevel is Sublevel.TRANS_REGIONAL and "NEFCO" in c.reason


def test_trans_regional_takes_precedence_over_neighbour(fed):
    assert fed.classify(["cbss", "RU-KR", "FI"]).sublevel is Sublevel.TRANS_REGIONAL


def test_vertical_centre_with_members_memo_para_8(fed):
    c = fed.classify(["ru-mfa", "RU-KGD", "RU-KR", "RU-SPE"])
    assert c.level is Level.VERTICAL and "ru-mfa" in c.reason


def test_external_no_member_moscow_sweden_memo_para_14(fed):
    assert fed.classify(["RU", "NO"]).level is Level.EXTERNAL
    assert fed.classify(["nordic-council-of-ministers", "nefco"]).level is Level.EXTERNAL


def test_multimember_bilateral_reports_pairs(fed):
    c = fed.classify(["RU-KR", "RU-MUR", "RU-KO"])
    assert c.level is Level.BILATERAL and "1 of 3 pairs" in c.reason


def test_unknown_actor_suggests(fed):
    with pytest.raises(UnknownActorError, match="RU-KR"):
        fed.classify(["RU-KRR", "FI"])


def test_order_of_parties_does_not_change_level(fed):
    a = fed.classify(["FI", "RU-KR"])
    b = fed.classify(["RU-KR", "FI"])
    assert (a.level, a.sublevel) == (b.level, b.sublevel)
