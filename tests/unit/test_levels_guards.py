"""Guards for ``model/levels.py`` written from the mutants mutmut found alive (docs/testing.md).

Each test pins an exact side, level, sublevel or reason on a branch the classifier tables of
tests/unit/model/test_levels.py do not reach: more than four parties, two centre parties or
associations, a structure spanning two states, an association with no member at the tie's
date, actors whose parent chain does not reach the centre, and the unknown-actor error.
"""

from __future__ import annotations

import pytest

from regionet.core.errors import UnknownActorError
from regionet.core.ids import ActorId
from regionet.core.periods import Interval
from regionet.model.actors import Actor, ActorKind
from regionet.model.levels import Federation, Level, Side, Sublevel

K = ActorKind
ACTORS = [
    ("RU", K.CENTRE, "Russia", None),
    ("RU-KR", K.SUBJECT, "Karelia", "RU"),
    ("RU-MUR", K.SUBJECT, "Murmansk Oblast", "RU"),
    ("RU-KGD", K.SUBJECT, "Kaliningrad Oblast", "RU"),
    ("RU-LEN", K.SUBJECT, "Leningrad Oblast", "RU"),
    ("RU-PSK", K.SUBJECT, "Pskov Oblast", "RU"),
    ("RU-NGR", K.SUBJECT, "Novgorod Oblast", "RU"),
    ("FI", K.STATE, "Finland", None),
    ("NO", K.STATE, "Norway", None),
    ("SE", K.STATE, "Sweden", None),
    ("KZ", K.CENTRE, "Kazakhstan", None),
    ("cbss", K.ORGANIZATION, "CBSS", None),
    ("eu", K.ORGANIZATION, "European Union", None),
    ("barents", K.ORGANIZATION, "Barents Euro-Arctic Region", None),
    ("assoc-northwest", K.ASSOCIATION, "Northwest Association", "RU"),
    ("assoc-north", K.ASSOCIATION, "North Association", "RU"),
    ("assoc-empty", K.ASSOCIATION, "An association with no member list", "RU"),
    ("ru-mfa", K.AGENCY, "Foreign Ministry", "RU"),
    ("fi-agency", K.AGENCY, "A Finnish agency", "FI"),
    ("fi-firm", K.COMPANY, "A Finnish company", "FI"),
    ("loop-a", K.AGENCY, "Agency A", "loop-b"),
    ("loop-b", K.AGENCY, "Agency B", "loop-a"),
    ("ru-fund", K.FUND, "A federal fund", "RU"),
    ("kr-fund", K.FUND, "A Karelian fund", "RU-KR"),
    ("kr-ministry", K.AGENCY, "Karelia's ministry of foreign relations", "RU-KR"),
    ("kr-ministry-unit", K.AGENCY, "A unit of that ministry", "kr-ministry"),
    ("kr-firm", K.COMPANY, "A company of that ministry", "kr-ministry"),
    ("mfa-office-kr", K.AGENCY, "A Foreign Ministry office in Karelia", "ru-mfa"),
]


def federation(*, sea: bool = True) -> Federation:
    actors = {ActorId(i): Actor(ActorId(i), k, n, parent=ActorId(p) if p else None,
                                attributes={"cross_border_states": "FI; NO"}
                                if i == "barents" else {})
              for i, k, n, p in ACTORS}
    return Federation(
        ActorId("RU"), actors,
        land_borders={"RU-KR": {"FI"}, "RU-MUR": {"FI", "NO"}},
        sea_borders={"RU-MUR": {"NO"}} if sea else {},
        adjacency={frozenset({"RU-KR", "RU-MUR"})},
        association_members={
            "assoc-northwest": [("RU-KR", Interval.parse("1991", None))],
            "assoc-north": [("RU-MUR", Interval.parse("1991", None))]},
    )


@pytest.fixture(scope="module")
def fed() -> Federation:
    return federation()


def test_unknown_actor_error_names_field_value_expected_and_hint(fed):
    with pytest.raises(UnknownActorError) as caught:
        fed.actor("RU-KRR")
    err = caught.value
    assert (err.message, err.field, err.value, err.expected, err.hint) == (
        "unknown actor", "actors", "RU-KRR", "an actor id defined in the case or workspace",
        "Did you mean RU-KR, RU-PSK, RU-NGR?")
    assert str(err) == ("field 'actors', value 'RU-KRR': unknown actor (expected an actor id "
                        "defined in the case or workspace). Did you mean RU-KR, RU-PSK, RU-NGR?")


@pytest.mark.parametrize(("actor", "side"), [
    ("RU", (Side.CENTRE, None)),
    ("ru-mfa", (Side.CENTRE, None)),
    ("KZ", (Side.FOREIGN, None)),            # another federation's centre is foreign
    ("fi-agency", (Side.NONE, None)),        # its parent chain ends at FI, not RU
    ("fi-firm", (Side.NONE, None)),          # a company not registered in a member
    ("loop-a", (Side.NONE, None)),           # a parent cycle ends the walk
    ("ru-fund", (Side.MULTILATERAL, None)),  # a fund of the centre is no association
    ("kr-fund", (Side.MULTILATERAL, None)),  # a fund is never a member, whatever its parent
    ("assoc-north", (Side.ASSOCIATION, None)),
    ("barents", (Side.STRUCTURE, None)),
    ("RU-KR", (Side.MEMBER, "RU-KR")),
    # a region's own agencies (and what they own) stand for the region, not the centre; the
    # Foreign Ministry's office in a region (para 8) is the centre's
    ("kr-ministry", (Side.MEMBER, "RU-KR")),
    ("kr-ministry-unit", (Side.MEMBER, "RU-KR")),
    ("kr-firm", (Side.MEMBER, "RU-KR")),
    ("mfa-office-kr", (Side.CENTRE, None)),
])
def test_side_of_each_kind_of_party(fed, actor, side):
    assert federation().side(actor) == side
    assert fed.side(actor) == fed.side(actor) == side


