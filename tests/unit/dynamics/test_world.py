import numpy as np
import pytest

import regionet as rn
from regionet.core.errors import UnknownActorError
from regionet.engines.dynamics.world import LEVELS, SUBLEVELS, world_from_case


@pytest.fixture(scope="module")
def world():
    case = rn.load_case("russia-1990s")
    ids = sorted(a.id for a in case.members())
    return world_from_case(case, ids, places={"FI": (60.17, 24.94), "DE": (52.52, 13.40)},
                           parents={"RU-TAY": "RU-KYA", "RU-EVE": "RU-KYA"})


def level(world, kind, region, other):
    c = world.candidates[kind]
    names = world.ids if kind == "bilateral" else (
        world.associations if kind == "subnational" else world.partners)
    k = np.flatnonzero((np.array(world.ids)[c.region] == region)
                       & (np.array(names)[c.other] == other))
    assert len(k) == 1, (region, other)
    return LEVELS[c.level[k[0]]], SUBLEVELS[c.sublevel[k[0]]], k[0]


def test_levels_come_from_the_case_classifier(world):
    assert level(world, "bilateral", "RU-KR", "RU-MUR")[:2] == ("bilateral", "")
    assert level(world, "subnational", "RU-KR", "assoc-northwest")[:2] == ("subnational", "")
    assert level(world, "foreign", "RU-KR", "FI")[:2] == ("international", "cross-border")
    assert level(world, "foreign", "RU-MOW", "DE")[:2] == ("international", "non-adjacent")
    assert level(world, "programme", "RU-KR", "interreg-karelia")[:2] == (
        "international", "trans-regional")


def test_candidate_attributes(world):
    n = world.n
    assert n == 89 and len(world.candidates["bilateral"]) == n * (n - 1) // 2
    c = world.candidates["foreign"]
    _, _, k = level(world, "foreign", "RU-KR", "FI")
    assert c.border[k] and 300 < c.distance_km[k] < 700
    _, _, k = level(world, "foreign", "RU-MOW", "FI")
    assert not c.border[k]
    assert world.matching_share[world.partners.index("interreg-barents")] == 0.5
    areas = {(world.ids[i], world.partners[p]) for i, p in zip(
        world.candidates["programme"].region, world.candidates["programme"].other, strict=True)}
    assert areas == {("RU-ARK", "interreg-barents"), ("RU-KR", "interreg-barents"),
                     ("RU-MUR", "interreg-barents"), ("RU-KR", "interreg-karelia"),
                     ("RU-KR", "nefco"), ("RU-MUR", "nefco"), ("RU-SPE", "nefco")}
    assert world.parent[world.ids.index("RU-TAY")] == world.ids.index("RU-KYA")
    assert world.republic[world.ids.index("RU-TA")] and not world.republic[
        world.ids.index("RU-MOW")]
    sub = world.candidates["subnational"]
    _, _, k = level(world, "subnational", "RU-KGD", "assoc-central-russia")
    assert (sub.start[k], sub.end[k]) == (1993, 2001)


def test_unknown_region():
    case = rn.load_case("russia-1990s")
    with pytest.raises(UnknownActorError, match="RU-XX"):
        world_from_case(case, ["RU-KR", "RU-XX"])
