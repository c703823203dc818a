"""``/api/geo``: the subjects with a measure's values, and the neighbouring states (GeoJSON).

Responses are ``application/geo+json`` (RFC 7946). Both are large (the subjects' polygons are
about 0.9 MB), so each distinct answer is encoded once per process and cached (bounded).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from regionet.interfaces.api import fiscal_runs
from regionet.interfaces.api.problems import problem_responses
from regionet.interfaces.api.schemas import json_safe
from regionet.services.geo import neighbours_geojson
from regionet.services.measures import subjects_geojson

__all__ = ["GEO_JSON", "GeoJSONResponse", "router"]

GEO_JSON = "application/geo+json"
router = APIRouter(prefix="/geo", tags=["geo"])


class GeoJSONResponse(Response):
    """A response carrying an already encoded GeoJSON document."""

    media_type = GEO_JSON


_FEATURE_COLLECTION: dict[str, Any] = {
    "type": "object", "required": ["type", "features"],
    "properties": {"type": {"type": "string", "enum": ["FeatureCollection"]},
                   "features": {"type": "array", "items": {"type": "object"}}}}
_GEO_OK: dict[int | str, dict[str, Any]] = {
    200: {"description": "A GeoJSON FeatureCollection",
          "content": {GEO_JSON: {"schema": _FEATURE_COLLECTION}}}}


def _encode(data: Any) -> bytes:
    return json.dumps(json_safe(data), ensure_ascii=False, allow_nan=False,
                      separators=(",", ":")).encode("utf-8")


@lru_cache(maxsize=32)
def _subjects(measure: str | None, year: int | None, scenario: str | None) -> bytes:
    return _encode(subjects_geojson(measure, year=year, scenario=scenario))


@lru_cache(maxsize=1)
def _neighbours() -> bytes:
    return _encode(neighbours_geojson())


@router.get("/subjects", response_class=GeoJSONResponse,
            responses={**_GEO_OK, **problem_responses(422, 503)})
def read_subjects(
    measure: Annotated[str | None, Query(description="a measure name (GET /api/measures); "
                                         "none gives the polygons with null values")] = None,
    year: Annotated[int | None, Query(ge=1, le=9999, description="year, for fiscal (required) "
                                      "and network measures")] = None,
    scenario: Annotated[str | None, Query(description="a bundled fiscal scenario")] = None,
) -> GeoJSONResponse:
    """The 89 subjects of 1999 as GeoJSON, each with the measure's ``value`` (null if none).

    The collection carries ``measure``, ``label``, ``unit``, ``illustrative``, ``year``,
    ``scenario`` and the Natural Earth ``attribution``.
    """
    fiscal_runs.check_scenario(scenario)
    return GeoJSONResponse(_subjects(measure, year, scenario))


@router.get("/neighbours", response_class=GeoJSONResponse,
            responses={**_GEO_OK, **problem_responses(503)})
def read_neighbours() -> GeoJSONResponse:
    """The outlines of the states neighbouring the federation, as GeoJSON."""
    return GeoJSONResponse(_neighbours())
