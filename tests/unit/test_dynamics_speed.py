"""The dynamics model's fast paths give the results of the plain computations, bit for bit.

- the sparse tie update (hazards only below a bound) equals the dense one, for hazards of
  every sign, zero, infinite and NaN;
- the exact median, the bit-mask co-memberships, the fiscal year's cached quantities equal
  the NumPy expressions they replace;
- whole runs equal runs with every inactive candidate evaluated (the bound switched off), and
  digests of runs of the model before these optimisations (commit 11cf1e6).

NumPy's ``exp``, ``expm1`` and ``log`` take a different SIMD path on a CPU with AVX-512 than on
one without, and the last bit of some results differs; NumPy's releases change such paths too.
A run's digest therefore depends on the machine's math and on the NumPy version, and the
digests are recorded per *math key*: a digest of those functions over fixed arrays (the *math
fingerprint*) and the NumPy version, each recording made by running commit 11cf1e6 (from a
checkout of it) and the current model on such a machine and finding them equal. On a machine
whose key is not recorded the comparison is skipped, naming both keys (the comparison with the
bound switched off still runs everywhere).

Earlier recordings, made before the key held the NumPy version, are kept in the history of
this file: fingerprint ``0f5bfc73…`` (a VM without AVX-512) and ``15c3487f…`` (with AVX-512, the
evening of 2026-12-06) with the NumPy of those days' environments. On 2026-12-06 at 22:50 UTC a
fresh environment (NumPy 2.4.6) on a VM of fingerprint ``15c3487f…`` gave other digests, the
same for commit 11cf1e6 and for the model of main (b0b655c): those are recorded below.
On 2026-12-07 (01:20 UTC) a VM of the same fingerprint and NumPy but with Sapphire Rapids'
``AVX512_SPR`` target gave yet other digests, again the same for commit 11cf1e6 (run from a
checkout) and for main (ac3d62a): the key now also names the SIMD targets NumPy dispatches to.
On 2026-12-07 (03:40 UTC) a VM *without* ``AVX512_SPR`` (targets ``X86_V3 X86_V4 AVX512_ICL``)
gave those same digests, again for commit 11cf1e6 (from a checkout) and for main (bf65b08): the
targets do not tell these machines apart either, so the targets inferred for the 22:50 VM were
wrong. A key may therefore hold more than one recording, each the output of commit 11cf1e6 on
some machine of that key; a run must equal one of them.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

import numpy as np
import pytest

from regionet.engines.dynamics import ties
from regionet.engines.dynamics.bargaining import median
from regionet.engines.dynamics.model import FederationModel, _comembers
from regionet.engines.dynamics.testing import neutral_parameters, synthetic_path
from regionet.engines.dynamics.world import TieCandidates, synthetic_world

STATE = ("effort", "granted", "refused", "treaty", "treaty_year", "discontent", "stress",
         "leverage", "signed", "cosigned", "requests", "grants")
FLOWS = ("own", "federal", "formula", "transfers", "appeasement", "bailouts", "gains", "costs",
         "need", "budget")
ODD = {"ties.stress": -0.8, "ties.bilateral.association": -0.5,
       "ties.international.border": -3.0, "ties.bilateral.rate": 2.0,
       "ties.international.rate": 3.0, "ties.capacity": 2.0}
CASES = ("neutral", "many-associations", "negative-and-large-hazards", "many-associations-odd")
#: The recordings of commit 11cf1e6's runs: sha256 (first 20 hex digits) of every step's
#: state, per case.
_EVENING = {  # a VM of 2026-12-06, 22:50 UTC (its SIMD targets were not recorded)
    "neutral": "be332c3be1ad4652bd6e", "many-associations": "21b34bdb9259900d308a",
    "negative-and-large-hazards": "6de965f5059a14d5639a",
    "many-associations-odd": "dd89e27c09c91fe20d25"}
_NIGHT = {  # VMs of 2026-12-07, 01:20 UTC (AVX512_SPR) and 03:40 UTC (without it)
    "neutral": "ddda0bf0ddeccc551624", "many-associations": "3742e0e65d53002e18ec",
    "negative-and-large-hazards": "d3c4e74dfef02f8d40ab",
    "many-associations-odd": "bd3e1174cb496afb031c"}
#: Per math key (:func:`math_key`): the recordings a machine of that key may give.
RECORDED = {
    # observed: _NIGHT (03:40 UTC); _EVENING's VM had this fingerprint and NumPy, and may have
    # had these targets
    "15c3487fe5802538742c numpy 2.4.6 X86_V3 X86_V4 AVX512_ICL": (_NIGHT, _EVENING),
    "15c3487fe5802538742c numpy 2.4.6 X86_V3 X86_V4 AVX512_ICL AVX512_SPR": (_NIGHT,),
}


def math_fingerprint() -> str:
    """A digest of NumPy's exp, expm1, log and log1p over fixed arrays on this machine."""
    h = hashlib.sha256()
    x, positive = np.linspace(-30, 30, 1201), np.linspace(1e-6, 1e6, 1201)
    for values in (np.exp(x), np.expm1(x), np.log(positive), np.log1p(positive)):
        h.update(values.tobytes())
    return h.hexdigest()[:20]


