"""The tie graph as of a date and over a period, by kind and level, and its layers."""

from datetime import date

import pytest

from regionet.core.errors import InvalidValueError
from regionet.core.periods import Interval
from regionet.engines.network.graphs import graph_layers, period_interval, tie_graph

MEMBERSHIPS = {"t-mem-kr", "t-mem-mur", "t-mem-spe", "t-mem-len", "t-mem-ko"}


def tie_ids(G):
    return {d["tie_id"] for *_, d in G.edges(data=True)}


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"period": 1998}, MEMBERSHIPS | {"t-kr-mur", "t-spe-len", "t-spe-kr", "t-fi-kr",
                                      "t-fi-kr-trade", "t-no-mur", "t-vert"}),
    ({"as_of": date(2000, 6, 1)}, MEMBERSHIPS | {"t-spe-len", "t-spe-kr", "t-fi-kr",
                                                 "t-no-mur", "t-tri", "t-vert"}),
    ({"period": ("1999", "2000")}, MEMBERSHIPS | {"t-kr-mur", "t-spe-len", "t-spe-kr",
                                                  "t-fi-kr", "t-no-mur", "t-nefco-spe",
                                                  "t-tri", "t-vert"}),
    ({"period": (None, "1994")}, MEMBERSHIPS - {"t-mem-ko"} | {"t-kr-mur", "t-spe-len",
                                                             "t-fi-kr", "t-no-mur", "t-vert"}),
    ({"period": (date(1999, 12, 31), date(2000, 1, 1))}, MEMBERSHIPS | {
        "t-kr-mur", "t-spe-len", "t-spe-kr", "t-fi-kr", "t-no-mur", "t-nefco-spe", "t-tri",
        "t-vert"}),
])
def test_as_of_and_period_filter_ties(hand, kwargs, expected):
    assert tie_ids(tie_graph(hand, **kwargs)) == expected


def test_period_is_recorded_and_as_of_excludes_period(hand):
    G = tie_graph(hand, period=("1995", "1998-06"))
    assert G.graph["period"] == "1995-01-01/1998-06-30" and G.graph["as_of"] == ""
    assert tie_graph(hand).graph["period"] == ""
    with pytest.raises(InvalidValueError, match="either as_of or period"):
        tie_graph(hand, as_of=date(1999, 1, 1), period=1999)


def test_kind_and_level_filters_combine_with_period(hand):
    assert tie_ids(tie_graph(hand, kinds=["cooperation"], period=2000)) == {
        "t-spe-len", "t-fi-kr", "t-tri"}
    assert tie_ids(tie_graph(hand, levels=["bilateral"], period=2000)) == {
        "t-spe-len", "t-spe-kr", "t-tri"}
    assert tie_ids(tie_graph(hand, levels=["cross-border"], period=1998)) == {
        "t-fi-kr", "t-fi-kr-trade", "t-no-mur"}


def test_projection_rule_is_kept(hand):
    G = tie_graph(hand, period=2000)
    tri = [d for *_, d in G.edges(data=True) if d["tie_id"] == "t-tri"]
    assert len(tri) == 3 and all(d["weight"] == 0.5 for d in tri)
    assert G.graph["projection"].startswith("undirected kinds: clique")


def test_layers_keep_every_node(hand):
    G = tie_graph(hand, period=1998)
    layers = graph_layers(G, by="sublevel")
    assert sorted(layers) == ["bilateral", "cross-border", "subnational", "vertical"]
    assert all(H.number_of_nodes() == G.number_of_nodes() for H in layers.values())
    assert sum(H.number_of_edges() for H in layers.values()) == G.number_of_edges()
    assert tie_ids(graph_layers(G, by="kind")["trade"]) == {"t-fi-kr-trade"}
    with pytest.raises(InvalidValueError, match="unknown layer key"):
        graph_layers(G, by="domain")


@pytest.mark.parametrize("bad", [("2000", "1999"), ("1999-13", None), "1999", 1.5])
def test_bad_periods_are_rejected(bad):
    with pytest.raises(InvalidValueError):
        period_interval(bad)


def test_period_interval_forms():
    assert period_interval(1998) == Interval(date(1998, 1, 1), date(1998, 12, 31), "1998",
                                             "1998")
    iv = period_interval(("1995", None))
    assert (iv.start, iv.end) == (date(1995, 1, 1), None)
    assert period_interval(iv) is iv
