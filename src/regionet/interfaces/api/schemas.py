"""Request and response schemas of the REST API (pydantic v2), separate from domain types.

Naming follows the FastAPI full-stack template: ``XPublic`` is what the API returns for one
record, ``XsPublic`` a page of them (``data`` + ``count``, the total before pagination),
``XCreate`` a request body. Field names are the ones :mod:`regionet.io.serialize` and the
fiscal pipeline use, so the API, the CLI's ``--json`` and the exports agree.

Examples:
    >>> page = TiesPublic(data=[], count=0)
    >>> page.model_dump()
    {'data': [], 'count': 0}
    >>> FiscalRunCreate(year=1999, rule="operation").scenario is None
    True
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from regionet.core.jsonsafe import json_safe
from regionet.services.paging import Listing

__all__ = [
    "ActorDetailPublic", "ActorPublic", "ActorsPublic", "AmountPublic", "AttributeSourcePublic",
    "CitedByPublic", "ComparisonPublic", "ComparisonRowPublic", "ExplanationPublic",
    "FiscalRowPublic", "FiscalRunCreate", "FiscalRunPublic", "HealthAdmin", "HealthPublic",
    "MeasurePublic", "MeasuresPublic", "MetricsPublic", "ObservationPublic", "ObservationsPublic",
    "PendingPublic", "Problem", "RegionSeriesPublic", "RegionYearPublic", "ScenarioPublic",
    "ScenariosPublic", "SourceDetailPublic", "SourcePublic", "SourceRefPublic", "SourcesPublic",
    "StepPublic", "TieDetailPublic", "TiePublic", "TiesPublic", "listing",
]

#: A number the API may return as null: NaN and infinities are not JSON (RFC 8259).
Number = float | None
AttributeValue = str | int | float | bool | None


def listing(page: Listing[Any]) -> dict[str, Any]:
    """Return a page of a list as the body of a list endpoint: ``{data, count}``.

    Examples:
        >>> listing(Listing([{"x": float("nan")}], 3))
        {'data': [{'x': None}], 'count': 3}
    """
    return {"data": json_safe(page.data), "count": page.count}


class SourceRefPublic(BaseModel):
    """A citation: a document id and a locator in it (``para 14``)."""

    document: str
    locator: str


class AmountPublic(BaseModel):
    """Money: an amount, a currency and the year of the currency."""

    value: float
    currency: str
    year: int | None


class ActorPublic(BaseModel):
    """An actor of the case (centre, subject, association, state, organization…)."""

    id: str
    kind: str
    name_en: str
    name_local: str
    valid_from: str | None
    valid_to: str | None
    parent: str | None
    attributes: dict[str, AttributeValue]
    sources: list[SourceRefPublic]
    status: str
    note: str


class PendingPublic(BaseModel):
    """A record proposed and under review (``?include=proposals``)."""

    proposal_id: int
    state: Literal["proposed"]
    action: Literal["create", "update", "delete"]
    record_id: str
    author: str
    created_at: str
    row: dict[str, Any] | None = Field(description="the proposed row; null for a delete")


def _proposals_field() -> Any:
    return Field(default=None, exclude_if=lambda v: v is None,
                 description="only with ?include=proposals: the records proposed and under "
                             "review")


class ActorsPublic(BaseModel):
    """A page of actors; ``count`` is the number of matches before pagination."""

    data: list[ActorPublic]
    count: int
    proposals: list[PendingPublic] | None = _proposals_field()


class TiePublic(BaseModel):
    """A dated, typed, sourced tie between actors, with its level and the reason for it."""

    id: str
    kind: str
    actors: list[str]
    start: str | None
    end: str | None
    level: str
    sublevel: str | None
    reason: str
    neighbours: bool | None = None
    domains: list[str]
    amount: AmountPublic | None
    quantity: float | None = None
    unit: str = ""
    location: str | None
    description: str
    sources: list[SourceRefPublic]
    status: str
    note: str


class TieDetailPublic(TiePublic):
    """One tie (``?include=proposals``: with the proposed changes of it)."""

    proposals: list[PendingPublic] | None = _proposals_field()


class TiesPublic(BaseModel):
    """A page of ties; ``count`` is the number of matches before pagination."""

    data: list[TiePublic]
    count: int
    proposals: list[PendingPublic] | None = _proposals_field()


class AttributeSourcePublic(BaseModel):
    """One sourced attribute value of an actor."""

    actor: str
    attribute: str
    value: AttributeValue
    unit: str
    sources: list[SourceRefPublic]
    status: str
    note: str


class ActorDetailPublic(ActorPublic):
    """One actor with the sources of its attributes and every tie it takes part in."""

    attribute_sources: list[AttributeSourcePublic]
    ties: list[TiePublic]
    proposals: list[PendingPublic] | None = _proposals_field()


class ObservationPublic(BaseModel):
    """An aggregate fact: indicator, subject, value (number or text), unit, period, sources."""

    id: str
    indicator: str
    subject: str
    comparator: str
    value: float | None
    value_text: str
    unit: str
    start: str | None
    end: str | None
    sources: list[SourceRefPublic]
    status: str
    note: str


class ObservationsPublic(BaseModel):
    """A page of observations."""

    data: list[ObservationPublic]
    count: int
    proposals: list[PendingPublic] | None = _proposals_field()


class CitedByPublic(BaseModel):
    """The ids of the records citing a document, by record type."""

    actors: list[str]
    attributes: list[str] = Field(description="``actor.attribute`` of each sourced value")
    ties: list[str]
    observations: list[str]


class SourcePublic(BaseModel):
    """A source document and the records that cite it."""

    id: str
    title: str
    author: str
    year: int | None
    publisher: str
    url: str
    note: str
    cited_by: CitedByPublic


class SourceDetailPublic(SourcePublic):
    """One source document (``?include=proposals``: with the proposed changes of it)."""

    proposals: list[PendingPublic] | None = _proposals_field()


class SourcesPublic(BaseModel):
    """A page of source documents."""

    data: list[SourcePublic]
    count: int
    proposals: list[PendingPublic] | None = _proposals_field()


class MetricsPublic(BaseModel):
    """Rows of a network table (metrics, bloc dominance, actorness)."""

    data: list[dict[str, Any]]
    count: int


class MeasurePublic(BaseModel):
    """A per-subject measure the map can show."""

    name: str
    label: str
    unit: str
    kind: str
    needs_year: bool
    illustrative: bool
    description: str


class MeasuresPublic(BaseModel):
    """Every measure the map can show."""

    data: list[MeasurePublic]
    count: int


class ScenarioPublic(BaseModel):
    """A bundled fiscal scenario: what it overrides and which rules it sets."""

    name: str
    description: str
    overrides: list[str] = Field(description="the parameter paths it overrides")
    rules: dict[str, str]


class ScenariosPublic(BaseModel):
    """The bundled fiscal scenarios."""

    data: list[ScenarioPublic]
    count: int


class HealthAdmin(BaseModel):
    """What only an admin sees of the workspace: where it is and which schema it has."""

    location: str = Field(description="file path or database URL (password as ***)")
    backend: str = Field(description="sqlite or postgresql")
    schema_version: int | None = Field(description="the case's schema (None: no case)")
    migration: str | None = Field(description="the Alembic revision (None: unstamped)")
    migration_head: str = Field(description="the newest revision this server knows")


class HealthPublic(BaseModel):
    """What the server serves: a workspace file, or the bundled case read-only."""

    status: Literal["ok"]
    version: str
    source: Literal["workspace", "bundled"]
    read_only: bool
    db: str | None
    case: str
    revision: int = Field(description="the workspace's write counter (0: bundled case)")
    detail: str
    counts: dict[str, int]
    admin: HealthAdmin | None = Field(
        default=None, description="only for an admin's token; None for everyone else")


Rate = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class FiscalRunCreate(BaseModel):
    """A fiscal run: a year, optionally a bundled scenario, rules and parameter overrides.

    ``overrides`` follow the scenario format of ``docs/parameters.md``:
    ``{parameter.path: {YYYY-MM-DD: value}}``; they are applied on top of ``scenario`` and
    validated before use (unknown paths and bad dates give 422 naming them).
    """

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"year": 1998, "scenario": "collection-collapse-1998", "rule": "operation"},
        {"year": 1999, "overrides": {"vat.split.regional": {"1999-01-01": 0.25}},
         "equalization": "equal_per_capita"}]})

    year: int = Field(ge=1992, le=2010, description="fiscal year (1992–2010)")
    scenario: str | None = Field(None, description="a bundled scenario name (GET /api/scenarios)")
    rule: str | None = Field(None, description="attribution rule of the profit tax's regional "
                             "part: registration, operation, art288, art288_1995, uditpa, "
                             "uditpa_double_sales, uditpa_single_sales, ccctb, canada")
    overrides: dict[str, dict[str, Rate]] | None = Field(
        None, description="{parameter.path: {YYYY-MM-DD: non-negative number}}")
    equalization: str | None = Field(None, description="equalization method: two_stage, "
                                     "gap_filling, equal_per_capita or none")
    inputs: str | None = Field(None, description="fiscal inputs registered in the workspace "
                               "(GET /api/fiscal/inputs); none means the illustrative economy")


class FiscalRowPublic(BaseModel):
    """One region's result; amounts in million rubles of the year, per capita per person."""

    region: str
    population: Number
    profit_tax_federal: Number
    profit_tax_regional: Number
    revenue_federal_collected: Number
    revenue_regional: Number
    transfers: Number
    net_flow: Number
    revenue_regional_per_capita: Number
    transfers_per_capita: Number
    total_per_capita: Number


