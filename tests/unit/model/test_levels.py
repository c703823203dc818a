"""Every classifier rule, on a hand-built federation: memo examples and mixed-party ties.

The mixed-party tables give the exact level, sublevel and reason of ties whose parties mix
members, associations, the centre, foreign states and regions, cross-border structures and
multilateral bodies: the cases in which rule order, "every" versus "any" and "all pairs"
versus "one pair" make a difference.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regionet.core.errors import UnknownActorError
from regionet.core.ids import ActorId
from regionet.core.periods import Interval
from regionet.model.actors import Actor, ActorKind
from regionet.model.levels import Federation, Level, Sublevel

K = ActorKind
ACTORS = [
    ("RU", K.CENTRE, "Russia", None),
    ("RU-KR", K.SUBJECT, "Karelia", "RU"),
    ("RU-MUR", K.SUBJECT, "Murmansk Oblast", "RU"),
    ("RU-KO", K.SUBJECT, "Komi", "RU"),
    ("RU-KOP", K.SUBJECT, "Komi-Permyak AO", "RU"),
    ("RU-NIZ", K.SUBJECT, "Nizhny Novgorod Oblast", "RU"),
    ("RU-KDA", K.SUBJECT, "Krasnodar Krai", "RU"),
    ("RU-KGD", K.SUBJECT, "Kaliningrad Oblast", "RU"),
    ("RU-SAK", K.SUBJECT, "Sakhalin Oblast", "RU"),
    ("RU-SPE", K.SUBJECT, "St Petersburg", "RU"),
    ("RU-LEN", K.SUBJECT, "Leningrad Oblast", "RU"),
    ("RU-NGR", K.SUBJECT, "Novgorod Oblast", "RU"),
    ("RU-PSK", K.SUBJECT, "Pskov Oblast", "RU"),
    ("RU-PRI", K.SUBJECT, "Primorsky Krai", "RU"),
    ("RU-CHU", K.SUBJECT, "Chukotka", "RU"),
    ("FI", K.STATE, "Finland", None),
    ("NO", K.STATE, "Norway", None),
    ("SE", K.STATE, "Sweden", None),
    ("DE", K.STATE, "Germany", None),
    ("PL", K.STATE, "Poland", None),
    ("JP", K.STATE, "Japan", None),
    ("CN", K.STATE, "China", None),
    ("US", K.STATE, "United States", None),
    ("cn-dongbei", K.FOREIGN_REGION, "Northeast China", "CN"),
    ("US-VT", K.FOREIGN_REGION, "Vermont", "US"),
    ("nefco", K.FUND, "NEFCO", "nordic-council-of-ministers"),
    ("nordic-council-of-ministers", K.ORGANIZATION, "Nordic Council of Ministers", None),
    ("cbss", K.ORGANIZATION, "CBSS", None),
    ("eu", K.ORGANIZATION, "European Union", None),
    ("euregio", K.ORGANIZATION, "Euregio Karelia", None),
    ("assoc-northwest", K.ASSOCIATION, "Northwest Association", "RU"),
    ("assoc-far-east", K.ASSOCIATION, "Far East Association", "RU"),
    ("ru-mfa", K.AGENCY, "Foreign Ministry", "RU"),
    ("pechenganikel", K.COMPANY, "Pechenganikel", "RU-MUR"),
    ("state-firm", K.COMPANY, "A federal company", "RU"),
]
MEMBERS_OF = {
    "assoc-northwest": [("RU-KR", "1991", "1995"), ("RU-KGD", "1991", None),
                        ("RU-SPE", "1991", None)],
    "assoc-far-east": [("RU-PRI", "1990", None), ("RU-SAK", "1998", None)],
}


def federation() -> Federation:
    actors = {ActorId(i): Actor(ActorId(i), k, n, parent=ActorId(p) if p else None,
                                attributes={"cross_border_states": "FI"} if i == "euregio"
                                else {})
              for i, k, n, p in ACTORS}
    pairs = [("RU-KR", "RU-MUR"), ("RU-KR", "RU-LEN"), ("RU-LEN", "RU-SPE"),
             ("RU-LEN", "RU-NGR"), ("RU-LEN", "RU-PSK"), ("RU-NGR", "RU-PSK"),
             ("RU-KO", "RU-KOP")]
    return Federation(
        ActorId("RU"), actors,
        land_borders={"RU-KR": {"FI"}, "RU-MUR": {"FI", "NO"}, "RU-PRI": {"CN", "KP"},
                      "RU-KGD": {"PL", "LT"}, "RU-LEN": {"FI", "EE"}},
        sea_borders={"RU-SAK": {"JP"}, "RU-MUR": {"NO"}, "RU-CHU": {"US"}},
        adjacency={frozenset(p) for p in pairs},
        approximate_adjacency={frozenset({"RU-KO", "RU-KOP"})},
        association_members={a: [(m, Interval.parse(s, e)) for m, s, e in ms]
                             for a, ms in MEMBERS_OF.items()},
    )


@pytest.fixture(scope="module")
def fed() -> Federation:
    return federation()


# -- the memo's own examples ----------------------------------------------------------------


def test_bilateral_neighbours_memo_para_11(fed):
    c = fed.classify(["RU-KR", "RU-MUR"])
    assert (c.level, c.sublevel, c.neighbours) == (Level.BILATERAL, None, True)
    assert c.reason == "RU-KR and RU-MUR: members of RU that share a border"


@pytest.mark.parametrize("pair", [("RU-NIZ", "RU-KDA"), ("RU-KO", "RU-KR")])
def test_bilateral_non_neighbours_memo_para_11(fed, pair):
    c = fed.classify(pair)
    assert (c.level, c.neighbours) == (Level.BILATERAL, False)
    assert c.reason == f"{pair[0]} and {pair[1]}: members of RU with no common border"


def test_subnational_membership_memo_para_12(fed):
    c = fed.classify(["RU-SPE", "assoc-northwest"])
    assert (c.level, c.sublevel) == (Level.SUBNATIONAL, None)
    assert c.reason == ("RU-SPE and assoc-northwest: through the association assoc-northwest "
                        "of members of RU")


def test_unknown_actor_suggests(fed):
    with pytest.raises(UnknownActorError, match="RU-KR"):
        fed.classify(["RU-KRR", "FI"])
    with pytest.raises(UnknownActorError, match="RU-KR"):
        fed.classify(["RU", "FI"], location="RU-KRR")


# -- mixed parties: exact level, sublevel and reason -----------------------------------------

INT, CB, TR, NA = Level.INTERNATIONAL, Sublevel.CROSS_BORDER, Sublevel.TRANS_REGIONAL, \
    Sublevel.NON_ADJACENT
MIXED = [
    # member + foreign + multilateral: the multilateral party decides
    (["RU-KR", "FI", "cbss"], None, None, INT, TR,
     "RU-KR and FI and cbss: multilateral party (CBSS)"),
    (["RU-KGD", "DE", "nefco"], None, None, INT, TR,
     "RU-KGD and DE and nefco: multilateral party (NEFCO)"),
    # a member and a state it borders, by land, by sea, by both
    (["RU-KR", "FI"], None, None, INT, CB, "RU-KR and FI: RU-KR borders FI by land"),
    (["JP", "RU-SAK"], None, None, INT, CB, "JP and RU-SAK: RU-SAK borders JP by sea"),
    (["RU-MUR", "NO"], None, None, INT, CB, "RU-MUR and NO: RU-MUR borders NO by land and sea"),
    # the member's own border decides, not the federation's
    (["RU-NIZ", "CN"], None, None, INT, NA, "RU-NIZ and CN: RU-NIZ does not border CN"),
    (["RU-KR", "cn-dongbei"], None, None, INT, NA,
     "RU-KR and cn-dongbei: RU-KR does not border CN (cn-dongbei is a region of CN)"),
    (["RU-KR", "US-VT"], None, None, INT, NA,
     "RU-KR and US-VT: RU-KR does not border US (US-VT is a region of US)"),
    (["RU-PRI", "cn-dongbei"], None, None, INT, CB,
     "RU-PRI and cn-dongbei: RU-PRI borders CN by land (cn-dongbei is a region of CN)"),
    # several members, several foreign parties: every foreign party needs a bordering member
    (["RU-KR", "RU-KGD", "FI", "PL"], None, None, INT, CB,
     "RU-KR and RU-KGD and FI and PL: RU-KR borders FI by land; RU-KGD borders PL by land"),
    (["RU-KR", "RU-KGD", "FI", "DE"], None, None, INT, NA,
     "RU-KR and RU-KGD and FI and DE: RU-KGD, RU-KR do not border DE; RU-KR borders FI by land"),
    (["RU-KGD", "PL", "DE"], None, None, INT, NA,
     "RU-KGD and PL and DE: RU-KGD does not border DE; RU-KGD borders PL by land"),
    (["RU-KR", "RU-MUR", "RU-NIZ", "FI"], None, None, INT, CB,
     "RU-KR and RU-MUR and RU-NIZ and FI: RU-KR, RU-MUR border FI by land"),
    # an association counts through its members at the tie's date
    (["assoc-northwest", "FI"], None, Interval.parse("1993", "1993"), INT, CB,
     "assoc-northwest and FI: RU-KR (member of assoc-northwest) borders FI by land"),
    (["assoc-northwest", "FI"], None, Interval.parse("1999", None), INT, NA,
     "assoc-northwest and FI: RU-KGD (member of assoc-northwest), RU-SPE (member of "
     "assoc-northwest) do not border FI"),
    (["assoc-far-east", "JP"], None, Interval.parse("1996", "1996"), INT, NA,
     "assoc-far-east and JP: RU-PRI (member of assoc-far-east) does not border JP"),
    (["assoc-far-east", "JP", "CN"], None, Interval.parse("1999", "1999"), INT, CB,
     "assoc-far-east and JP and CN: RU-PRI (member of assoc-far-east) borders CN by land; "
     "RU-SAK (member of assoc-far-east) borders JP by sea"),
    # a Euroregion is a cross-border structure, not a multilateral organization
    (["RU-KR", "euregio"], None, None, INT, CB,
     "RU-KR and euregio: RU-KR borders FI by land (euregio is a cross-border structure)"),
    (["RU-KGD", "euregio"], None, None, INT, NA,
     "RU-KGD and euregio: RU-KGD does not border FI (euregio is a cross-border structure)"),
    (["RU", "euregio"], None, None, Level.INTERSTATE, None,
     "RU and euregio: the party is the federation itself (RU), with a foreign party (Euregio "
     "Karelia); no member of RU takes part"),
    # the centre without members
    (["RU", "SE"], None, None, Level.INTERSTATE, None,
     "RU and SE: the party is the federation itself (RU), with a foreign party (Sweden); no "
     "member of RU takes part"),
    (["state-firm", "NO"], None, None, Level.INTERSTATE, None,
     "state-firm and NO: the party is the federation itself (state-firm), with a foreign "
     "party (Norway); no member of RU takes part"),
    (["RU", "cbss"], None, None, INT, TR,
     "RU and cbss: the party is the federation itself (RU), with a multilateral party (CBSS)"),
    (["eu", "FI", "SE", "RU"], None, None, INT, TR,
     "eu and FI and SE and RU: the party is the federation itself (RU), with a multilateral "
     "party (European Union)"),
    (["ru-mfa", "cbss"], None, None, INT, TR,
     "ru-mfa and cbss: the party is the federation itself (ru-mfa), with a multilateral party "
     "(CBSS)"),
    (["ru-mfa", "RU"], None, None, Level.FEDERAL, None,
     "ru-mfa and RU: within the federal centre (RU, ru-mfa); no member or foreign party"),
    (["nordic-council-of-ministers", "nefco"], None, None, Level.EXTERNAL, None,
     "nordic-council-of-ministers and nefco: no party is RU, one of its members, "
     "associations or agencies"),
    (["FI", "SE"], None, None, Level.EXTERNAL, None,
     "FI and SE: no party is RU, one of its members, associations or agencies"),
    # rule order: an association with the centre is subnational, never vertical
    (["RU", "assoc-northwest"], None, None, Level.SUBNATIONAL, None,
     "RU and assoc-northwest: through the association assoc-northwest of members of RU"),
    (["ru-mfa", "RU-KR", "assoc-northwest"], None, None, Level.SUBNATIONAL, None,
     "ru-mfa and RU-KR and assoc-northwest: through the association assoc-northwest of "
     "members of RU"),
    (["ru-mfa", "RU-KGD", "RU-KR", "RU-SPE"], None, None, Level.VERTICAL, None,
     "ru-mfa and RU-KGD and RU-KR and RU-SPE: the centre (ru-mfa) with members"),
    (["RU", "RU-KR", "FI"], None, None, INT, CB,
     "RU and RU-KR and FI: RU-KR borders FI by land"),
    # a company stands for its registration region
    (["NO", "pechenganikel"], None, None, INT, CB,
     "NO and pechenganikel: RU-MUR (region of pechenganikel) borders NO by land and sea"),
    (["NO", "pechenganikel", "RU-MUR"], None, None, INT, CB,
     "NO and pechenganikel and RU-MUR: RU-MUR borders NO by land and sea"),
    (["pechenganikel", "RU-MUR"], None, None, Level.BILATERAL, None,
     "pechenganikel and RU-MUR: within one member (RU-MUR), intra-regional"),
    # the location stands in for a member only when no member or association takes part
    (["RU", "FI"], "RU-KR", None, INT, CB,
     "RU and FI, located in RU-KR (classified as if RU-KR took part): RU-KR borders FI by land"),
    (["FI", "NO"], "RU-MUR", None, INT, CB,
     "FI and NO, located in RU-MUR (classified as if RU-MUR took part): RU-MUR borders FI by "
     "land; RU-MUR borders NO by land and sea"),
    (["nefco", "RU"], "RU-KR", None, INT, TR,
     "nefco and RU, located in RU-KR (classified as if RU-KR took part): multilateral party "
     "(NEFCO)"),
    (["RU-SPE", "FI"], "RU-KR", None, INT, NA, "RU-SPE and FI: RU-SPE does not border FI"),
    (["RU", "assoc-northwest"], "RU-KR", None, Level.SUBNATIONAL, None,
     "RU and assoc-northwest: through the association assoc-northwest of members of RU"),
    (["RU", "SE"], "FI", None, Level.INTERSTATE, None,
     "RU and SE: the party is the federation itself (RU), with a foreign party (Sweden); no "
     "member of RU takes part"),
]


@pytest.mark.parametrize(("parties", "location", "period", "level", "sublevel", "reason"), MIXED,
                         ids=[f"{'+'.join(m[0])}@{m[1]}" for m in MIXED])
def test_mixed_parties(fed, parties, location, period, level, sublevel, reason):
    c = fed.classify(parties, location=location, period=period)
    assert (c.level, c.sublevel, c.reason) == (level, sublevel, reason)


def test_members_the_classification_stands_on(fed):
    assert fed.classify(["RU", "FI"], location="RU-KR").members == ("RU-KR",)
    assert fed.classify(["NO", "pechenganikel"]).members == ("RU-MUR",)
    assert fed.classify(["RU-SPE", "FI"], location="RU-KR").members == ("RU-SPE",)
    assert fed.classify(["assoc-northwest", "FI"]).members == ()
    assert fed.classify(["RU", "SE"]).members == ()


# -- bilateral ties of several members: neighbours only when every pair borders ---------------


@pytest.mark.parametrize(("members", "shared", "pairs", "neighbours"), [
    (["RU-LEN", "RU-NGR", "RU-PSK"], 3, 3, True),
    (["RU-KR", "RU-MUR", "RU-LEN"], 2, 3, False),
    (["RU-KR", "RU-MUR", "RU-KO"], 1, 3, False),
    (["RU-NIZ", "RU-KDA", "RU-SAK"], 0, 3, False),
    (["RU-LEN", "RU-NGR", "RU-PSK", "RU-SPE"], 4, 6, False),
])
def test_neighbours_of_three_or_more_members(fed, members, shared, pairs, neighbours):
    c = fed.classify(members)
    assert (c.level, c.neighbours) == (Level.BILATERAL, neighbours)
    assert c.reason == (f"{' and '.join(members)}: {len(members)} members of RU, {shared} of "
                        f"{pairs} pairs share a border")


def test_an_approximate_border_is_said_to_be_approximate(fed):
    c = fed.classify(["RU-KO", "RU-KOP"])
    assert (c.level, c.neighbours) == (Level.BILATERAL, True)
    assert c.reason == ("RU-KO and RU-KOP: members of RU that approximately share a border "
                        "(the 1999 border is approximated from a later successor's)")
    c = fed.classify(["RU-KO", "RU-KOP", "RU-KR"])
    assert c.reason == ("RU-KO and RU-KOP and RU-KR: 3 members of RU, 1 of 3 pairs share a "
                        "border (1 approximately)")
    assert c.neighbours is False


def test_adjacency_unknown(fed):
    bare = Federation(fed.id, fed.actors)
    c = bare.classify(["RU-KR", "RU-MUR"])
    assert (c.level, c.neighbours) == (Level.BILATERAL, None)
    assert c.reason.endswith("members of RU (adjacency unknown)")
    c = bare.classify(["RU-KR", "FI"])
    assert (c.sublevel, c.reason) == (
        Sublevel.NON_ADJACENT, "RU-KR and FI: RU-KR does not border FI (the case has no border "
                               "data)")


# -- the result does not depend on the order of the parties ----------------------------------

POOL = ["RU", "RU-KR", "RU-MUR", "RU-KO", "RU-KOP", "RU-KGD", "RU-SAK", "RU-LEN", "RU-NGR",
        "RU-PSK", "FI", "NO", "DE", "PL", "JP", "cn-dongbei", "US-VT", "cbss", "nefco",
        "euregio", "assoc-northwest", "assoc-far-east", "ru-mfa", "pechenganikel", "state-firm"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(POOL), min_size=2, max_size=6, unique=True),
       st.randoms(use_true_random=False),
       st.sampled_from([None, "RU-KR", "RU-MUR", "FI"]),
       st.sampled_from([None, Interval.parse("1993", "1993"), Interval.parse("1999", None)]))
def test_order_of_parties_does_not_change_the_result(parties, rnd, location, period):
    fed = federation()
    shuffled = list(parties)
    rnd.shuffle(shuffled)
    a = fed.classify(parties, location=location, period=period)
    b = fed.classify(shuffled, location=location, period=period)
    assert (a.level, a.sublevel, a.neighbours) == (b.level, b.sublevel, b.neighbours)
    assert sorted(a.members) == sorted(b.members)
    assert a.reason.split(": ", 1)[1] == b.reason.split(": ", 1)[1]
