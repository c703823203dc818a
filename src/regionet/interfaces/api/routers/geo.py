"""``/api/geo``: the subjects with a measure's values, and the neighbouring states (GeoJSON).

Responses are ``application/geo+json`` (RFC 7946). Both are large (the subjects' polygons are
about 0.9 MB), so the services encode each distinct answer once per workspace revision: the
map's tie counts follow the workspace like every other resource.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from regionet.interfaces.api.deps import SourceDep
from regionet.interfaces.api.problems import problem_responses
from regionet.services.fiscal import check_scenario_name
from regionet.services.geo import neighbours_geojson_bytes
from regionet.services.measures import subjects_geojson_bytes

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


@router.get("/subjects", response_class=GeoJSONResponse,
            responses={**_GEO_OK, **problem_responses(422, 503)})
def read_subjects(
    source: SourceDep,
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
    check_scenario_name(source, scenario)
    return GeoJSONResponse(subjects_geojson_bytes(source, measure, year=year,
                                                  scenario=scenario))


@router.get("/neighbours", response_class=GeoJSONResponse,
            responses={**_GEO_OK, **problem_responses(503)})
def read_neighbours(source: SourceDep) -> GeoJSONResponse:
    """The outlines of the states neighbouring the federation, as GeoJSON."""
    return GeoJSONResponse(neighbours_geojson_bytes(source))