class InputsUsedPublic(BaseModel):
    """Which inputs a result came from."""

    name: str = Field(description="registered inputs' name, or illustrative")
    checksum: str | None = Field(description="SHA-256 of the inputs' files")
    illustrative: bool = Field(description="true when any input is the illustrative economy")


class InputsPublic(BaseModel):
    """Fiscal inputs that runs can use: the illustrative economy and registered inputs."""

    name: str
    checksum: str
    years: list[int] = Field(description="years the files hold (empty: any year)")
    rows: dict[str, int] = Field(description="data rows per file (establishments, firms, "
                                 "regions)")
    added: str | None = Field(description="when registered (ISO 8601, UTC)")
    illustrative: bool


class InputsListPublic(BaseModel):
    """Every fiscal inputs a run can name."""

    data: list[InputsPublic]
    count: int


class FiscalRunPublic(BaseModel):
    """A year's fiscal results: rules used, national totals and one row per region."""

    year: int
    scenario: str | None
    rules: dict[str, str]
    inputs: InputsUsedPublic
    illustrative: bool
    totals: dict[str, Number]
    data: list[FiscalRowPublic]
    count: int


class ComparisonRowPublic(BaseModel):
    """One region's change of the measure from scenario ``a`` to scenario ``b``."""

    region: str
    year: int
    a: Number
    b: Number
    difference: Number
    relative: Number = Field(description="difference / |a|; null when a = 0")
    status: Literal["winner", "loser", "unchanged"]


