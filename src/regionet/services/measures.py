"""Per-region measures a map can show: one number for each of the 89 subjects of 1999.

The REST API, the dashboard, the CLI and the paper figures all take their map values from
here, by measure name:

* **case** measures come from the case's data (``population``: Rosstat, 1 January 1999);
* **fiscal** measures run the fiscal pipeline (:func:`regionet.services.fiscal.run_fiscal_year`)
  for a ``year`` (1992–2010, required) and an optional ``scenario``; they come from the
  illustrative economy, so ``illustrative`` is True. Per-capita amounts are converted from the
  pipeline's million rubles per person to **rubles per person** (× 10⁶); totals stay in million
  rubles of the year;
* **network** measures count the ties each subject takes part in (as a party or as the tie's
  location, exactly as :meth:`regionet.model.case.Case.select_ties` with ``actor=``), by level.
  With a ``year`` only ties whose dates touch that year count, and **undated ties always
  count** (the case does not know when they held); without a year every tie counts.

Measures that do not use ``year`` or ``scenario`` ignore them, so a client can pass the same
arguments for every measure.

Values are computed once per case source and revision (the services' cache), with queries on
the source's database (tie counts are one ``GROUP BY``), never from a fully loaded case.

Examples:
    >>> source = CaseSource.bundled()
    >>> values = measure_values(source, "ties_cross_border")
    >>> len(values), values["RU-KR"] >= 5
    (89, True)
    >>> MEASURES["transfers_per_capita"].unit
    'RUB per person'
    >>> try:
    ...     measure_values(source, "transfer_per_capita", year=1999)
    ... except UnknownReferenceError as err:
    ...     print(err.hint)
    Did you mean transfers_per_capita, total_per_capita, net_flow_per_capita?
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from regionet.core.errors import InvalidValueError, UnknownReferenceError, closest
from regionet.core.jsonsafe import json_bytes
from regionet.io.geojson import Feature
from regionet.model.actors import Actor
from regionet.model.case import TieFilter
from regionet.services.cache import memo
from regionet.services.case_source import (
    CaseSource,
    case_folder,
    per_version,
    reading,
)
from regionet.storage import queries

__all__ = ["MEASURES", "TIE_YEARS", "EncodedSubjects", "Measure", "MeasureKind",
           "encoded_subjects", "measure_values", "subjects_geojson", "subjects_geojson_bytes"]

MeasureKind = Literal["fiscal", "network", "case"]

#: Years a network measure accepts (a calendar-year sanity range, not the data's span).
TIE_YEARS = range(1900, 2101)


@dataclass(frozen=True)
class Measure:
    """A per-region quantity a map can show.

    Attributes:
        name: the snake_case name used by the API, the CLI and the dashboard.
        label: a human label for legends and titles.
        unit: the unit of the values.
        kind: ``fiscal`` (runs the fiscal pipeline), ``network`` (counts ties) or ``case``
            (a fact of the case).
        needs_year: True when a year must be given.
        illustrative: True when the values come from the illustrative economy.
        description: how the values are computed.
    """

    name: str
    label: str
    unit: str
    kind: MeasureKind
    needs_year: bool
    illustrative: bool
    description: str


_RUB_PC = "RUB per person"
_FISCAL_NOTE = (" From the illustrative economy (docs/economy.md): shows the mechanism, "
                "not history.")
_TIE_NOTE = (" Ties in which the subject is a party or the location; with a year, ties "
             "whose dates touch the year, undated ties always count.")


def _fiscal(name: str, label: str, unit: str, text: str) -> Measure:
    return Measure(name, label, unit, "fiscal", True, True, text + _FISCAL_NOTE)


def _ties(name: str, label: str, text: str) -> Measure:
    return Measure(name, label, "ties", "network", False, False, text + _TIE_NOTE)


#: Every measure by name.
MEASURES: Mapping[str, Measure] = {m.name: m for m in (
    Measure("population", "Population, 1 January 1999", "persons", "case", False, False,
            "Resident population on 1 January 1999 (Rosstat, EMISS indicator 31557, "
            "retro-revised after the 2002 census); subjects.csv population_1999."),
    _fiscal("transfers_per_capita", "Equalization transfers per capita", _RUB_PC,
            "Equalization transfer received / population, in rubles of the year."),
    _fiscal("revenue_regional_per_capita", "Own regional revenue per capita", _RUB_PC,
            "Own regional + local revenue credited to the region's budget / population."),
    _fiscal("total_per_capita", "Own revenue and transfers per capita", _RUB_PC,
            "(Own regional revenue + transfers) / population."),
    _fiscal("net_flow_per_capita", "Net flow from the centre per capita", _RUB_PC,
            "(Transfers − federal revenue collected in the region) / population: positive "
            "when the region receives more than the centre collects there."),
    _fiscal("profit_tax_regional", "Regional part of the profit tax", "million RUB",
            "The profit tax's regional part attributed to the region by the year's rule."),
    _fiscal("donor_net_contributor", "Donor (net contributor)", "1 = donor, 0 = not",
            "1 if net_flow < 0 (the centre collects more in the region than it transfers "
            "back: definition net_contributor of docs/fiscal.md), else 0."),
    _fiscal("donor_no_equalization_transfer", "Donor (no equalization transfer)",
            "1 = donor, 0 = not",
            "1 if the region receives no equalization transfer (definition "
            "no_equalization_transfer of docs/fiscal.md), else 0."),
    _ties("ties_total", "Ties, all levels", "Every tie, whatever its level."),
    _ties("ties_bilateral", "Bilateral ties", "Ties of level bilateral (members only)."),
    _ties("ties_subnational", "Subnational ties",
          "Ties of level subnational (within an association, mostly memberships)."),
    _ties("ties_international", "International ties",
          "Ties of level international (cross-border, trans-regional and non-adjacent)."),
    _ties("ties_cross_border", "Cross-border ties",
          "International ties of sublevel cross-border."),
    _ties("ties_trans_regional", "Trans-regional ties",
          "International ties of sublevel trans-regional (multilateral organizations)."),
    _ties("ties_non_adjacent", "Non-adjacent international ties",
          "International ties of sublevel non-adjacent (a foreign partner that no member "
          "party borders)."),
    _ties("ties_vertical", "Vertical ties", "Ties of level vertical (the centre with members)."),
)}

#: The subject attribute behind each case measure.
_CASE_ATTRIBUTES: Mapping[str, str] = {"population": "population_1999"}

#: Level and sublevel filter of each network measure.
_TIE_FILTERS: Mapping[str, tuple[str | None, str | None]] = {
    "ties_total": (None, None),
    "ties_bilateral": ("bilateral", None),
    "ties_subnational": ("subnational", None),
    "ties_international": ("international", None),
    "ties_cross_border": ("international", "cross-border"),
    "ties_trans_regional": ("international", "trans-regional"),
    "ties_non_adjacent": ("international", "non-adjacent"),
    "ties_vertical": ("vertical", None),
}


def _per_capita(column: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda f: f[column] / f["population"] * 1e6


def _donor(definition: str) -> Callable[[pd.DataFrame], pd.Series]:
    def compute(frame: pd.DataFrame) -> pd.Series:
        from regionet.engines.fiscal.run.outputs import donors_recipients

        table = donors_recipients(frame, definition)
        return (table["status"] == "donor").astype(np.float64).set_axis(frame.index)
    return compute


_FISCAL: Mapping[str, Callable[[pd.DataFrame], pd.Series]] = {
    "transfers_per_capita": lambda f: f["transfers_per_capita"] * 1e6,
    "revenue_regional_per_capita": lambda f: f["revenue_regional_per_capita"] * 1e6,
    "total_per_capita": lambda f: f["total_per_capita"] * 1e6,
    "net_flow_per_capita": _per_capita("net_flow"),
    "profit_tax_regional": lambda f: f["profit_tax_regional"],
    "donor_net_contributor": _donor("net_contributor"),
    "donor_no_equalization_transfer": _donor("no_equalization_transfer"),
}


def _measure(name: str) -> Measure:
    try:
        return MEASURES[name]
    except KeyError:
        near = closest(name, MEASURES)
        raise UnknownReferenceError("unknown measure", field="measure", value=name,
                                    expected="one of " + ", ".join(MEASURES),
                                    hint=f"Did you mean {', '.join(near)}?" if near
                                    else None) from None


def _fiscal_values(source: CaseSource, m: Measure, ids: list[str], year: int | None,
                   scenario: str | None) -> dict[str, float]:
    from regionet.services.fiscal import YEARS, run_fiscal_year

    span = f"a year {YEARS.start}–{YEARS.stop - 1}"
    if year is None:
        raise InvalidValueError(f"the measure {m.name} needs a year", field="year",
                                value="", expected=span)
    if year not in YEARS:
        raise InvalidValueError("year outside the fiscal parameters' period", field="year",
                                value=year, expected=span)
    frame = run_fiscal_year(source, year, scenario=scenario).regions
    series = _FISCAL[m.name](frame)
    values = dict(zip(frame["region"].astype(str), series.astype(np.float64), strict=True))
    return {i: float(values.get(i, math.nan)) for i in ids}


def _tie_values(source: CaseSource, m: Measure, ids: list[str], year: int | None
                ) -> dict[str, float]:
    level, sublevel = _TIE_FILTERS[m.name]
    with reading(source) as conn:
        counts = queries.tie_counts(conn, TieFilter(level=level, sublevel=sublevel, year=year))
    return {i: float(counts.get(i, 0)) for i in ids}


def measure_values(source: CaseSource, measure: str, *, year: int | None = None,
                   scenario: str | None = None) -> dict[str, float]:
    """Return a measure's value for every subject of the case (region id → value).

    Args:
        source: the case source (a workspace's ties count for the network measures).
        measure: a name in :data:`MEASURES`.
        year: required for fiscal measures (1992–2010); optional for network measures
            (ties whose dates touch the year, plus undated ties); ignored otherwise.
        scenario: a bundled fiscal scenario name or a scenario file (fiscal measures only).

    Returns:
        One float per subject, in the order of ``case.members()``. A subject the fiscal
        inputs lack would be NaN (none does in the bundled case).

    Raises:
        UnknownReferenceError: an unknown measure (with suggestions) or scenario.
        InvalidValueError: a fiscal measure without a year, or a year out of range.

    Examples:
        >>> measure_values(CaseSource.bundled(), "population")["RU-MOW"]
        9783242.0
    """
    m = _measure(measure)
    used_year = year if m.kind != "case" else None
    used_scenario = scenario if m.kind == "fiscal" else None
    if m.kind == "network" and used_year is not None and used_year not in TIE_YEARS:
        raise InvalidValueError("year out of range", field="year", value=used_year,
                                expected=f"a year {TIE_YEARS.start}–{TIE_YEARS.stop - 1}")
    return dict(per_version(source, "measure", (m.name, used_year, used_scenario),
                            lambda: _values(source, m, used_year, used_scenario)))


def _members(source: CaseSource) -> list[Actor]:
    with reading(source) as conn:
        return queries.members(conn)


def _values(source: CaseSource, m: Measure, year: int | None, scenario: str | None
            ) -> dict[str, float]:
    members = _members(source)
    ids = [str(a.id) for a in members]
    if m.kind == "fiscal":
        return _fiscal_values(source, m, ids, year, scenario)
    if m.kind == "network":
        return _tie_values(source, m, ids, year)
    attribute = _CASE_ATTRIBUTES[m.name]
    return {str(a.id): _number(a.attributes.get(attribute)) for a in members}


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return math.nan
    try:
        return float(value)
    except ValueError:
        return math.nan


def subjects_geojson(source: CaseSource, measure: str | None = None, *,
                     year: int | None = None, scenario: str | None = None) -> dict[str, Any]:
    """Return the 89 subjects as a GeoJSON FeatureCollection, with a measure's values.

    Each feature has ``id`` and properties ``id, name_en, geometry_basis,
    shares_geometry_with, value`` (``null`` when the value is NaN or no measure is given).
    Units merged in 2005–08 (``geometry_basis`` = ``successor``) carry their successor's
    polygon, so several features share one geometry. Collection-level members: ``measure``,
    ``label``, ``unit``, ``illustrative``, ``year``, ``scenario`` and ``attribution``
    (Natural Earth). Geometries are in degrees (RFC 7946), Chukotka split at ±180°.

    Raises:
        The errors of :func:`measure_values`; DataFileError when the polygons are missing.

    Examples:
        >>> fc = subjects_geojson(CaseSource.bundled(), "ties_total")
        >>> fc["type"], len(fc["features"]), fc["unit"], fc["illustrative"]
        ('FeatureCollection', 89, 'ties', False)
    """
    from regionet.services.geo import subject_features

    values = (measure_values(source, measure, year=year, scenario=scenario)
              if measure is not None else {})
    subjects, attribution = subject_features(source)
    features = [{"type": "Feature", "id": f.id,
                 "properties": {**_properties(f), "value": _finite(values.get(f.id))},
                 "geometry": f.geometry()} for f in subjects]
    return {**_collection(measure, year, scenario, attribution), "features": features}


def _properties(feature: Feature) -> dict[str, Any]:
    """A subject feature's properties on the map, but its value."""
    return {"id": feature.id, "name_en": feature.properties.get("name_en", ""),
            "geometry_basis": feature.properties.get("geometry_basis", ""),
            "shares_geometry_with": feature.properties.get("shares_geometry_with", "")}


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _collection(measure: str | None, year: int | None, scenario: str | None,
                attribution: str) -> dict[str, Any]:
    """The collection-level members of :func:`subjects_geojson`, in its order, but features."""
    m = _measure(measure) if measure is not None else None
    return {
        "type": "FeatureCollection",
        "measure": measure, "label": m.label if m else None, "unit": m.unit if m else None,
        "illustrative": bool(m and m.illustrative),
        "year": year if m and m.kind != "case" else None,
        "scenario": scenario if m and m.kind == "fiscal" else None,
        "attribution": attribution,
    }


def subjects_geojson_bytes(source: CaseSource, measure: str | None = None, *,
                           year: int | None = None, scenario: str | None = None) -> bytes:
    """Return :func:`subjects_geojson` encoded as compact UTF-8 JSON (NaN as null).

    The polygons make it about 0.9 MB, so each distinct answer is kept in the services'
    cache per source revision (the map's endpoint serves these bytes), and the features,
    which do not change with the revision, are encoded once per case folder
    (:class:`EncodedSubjects`): a new revision costs the values and joining the bytes, not
    encoding the polygons again (≈ 0.6 s of CPU for every accepted change before). The bytes
    are exactly ``json_bytes(subjects_geojson(...))``.

    Examples:
        >>> source = CaseSource.bundled()
        >>> subjects_geojson_bytes(source, "ties_total") == json_bytes(
        ...     subjects_geojson(source, "ties_total"))
        True
    """
    key = (measure, year, scenario)

    def encode() -> bytes:
        collection = _collection(measure, year, scenario, "")  # unknown measure: raise first
        values = (measure_values(source, measure, year=year, scenario=scenario)
                  if measure is not None else {})
        return encoded_subjects(source).join(collection, values)

    return per_version(source, "measure.geojson", key, encode)


@dataclass(frozen=True)
class EncodedSubjects:
    """The subjects' GeoJSON features encoded as JSON once, around their ``value``.

    Attributes:
        ids: the subjects' ids, in the file's order.
        heads: each feature's JSON up to its value: ``{"type":"Feature",…,"value":``.
        tails: each feature's JSON after its value: ``},"geometry":{…}}``.
        attribution: the file's attribution.
    """

    ids: tuple[str, ...]
    heads: tuple[bytes, ...]
    tails: tuple[bytes, ...]
    attribution: str

    def join(self, collection: Mapping[str, Any], values: Mapping[str, float]) -> bytes:
        """The FeatureCollection of :func:`subjects_geojson` with ``values``, as JSON bytes.

        ``collection`` holds the collection-level members but ``attribution`` and
        ``features``; a subject without a finite value gets ``null``.
        """
        head = json_bytes({**collection, "attribution": self.attribution, "features": []})
        parts = [head[:-2]]  # the encoding ends with the features' empty list: ``[]}``
        for i, (sid, feature_head, tail) in enumerate(zip(self.ids, self.heads, self.tails,
                                                          strict=True)):
            parts += [b"," if i else b"", feature_head, json_bytes(_finite(values.get(sid))),
                      tail]
        parts.append(b"]}")
        return b"".join(parts)


def encoded_subjects(source: CaseSource) -> EncodedSubjects:
    """Return the subjects' features of ``source``'s case folder, encoded once per folder.

    Raises:
        DataFileError: the polygons are missing.
    """
    from regionet.services.geo import subject_features

    def encode() -> EncodedSubjects:
        subjects, attribution = subject_features(source)
        heads, tails = [], []
        for f in subjects:
            properties = json_bytes(_properties(f))  # a non-empty object: ``{…}``
            heads.append(b'{"type":"Feature","id":' + json_bytes(f.id) + b',"properties":'
                         + properties[:-1] + b',"value":')
            tails.append(b'},"geometry":' + json_bytes(f.geometry()) + b"}")
        return EncodedSubjects(tuple(f.id for f in subjects), tuple(heads), tuple(tails),
                               attribution)

    folder = case_folder(source)
    return memo("measure.geojson.features", (("bundled", str(folder)), "bundled"), encode)
