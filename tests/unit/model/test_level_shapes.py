"""The shape classifier (issue 8) gives every tie exactly what ``Federation.classify`` gives.

A varied federation: the bundled case (subjects with borders and adjacency, associations
with dated memberships, states, a cross-border structure, agencies, companies of the centre
and of subjects) plus subjects' own agencies, companies those own, and many synthetic
companies, foreign regions, organizations, funds and programmes with colliding and
brace-bearing names. Seeded random ties of 2–5 parties, with and without a location, at
several dates: each tie's four classification columns are compared with the classifier's own.
"""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

import pytest

from regionet.core.ids import ActorId
from regionet.core.periods import Interval
from regionet.io.casefiles import load_case
from regionet.model.actors import Actor, ActorKind
from regionet.model.level_shapes import ShapeClassifier, _Template
from regionet.model.levels import Federation


@pytest.fixture(scope="module")
def federation() -> Federation:
    case = load_case("russia-1990s")
    fed = case.federation_model
    subjects = sorted(a.id for a in case.actors.values() if a.kind is ActorKind.SUBJECT)
    states = ["FI", "NO", "CN", "US", "EE", "JP"]
    extra: dict[ActorId, Actor] = {}
    rng = random.Random(80)
    for i in range(60):  # companies of a few subjects: many share one
        extra[ActorId(f"co-{i:03d}")] = Actor(ActorId(f"co-{i:03d}"), ActorKind.COMPANY,
                                              f"Company {i}",
                                              parent=ActorId(rng.choice(subjects[:6])))
    for i in range(40):
        extra[ActorId(f"fr-{i:03d}")] = Actor(ActorId(f"fr-{i:03d}"), ActorKind.FOREIGN_REGION,
                                              f"Region {{{i}}}", parent=ActorId(rng.choice(states)))
    for i in range(6):  # a subject's own ministries, and companies they own (the member's)
        extra[ActorId(f"ag-{i:03d}")] = Actor(ActorId(f"ag-{i:03d}"), ActorKind.AGENCY,
                                              f"Ministry {i}", parent=ActorId(subjects[i % 3]))
    for i in range(12):
        extra[ActorId(f"co-ag-{i:03d}")] = Actor(ActorId(f"co-ag-{i:03d}"), ActorKind.COMPANY,
                                                 f"Firm {i}", parent=ActorId(f"ag-{i % 6:03d}"))
    kinds = (ActorKind.ORGANIZATION, ActorKind.FUND, ActorKind.PROGRAMME)
    for i in range(40):  # names that sort against each other and the case's in every way
        name = rng.choice(("Nordic fund", "Arctic body", "Zeta", "Baltic {x}", "Ω club"))
        extra[ActorId(f"ml-{i:03d}")] = Actor(ActorId(f"ml-{i:03d}"), kinds[i % 3],
                                              f"{name} {i % 4}")
    return replace(fed, actors={**fed.actors, **extra})


def random_ties(fed: Federation, n: int, seed: int) -> list[tuple[list[str], Any, Any]]:
    rng = random.Random(seed)
    ids = sorted(fed.actors)
    common = [i for i in ids if i.startswith(("co-", "fr-", "ml-", "ag-"))]
    subjects = [i for i in ids if fed.actors[i].kind is ActorKind.SUBJECT]
    periods = [Interval(), *(Interval.parse(str(y), str(y)) for y in (1992, 1996, 1999, 2004))]
    ties = []
    for _ in range(n):
        size = rng.choice((2, 2, 2, 3, 3, 4, 5))
        if rng.random() < 0.7:  # the common shape: a subject and partners
            parties = [rng.choice(subjects[:8]), *rng.sample(common, min(size, 3) - 1)]
        else:  # anything: the centre, agencies, associations, states, the structure…
            pool = [rng.choice(subjects[:8]), *rng.sample(common, 3), *rng.sample(ids, 3)]
            parties = rng.sample(list(dict.fromkeys(pool)), min(size, len(set(pool))))
        location = rng.choice((None, None, None, rng.choice(subjects[:3])))
        ties.append((parties, location, rng.choice(periods)))
    return ties


@pytest.mark.parametrize("limit", [50_000, 64], ids=["roomy", "forgetful"])
def test_every_tie_gets_what_the_classifier_gives(federation: Federation,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   limit: int) -> None:
    shapes = ShapeClassifier(federation, limit=limit)
    calls: list[int] = []
    classify = Federation.classify

    def spy(self: Federation, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return classify(self, *args, **kwargs)

    ties = random_ties(federation, 20_000, seed=8)
    for parties, location, period in ties:
        monkeypatch.setattr(Federation, "classify", spy)
        got = shapes.values(parties, location, period)
        monkeypatch.setattr(Federation, "classify", classify)
        c = federation.classify(parties, location=location, period=period)
        expected = (c.level.value, c.sublevel.value if c.sublevel else None, c.reason,
                    c.neighbours)
        assert got == expected, (parties, location, period)
    templates = [t for t in shapes._shapes.values() if isinstance(t, _Template)]
    assert len(shapes._shapes) <= limit
    if limit < 100:  # past its limit the cache forgets, and stays exact
        return
    # the cache really stands in for many ties: shapes templated, names filled in
    assert len(calls) < 0.6 * len(ties)
    assert len(templates) > 100
    assert any(any(t.names) for t in templates)
    assert len({repr(shapes.values(*t)) for t in ties}) > 2000  # reasons differ per tie


def test_a_template_that_would_differ_is_refused(federation: Federation) -> None:
    """Two multilateral parties sort by name: they are not stood in for."""
    shapes = ShapeClassifier(federation)
    pairs = [["RU-KR", "ml-000", "ml-001"], ["RU-KR", "ml-003", "ml-002"],
             ["RU-KR", "ml-002", "ml-003"], ["RU-KR", "ml-001", "ml-000"]]
    for parties in pairs * 2:
        assert shapes.values(parties)[2] == federation.classify(parties).reason
    assert not [t for t in shapes._shapes.values() if isinstance(t, _Template)]


def test_a_shape_s_pattern_gives_each_of_its_ties_what_the_classifier_gives(
        federation: Federation) -> None:
    """The pieces the fast import path joins in bulk make every tie's own reason."""
    shapes = ShapeClassifier(federation)
    ties = random_ties(federation, 6_000, seed=81)
    for parties, location, period in ties:
        shapes.values(parties, location, period)
    patterned = named = 0
    for parties, location, period in ties:
        pattern = shapes.pattern(parties, location, period)
        if pattern is None:
            continue
        patterned += 1
        named += any(pattern.named)
        c = federation.classify(parties, location=location, period=period)
        assert (pattern.level, pattern.sublevel, pattern.reason(parties, shapes.name),
                pattern.neighbours) == (c.level.value, c.sublevel.value if c.sublevel else None,
                                        c.reason, c.neighbours), (parties, location, period)
    assert patterned > 0.4 * len(ties)
    assert named > 100