class ComparisonPublic(BaseModel):
    """Winners and losers of scenario ``b`` against ``a``, largest gain first."""

    year: int
    a: str
    b: str
    measure: str
    inputs: InputsUsedPublic
    winners: int
    losers: int
    data: list[ComparisonRowPublic]
    count: int


class RegionYearPublic(BaseModel):
    """One year of a region's fiscal profile."""

    year: int
    revenue_regional_per_capita: Number
    transfers_per_capita: Number
    total_per_capita: Number
    net_flow: Number


class RegionSeriesPublic(BaseModel):
    """A region's fiscal series 1992–2010 under one scenario (the dashboard's profile)."""

    region: str
    scenario: str | None
    illustrative: bool
    data: list[RegionYearPublic]
    count: int


class StepPublic(BaseModel):
    """One step of an explanation: ``quantity = value`` by ``formula``."""

    quantity: str
    formula: str
    value: Number
    inputs: dict[str, Number]
    rule: str | None
    note: str | None
    parameters: list[dict[str, Any]]


class ExplanationPublic(BaseModel):
    """The trace of inputs, parameters and rule behind one region's number."""

    region: str
    year: int
    quantity: str
    value: Number
    inputs: InputsUsedPublic
    steps: list[StepPublic]


class Problem(BaseModel):
    """An error, as RFC 9457 ``application/problem+json`` plus regionet's error fields."""

    type: str = Field(description="a URI naming the kind of problem")
    title: str
    status: int
    detail: str
    instance: str | None = None
    file: str | None = None
    row: int | None = None
    field: str | None = None
    value: str | None = None
    expected: str | None = None
    hint: str | None = None
    errors: list[dict[str, Any]] | None = None
    current: dict[str, Any] | None = Field(
        default=None, description="412/409: the record as it is now (its ETag in the header)")


class ProposalPublic(BaseModel):
    """A proposed change of one record and its review."""

    id: int
    resource: str = Field(description="actors, ties, observations or documents")
    record_id: str
    action: str = Field(description="create, update or delete")
    payload: dict[str, Any] | None = Field(description="the new row (None for a delete)")
    base_etag: str | None = Field(description="ETag of the version it changes")
    author: str
    created_at: str
    state: str = Field(description="proposed, accepted or rejected")
    reviewer: str | None
    reviewed_at: str | None
    status_given: str | None = Field(description="verified, partial or assumed (accepted)")
    reason: str | None = Field(description="why it was rejected")


class ProposalsPublic(BaseModel):
    """A page of proposals."""

    data: list[ProposalPublic]
    count: int


class RecordRowPublic(BaseModel):
    """One record as the row of its case file, with its ETag."""

    resource: str
    id: str
    etag: str
    row: dict[str, str]


class HistoryEntryPublic(BaseModel):
    """One change of a record."""

    version: int
    action: str = Field(description="create, update, delete, import or revert")
    who: str
    at: str
    before: dict[str, str] | None
    after: dict[str, str] | None = Field(
        description="None for a delete, and for an import (the row is the next entry's "
                    "before, or the current record)")
    proposal: int | None


class HistoryPublic(BaseModel):
    """A record's history, oldest first, and its current ETag (None if deleted)."""

    resource: str
    id: str
    etag: str | None
    versions: list[HistoryEntryPublic]
