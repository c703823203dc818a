"""Whole-graph network results across revisions: computed again only when the graph changes.

A workspace's revision changes with every accepted write; most writes of a team's registry
(a tie's description, its sources) leave the tie graph as it was, and the network measures
are then found by the graph's digest (:func:`regionet.services.network.graph_digest`)
instead of computed again. These tests count the computations on both backends.
"""

from __future__ import annotations

from typing import Any

import pytest

from regionet.services import cache, network, reviews
from regionet.services.accounts import Principal
from regionet.services.case_source import CaseSource
from regionet.services.workspace import init_workspace

EDITOR, REVIEWER = Principal("ed", "editor"), Principal("rev", "reviewer")
TIE = "t-kr-mur-bilateral"


def change(source: CaseSource, record_id: str, **fields: str) -> None:
    """Propose and accept a change of a tie's fields: one new revision."""
    row, tag = reviews.current(source, "ties", record_id)
    proposal = reviews.propose(source, EDITOR, "ties", "update", record_id,
                               {**row, **fields}, if_match=tag)
    reviews.accept(source, REVIEWER, proposal["id"], row.get("status") or "partial")


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of graphs whose measures were computed (one item per computation).

    The cache is emptied first: a graph of the same content (another test's workspace of the
    bundled case) would otherwise be found (rightly: the measures are the graph's).
    """
    cache.clear()
    calls: list[int] = []
    compute = network._metrics

    def counting(*args: Any) -> Any:
        calls.append(1)
        return compute(*args)

    monkeypatch.setattr(network, "_metrics", counting)
    return calls


def test_metrics_are_computed_again_only_when_the_graph_changes(
        workspace_url: str, counted: list[int]) -> None:
    init_workspace(workspace_url)
    source = CaseSource.workspace(workspace_url)
    first = network.network_metrics(source)
    assert len(counted) == 1
    mur = next(r for r in first if r["id"] == "RU-MUR")

    revision = source.revision()
    change(source, TIE, description="a new description")
    assert source.revision() == revision + 1
    assert network.network_metrics(source) == first  # the same graph: found, not computed
    assert len(counted) == 1

    row, _ = reviews.current(source, "ties", TIE)
    assert row["actors"] == "RU-KR;RU-MUR"
    change(source, TIE, actors="RU-KR;RU-MUR;RU-ARK")  # a third party: a new graph
    after = network.network_metrics(source)
    assert len(counted) == 2
    ark = next(r for r in after if r["id"] == "RU-ARK")
    before_ark = next(r for r in first if r["id"] == "RU-ARK")
    assert ark["degree"] == before_ark["degree"] + 2  # a clique: ARK–KR and ARK–MUR
    assert next(r for r in after if r["id"] == "RU-MUR")["degree"] == mur["degree"] + 1


def test_the_digest_is_the_graphs_content() -> None:
    import networkx as nx

    G = network.network_graph(CaseSource.bundled())
    same = network.network_graph(CaseSource.bundled())  # a new graph each call
    assert same is not G and network.graph_digest(same) == network.graph_digest(G)
    u, v, key = next(iter(G.edges(keys=True)))
    for attribute, value in (("weight", 0.25), ("level", "bilateral"), ("status", "x")):
        H = nx.MultiGraph(G)
        H.edges[u, v, key][attribute] = value
        assert network.graph_digest(H) != network.graph_digest(G), attribute
    H = nx.MultiGraph(G)
    H.nodes[u]["name_en"] = "renamed"
    assert network.graph_digest(H) != network.graph_digest(G)