def test_a_region_s_own_agency_is_classified_as_the_region(fed):
    # the memo's "local governments of Kaliningrad, Karelia and St. Petersburg" negotiating
    # with EU states (para 8) act through their own ministries: those ties are the region's
    got = [(c.level, c.sublevel, c.reason) for c in (
        fed.classify(["kr-ministry", "FI"]), fed.classify(["kr-ministry-unit", "RU-MUR"]),
        fed.classify(["kr-ministry", "RU"]), fed.classify(["mfa-office-kr", "FI"]))]
    assert got == [
        (Level.INTERNATIONAL, Sublevel.CROSS_BORDER,
         "kr-ministry and FI: RU-KR (region of kr-ministry) borders FI by land"),
        (Level.BILATERAL, None, "kr-ministry-unit and RU-MUR: members of RU that share a border"),
        (Level.VERTICAL, None, "kr-ministry and RU: the centre (RU) with members"),
        (Level.INTERSTATE, None,
         "mfa-office-kr and FI: the party is the federation itself (mfa-office-kr), with a "
         "foreign party (Finland); no member of RU takes part")]


def test_a_structure_spanning_two_states_lists_both(fed):
    assert fed.states_of("barents") == frozenset({"FI", "NO"})
    c = fed.classify(["RU-KGD", "barents"])
    assert (c.level, c.sublevel) == (Level.INTERNATIONAL, Sublevel.NON_ADJACENT)
    assert c.reason == ("RU-KGD and barents: RU-KGD does not border FI or NO (barents is a "
                        "cross-border structure)")
    c = fed.classify(["RU-MUR", "barents"])
    assert (c.level, c.sublevel) == (Level.INTERNATIONAL, Sublevel.CROSS_BORDER)
    assert c.reason == ("RU-MUR and barents: RU-MUR borders FI by land (barents is a "
                        "cross-border structure); RU-MUR borders NO by land and sea (barents "
                        "is a cross-border structure)")


def test_an_association_without_members_at_the_date(fed):
    c = fed.classify(["assoc-northwest", "FI", "SE"], period=Interval.parse("1985", "1985"))
    assert (c.level, c.sublevel) == (Level.INTERNATIONAL, Sublevel.NON_ADJACENT)
    assert c.reason == (
        "assoc-northwest and FI and SE: no member borders FI (the association has no member "
        "at the tie's date); no member borders SE (the association has no member at the "
        "tie's date)")


def test_an_association_with_no_member_list(fed):
    assert fed.members_of("assoc-empty") == []
    c = fed.classify(["assoc-empty", "FI"])
    assert c.reason == ("assoc-empty and FI: no member borders FI (the association has no "
                        "member at the tie's date)")


def test_border_data_on_land_only_is_border_data():
    c = federation(sea=False).classify(["RU-KGD", "SE"])
    assert c.reason == "RU-KGD and SE: RU-KGD does not border SE"


def test_two_multilateral_parties_are_named_in_order(fed):
    c = fed.classify(["RU-KR", "eu", "cbss"])
    assert (c.level, c.sublevel) == (Level.INTERNATIONAL, Sublevel.TRANS_REGIONAL)
    assert c.reason == "RU-KR and eu and cbss: multilateral party (CBSS, European Union)"


def test_two_centre_parties_and_two_associations(fed):
    assert fed.classify(["RU", "ru-mfa", "RU-KR"]).reason == (
        "RU and ru-mfa and RU-KR: the centre (RU, ru-mfa) with members")
    assert fed.classify(["ru-mfa", "RU", "SE"]).reason == (
        "ru-mfa and RU and SE: the party is the federation itself (RU, ru-mfa), with a "
        "foreign party (Sweden); no member of RU takes part")
    assert fed.classify(["assoc-northwest", "assoc-north"]).reason == (
        "assoc-northwest and assoc-north: through the association assoc-north, "
        "assoc-northwest of members of RU")


@pytest.mark.parametrize(("parties", "who"), [
    (["RU-KR", "RU-MUR", "RU-KGD", "RU-LEN"], "RU-KR and RU-MUR and RU-KGD and RU-LEN"),
    (["RU-KR", "RU-MUR", "RU-KGD", "RU-LEN", "RU-PSK"], "RU-KR, RU-MUR, RU-KGD, RU-LEN and 1 more"),
    (["RU-KR", "RU-MUR", "RU-KGD", "RU-LEN", "RU-PSK", "RU-NGR"],
     "RU-KR, RU-MUR, RU-KGD, RU-LEN and 2 more"),
])
def test_more_than_four_parties_are_counted(fed, parties, who):
    c = fed.classify(parties)
    n = len(parties)
    assert c.level is Level.BILATERAL
    assert c.reason == f"{who}: {n} members of RU, 1 of {n * (n - 1) // 2} pairs share a border"
