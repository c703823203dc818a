"""``/api/network``: cooperation-network measures, the graph, bloc dominance, actorness.

Centralities and communities take about 0.1 s for the bundled case, so the metrics are cached
per process by (workspace, its modification stamp, year, level), bounded.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Query

from regionet.interfaces.api.deps import CaseDep, CaseSource, Page, PageDep, SourceDep, load_source
from regionet.interfaces.api.problems import problem_responses
from regionet.interfaces.api.schemas import MetricsPublic, json_safe
from regionet.services import network

__all__ = ["router"]

router = APIRouter(prefix="/network", tags=["network"])

YearQuery = Annotated[int | None, Query(ge=1, le=9999, description="ties whose dates touch "
                                        "this year (undated ties always count)")]
LevelQuery = Annotated[str | None, Query(
    description="only ties of this level (bilateral, subnational, international, vertical, "
                "interstate, federal, external) or international sublevel (cross-border, "
                "trans-regional, non-adjacent)")]


def _page(rows: list[dict[str, Any]] | tuple[dict[str, Any], ...], page: Page
          ) -> dict[str, Any]:
    return {"data": json_safe(page.take(rows)), "count": len(rows)}


@lru_cache(maxsize=64)
def _metrics(source: CaseSource, stamp: tuple[int, int], year: int | None, level: str | None
             ) -> tuple[dict[str, Any], ...]:
    return tuple(network.network_metrics(load_source(source), year=year, level=level))


@router.get("/metrics", response_model=MetricsPublic, responses=problem_responses(422, 503))
def read_metrics(source: SourceDep, page: PageDep, year: YearQuery = None,
                 level: LevelQuery = None) -> dict[str, Any]:
    """Per actor: degree and strength (by level), betweenness, PageRank, eigenvector, community.

    Sorted by PageRank, highest first. Definitions: docs/network.md.
    """
    return _page(_metrics(source, source.stamp(), year, level), page)


@router.get("/graph", responses=problem_responses(422, 503))
def read_graph(case: CaseDep, year: YearQuery = None, level: LevelQuery = None
               ) -> dict[str, Any]:
    """The tie graph for drawing: ``{graph, nodes, edges}``.

    Nodes carry names, kinds, levels and capitals' coordinates; edges the tie id, kind,
    level, sublevel and weight (parallel edges kept).
    """
    graph: dict[str, Any] = json_safe(network.graph_json(case, year=year, level=level))
    return graph


@router.get("/blocs", response_model=MetricsPublic, responses=problem_responses(422, 503))
def read_blocs(case: CaseDep, page: PageDep, year: YearQuery = None) -> dict[str, Any]:
    """Bloc dominance: how much of each association's activity runs through one hub."""
    return _page(network.bloc_dominance_table(case, year=year), page)


@router.get("/actorness", response_model=MetricsPublic, responses=problem_responses(422, 503))
def read_actorness(
    case: CaseDep, page: PageDep,
    region: Annotated[str | None, Query(description="only this region, e.g. RU-KR")] = None,
) -> dict[str, Any]:
    """International actorness per region and year, 1990–2010 (regions with foreign ties)."""
    return _page(network.actorness_table(case, region=region), page)
