"""Bloc dominance: a hand-computed 4-member bloc, the hand-built case, the bundled case."""

import networkx as nx
import pytest

from regionet.engines.network.blocs import (
    association_members,
    bloc_dominance,
    case_bloc_dominance,
    memberships,
)


def four_member_bloc() -> nx.MultiGraph:
    G = nx.MultiGraph()
    for m in "abcd":
        G.add_edge(m, "A", kind="membership", tie_id=f"t-{m}", weight=1.0)
    G.add_edge("a", "b", kind="cooperation", tie_id="t-ab", weight=1.0)
    G.add_edge("a", "c", kind="cooperation", tie_id="t-ac", weight=1.0)
    for u, v in [("A", "a"), ("A", "d"), ("a", "d")]:  # one agreement of A, a, d: a clique
        G.add_edge(u, v, kind="agreement", tie_id="t-Aad", weight=0.5)
    G.add_edge("a", "outsider", kind="cooperation", tie_id="t-out", weight=1.0)
    return G


def test_four_member_bloc_by_hand():
    out = bloc_dominance(four_member_bloc(), "A", ["a", "b", "c", "d"])
    # W = 4 memberships + 2 cooperations + 3 × ½ = 7.5; s = a 4, b 2, c 2, d 2 (sum 10)
    assert out["internal_activity"] == pytest.approx(7.5)
    assert out["member_strength"] == pytest.approx({"a": 4.0, "b": 2.0, "c": 2.0, "d": 2.0})
    assert out["top_member"] == "a" and out["top_members"] == ["a"]
    assert out["top_share"] == pytest.approx(4 / 7.5)
    assert out["hhi"] == pytest.approx((16 + 4 + 4 + 4) / 100)
    assert out["hhi_normalized"] == pytest.approx((0.28 - 0.25) / 0.75)
    assert out["top_vs_others"] == pytest.approx(2.0)
    assert (out["runner_up"], out["runner_up_share"]) == ("b", pytest.approx(2 / 7.5))
    assert (out["n_internal_ties"], out["n_membership_ties"]) == (7, 4)
    assert out["other_kinds"] == {"agreement": 1, "cooperation": 2}
    assert out["basis"] == "4 membership ties and 3 other ties (agreement 1, cooperation 2)"


def test_memberships_only_means_no_dominance():
    G = nx.MultiGraph()
    for m in "abcd":
        G.add_edge(m, "A", kind="membership", tie_id=f"t-{m}", weight=1.0)
    out = bloc_dominance(G, "A", "abcd")
    assert out["top_member"] is None and out["top_members"] == ["a", "b", "c", "d"]
    assert out["top_share"] == 0.25 and out["hhi_normalized"] == 0.0
    assert out["basis"].startswith("membership ties only")


def test_bloc_without_internal_activity():
    G = nx.Graph()
    G.add_nodes_from(["A", "a", "b"])
    out = bloc_dominance(G, "A", ["a", "b"])
    assert out["top_share"] is None and out["hhi"] is None and out["n_internal_ties"] == 0


def test_one_member_bloc_and_members_without_activity():
    G = nx.MultiGraph()
    G.add_edge("a", "A", kind="membership", tie_id="t-a", weight=1.0)
    out = bloc_dominance(G, "A", ["a"])
    assert (out["top_member"], out["top_share"], out["hhi"]) == ("a", 1.0, 1.0)
    assert out["hhi_normalized"] is None and out["top_vs_others"] is None
    G.add_node("b")  # a member whose membership is not in the graph: no activity at all
    out = bloc_dominance(G, "A", ["a", "b"])
    assert out["top_member"] == "a" and out["top_vs_others"] is None


def test_sentences_for_one_member_and_early_years(bundled):
    rows = {r["association"]: r for r in case_bloc_dominance(bundled, period=1985)}
    nw = rows["assoc-northwest"]  # only the undated Pskov membership is in force
    assert nw["n_members"] == 1 and "dominance is not defined" in nw["sentence"]
    for year in range(1985, 2011):
        assert all(r["sentence"] for r in case_bloc_dominance(bundled, period=year))


def test_hand_case_2000_unique_top_and_claimed_hub(hand):
    (row,) = case_bloc_dominance(hand, period=2000)
    # W = 5 memberships + spe-len + spe-kr + 3 × ½ (tri) = 8.5
    # s = KR 3, MUR 2, SPE 4, LEN 2, KO 1 (sum 12)
    assert row["internal_activity"] == pytest.approx(8.5)
    assert row["top_member"] == "RU-SPE" and row["top_share"] == pytest.approx(4 / 8.5)
    assert row["hhi_normalized"] == pytest.approx((34 / 144 - 0.2) / 0.8)
    assert row["top_vs_others"] == pytest.approx(2.0)
    assert (row["runner_up"], row["runner_up_share"]) == ("RU-KR", pytest.approx(3 / 8.5))
    assert (row["claimed_hub"], row["claimed_hub_rank"]) == ("RU-SPE", 1)
    assert row["claimed_hub_source"] == "memo:para 12"
    assert row["n_internal_ties"] == 8  # the vertical and international ties do not count
    assert "Top member St Petersburg (RU-SPE)" in row["sentence"]
    assert "rests on 3 tie(s)" in row["sentence"]


def test_hand_case_1998_shared_top_and_period_membership(hand):
    (row,) = case_bloc_dominance(hand, period=1998)
    assert row["top_member"] is None and row["top_members"] == ["RU-KR", "RU-SPE"]
    assert row["top_share"] == pytest.approx(3 / 8)
    assert "No single top member" in row["sentence"]
    assert association_members(hand, period=1994) == {
        "assoc-nw": ["RU-KR", "RU-LEN", "RU-MUR", "RU-SPE"]}
    assert case_bloc_dominance(hand, period=1994)[0]["n_members"] == 4


def test_earliest_membership_first(bundled):
    assert memberships(bundled, period=1999)["RU-KGD"] == ["assoc-northwest",
                                                           "assoc-central-russia"]
    # an unknown start counts as earliest; KHM joined the Ural association in 2009
    assert memberships(bundled)["RU-KHM"] == ["assoc-siberian-accord", "assoc-ural"]
    assert "RU-KHM" not in association_members(bundled, period=1999)["assoc-ural"]


@pytest.mark.parametrize("year", [None, 1999])
def test_bundled_rows_for_northwest_and_ural(bundled, year):
    rows = {r["association"]: r for r in case_bloc_dominance(bundled, period=year)}
    nw, ural = rows["assoc-northwest"], rows["assoc-ural"]
    assert nw["claimed_hub"] == "RU-SPE" and ural["claimed_hub"] == "RU-SVE"
    assert ural["basis"].startswith("membership ties only") and ural["top_member"] is None
    assert "cannot test the claim" in ural["sentence"]
    assert ural["claimed_hub_share"] == pytest.approx(1 / ural["n_members"])
    assert nw["n_membership_ties"] == nw["n_members"] == 12
    assert nw["other_kinds"] == {"cooperation": 2}  # Karelia-Murmansk and Komi-Karelia
    assert nw["top_member"] == "RU-KR"
    assert nw["claimed_hub_share"] == pytest.approx(1 / 14)