def math_key() -> str:
    """The math fingerprint, the NumPy version and the SIMD targets NumPy dispatches to here.

    The fingerprint alone did not tell two AVX-512 machines apart whose runs differ (one with
    Sapphire Rapids' ``AVX512_SPR``): the targets NumPy enabled are part of the key.
    """
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    targets = " ".join(t for t in __cpu_dispatch__ if __cpu_features__.get(t))
    return f"{math_fingerprint()} numpy {np.__version__} {targets}".rstrip()


def many_associations(n: int, seed: int):
    """A synthetic world whose regions belong to 0-4 of 100 associations, some dated."""
    world = synthetic_world(n, seed=seed, associations=100)
    rng = np.random.default_rng(seed)
    region = np.repeat(np.arange(n), rng.integers(0, 5, n))
    other = rng.integers(0, 100, len(region))
    start = rng.choice([0, 1993, 1995], len(region))
    end = rng.choice([9999, 1994, 1997], len(region))
    sub = TieCandidates.build("subnational", region, other, level=np.zeros(len(region)),
                              start=start, end=end)
    return replace(world, candidates={**world.candidates, "subnational": sub})


@pytest.fixture(scope="module")
def cases():
    w1 = synthetic_world(120, seed=5)
    p1 = synthetic_path(w1.ids, range(1992, 2001), seed=5)
    w2 = many_associations(90, seed=6)
    p2 = synthetic_path(w2.ids, range(1992, 2001), seed=6, method="gap_filling")
    return {
        "neutral": (w1, p1, neutral_parameters(), 3, 2000),
        "many-associations": (w2, p2, neutral_parameters(), 4, 2000),
        "negative-and-large-hazards": (w1, p1, neutral_parameters(ODD), 5, 1998),
        "many-associations-odd": (w2, p2, neutral_parameters(ODD), 7, 1998),
    }


def digest(world, path, params, seed, until) -> str:
    model = FederationModel(world, path, params, seed=seed)
    h = hashlib.sha256()
    while model.year <= until:
        model.step()
        for name in STATE:
            h.update(np.ascontiguousarray(getattr(model, name)).tobytes())
        for kind in sorted(model.active):
            h.update(model.active[kind].tobytes())
            h.update(model.formed[kind].tobytes())
        for name in FLOWS:
            h.update(np.ascontiguousarray(getattr(model.flows, name)).tobytes())
        h.update(repr((model.flows.fund, model.flows.method, model.treaties_total)).encode())
    return h.hexdigest()[:20]


def every_inactive(active, draws, bound, exists=None):
    """may_form without the bound: every inactive (existing) candidate is evaluated."""
    return np.flatnonzero(~active if exists is None else ~active & exists)


@pytest.mark.parametrize("name", CASES)
def test_runs_equal_runs_without_the_bound(cases, name, monkeypatch):
    fast = digest(*cases[name])
    monkeypatch.setattr(ties, "may_form", every_inactive)
    assert digest(*cases[name]) == fast


