"""``/api/network``: cooperation-network measures, the graph, bloc dominance, actorness.

Whole-graph results are computed once per workspace revision by the network service.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from regionet.core.jsonsafe import json_safe
from regionet.interfaces.api.deps import PageDep, SourceDep
from regionet.interfaces.api.problems import problem_responses
from regionet.interfaces.api.schemas import MetricsPublic, listing
from regionet.services import network

__all__ = ["router"]

router = APIRouter(prefix="/network", tags=["network"])

YearQuery = Annotated[int | None, Query(ge=1, le=9999, description="ties whose dates touch "
                                        "this year (undated ties always count)")]
LevelQuery = Annotated[str | None, Query(
    description="only ties of this level (bilateral, subnational, international, vertical, "
                "interstate, federal, external) or international sublevel (cross-border, "
                "trans-regional, non-adjacent)")]


@router.get("/metrics", response_model=MetricsPublic, responses=problem_responses(422, 503))
def read_metrics(source: SourceDep, page: PageDep, year: YearQuery = None,
                 level: LevelQuery = None) -> dict[str, Any]:
    """Per actor: degree and strength (by level), betweenness, PageRank, eigenvector, community.

    Sorted by PageRank, highest first. Definitions: docs/network.md.
    """
    return listing(page.take(network.network_metrics(source, year=year, level=level)))


@router.get("/graph", responses=problem_responses(422, 503))
def read_graph(source: SourceDep, year: YearQuery = None, level: LevelQuery = None
               ) -> dict[str, Any]:
    """The tie graph for drawing: ``{graph, nodes, edges}``.

    Nodes carry names, kinds, levels and capitals' coordinates; edges the tie id, kind,
    level, sublevel and weight (parallel edges kept).
    """
    graph: dict[str, Any] = json_safe(network.graph_json(source, year=year, level=level))
    return graph


@router.get("/blocs", response_model=MetricsPublic, responses=problem_responses(422, 503))
def read_blocs(source: SourceDep, page: PageDep, year: YearQuery = None) -> dict[str, Any]:
    """Bloc dominance: how much of each association's activity runs through one hub."""
    return listing(page.take(network.bloc_dominance_table(source, year=year)))


@router.get("/actorness", response_model=MetricsPublic, responses=problem_responses(422, 503))
def read_actorness(
    source: SourceDep, page: PageDep,
    region: Annotated[str | None, Query(description="only this region, e.g. RU-KR")] = None,
) -> dict[str, Any]:
    """International actorness per region and year, 1990–2010 (regions with foreign ties)."""
    return listing(page.take(network.actorness_table(source, region=region)))