@pytest.mark.parametrize("name", CASES)
def test_runs_equal_the_model_before_the_optimisations(cases, name):
    key = math_key()
    if key not in RECORDED:
        pytest.skip(f"no digests of commit 11cf1e6 recorded for this machine's math ({key}; "
                    f"recorded: {', '.join(RECORDED)})")
    assert digest(*cases[name]) in {recording[name] for recording in RECORDED[key]}


def test_the_cases_form_ties_of_every_kind_and_negative_hazards(cases):
    world, path, params, seed, _ = cases["negative-and-large-hazards"]
    model = FederationModel(world, path, params, seed=seed)
    model.step()
    assert all(model.formed[k].any() for k in ("bilateral", "foreign"))
    # (1 - 3) β at a border: negative hazards there, so border candidates never form
    border = world.candidates["foreign"].border
    assert border.any() and not model.formed["foreign"][border].any()


def test_update_at_equals_update_for_any_hazard():
    rng = np.random.default_rng(11)
    for trial in range(200):
        n = int(rng.integers(0, 60))
        active = rng.random(n) < 0.3
        exists = None if trial % 2 else rng.random(n) < 0.8
        draws = rng.random(n)
        hazard = rng.choice([0.0, 0.01, 0.5, 3.0, -1.0, np.inf, np.nan], n) * rng.random(n)
        bound = np.abs(hazard) * (1 + ties.BOUND_MARGIN)
        bound[np.isnan(bound)] = np.inf
        index = ties.may_form(active, draws, bound, exists)
        got = ties.update_at(active, exists, index, hazard[index], decay=0.3, draws=draws)
        want = ties.update(active, np.ones(n, bool) if exists is None else exists, hazard,
                           decay=0.3, draws=draws)
        assert [g.tolist() for g in got] == [w.tolist() for w in want]


def test_may_form_keeps_inactive_existing_candidates_below_the_bound():
    active = np.array([False, True, False, False, False])
    exists = np.array([True, True, False, True, True])
    draws = np.array([0.1, 0.1, 0.1, 0.5, 0.3])
    assert ties.may_form(active, draws, np.full(5, 0.3), exists).tolist() == [0]
    assert ties.may_form(active, draws, np.full(5, 0.3)).tolist() == [0, 2]
    assert ties.may_form(active, draws, np.full(5, np.inf), exists).tolist() == [0, 3, 4]


@pytest.mark.parametrize("n", [1, 2, 3, 4, 89, 90, 1001])
def test_median_equals_numpy(n):
    rng = np.random.default_rng(n)
    for _ in range(20):
        x = np.round(rng.normal(size=n) * 10, int(rng.integers(0, 3)))
        assert median(x) == float(np.median(x))
    x[n // 2] = np.nan
    assert np.isnan(median(x))


def test_comembers_equal_the_dense_membership_matrix():
    for seed, k in ((1, 8), (2, 100), (3, 64), (4, 65)):
        world = many_associations(40, seed=seed) if k == 100 else synthetic_world(
            40, seed=seed, associations=k)
        sub, pairs = world.candidates["subnational"], world.candidates["bilateral"]
        for year in (1992, 1994, 1996):
            on = sub.exists(year)
            members = np.zeros((world.n, max(len(world.associations), 1)), dtype=bool)
            members[sub.region[on], sub.other[on]] = True
            want = (members[pairs.region] & members[pairs.other]).any(axis=1)
            got = _comembers(world, on)
            assert got.dtype == np.float64 and got.tolist() == want.astype(float).tolist()
            assert 0 < got.sum() < len(got)


def test_fiscal_year_cached_quantities():
    world = synthetic_world(12, seed=3)
    year = synthetic_path(world.ids, [1999], seed=3).at(1999)
    assert year.full_fund == year.collect(np.ones(12)).fund > 0
    assert year.capacity_total == float(year.capacity.sum())
    assert year.log_relative_population.tolist() == np.log(
        year.population / np.median(year.population)).tolist()
