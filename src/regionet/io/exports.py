"""Exporting a case: CSV tables, JSON, GeoJSON of the subjects, GraphML and GEXF graphs.

* ``csv`` writes a case folder: ``case.yaml`` and every table in exactly the case-file and
  import format (:data:`regionet.io.casefiles.DEFAULT_FILES`, plus
  ``geo/adjacency_1999.csv``), so the folder loads with
  :func:`~regionet.io.casefiles.load_case` and its tables re-import into a workspace; plus
  ``ties_classified.csv`` with each tie's level, sublevel, reason and neighbours. A cell
  that a spreadsheet would run as a formula (``=…``, ``+…``, ``-…``, ``@…``) is written with
  a leading apostrophe, which reading removes again
  (:func:`~regionet.io.csv_format.neutralise_formula`); comparators ``=`` are written as the
  empty cell that means the same.
* ``json`` writes one file per table (arrays of objects; lists as arrays; money as
  ``{"value", "currency", "year"}`` or null; ties with their classification).
* ``geojson`` writes ``subjects.geojson``: one feature per member of the federation with
  its polygon from ``<case folder>/geo/subjects_1999.geojson``, attributes and tie counts.
* ``graphml`` / ``gexf`` write ``ties.graphml`` / ``ties.gexf``: the
  :func:`~regionet.engines.network.graphs.tie_graph` projection.

Examples:
    >>> from regionet.io.casefiles import load_case
    >>> out = tmp_path   # any folder of yours
    >>> paths = export_case(load_case("russia-1990s"), "csv", out)
    >>> load_case(out).summary() == load_case("russia-1990s").summary()   # a case folder
    True
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

import networkx as nx
import yaml

from regionet.core.errors import DataFileError, InvalidValueError, RegionetError
from regionet.engines.network.graphs import tie_graph
from regionet.io.casefiles import APPROXIMATE_BASIS, DEFAULT_FILES, case_directory
from regionet.io.csv_format import format_row
from regionet.io.record_rows import actor_row, document_row, observation_row, tie_row
from regionet.io.records import SUBJECT_COLUMNS, TABLES
from regionet.io.serialize import (
    actor_record,
    attribute_record,
    document_record,
    observation_record,
    sources_record,
    tie_record,
)
from regionet.model.actors import AttributeValue
from regionet.model.case import AttributeRecord, Case
from regionet.model.levels import Level, Sublevel
from regionet.model.sources import SourceRef

__all__ = ["FORMATS", "GRAPH_FORMATS", "case_tables", "export_case", "write_graph"]

Format = Literal["csv", "json", "geojson", "graphml", "gexf"]
#: Formats of a tie graph file.
GRAPH_FORMATS = ("graphml", "gexf")
FORMATS: tuple[str, ...] = ("csv", "json", "geojson", "graphml", "gexf")

_SUBJECT_ROW = "subject_row"
_CAPITAL = "capital_city"  # records of geo/capitals_1999.csv, written back there
_GEO_HINT = "Build it with `python scripts/build_geodata.py`, or pass geo_dir"
_TIE_COUNTS = {"ties_bilateral": Level.BILATERAL, "ties_subnational": Level.SUBNATIONAL,
               "ties_international": Level.INTERNATIONAL,
               "ties_cross_border": Sublevel.CROSS_BORDER,
               "ties_trans_regional": Sublevel.TRANS_REGIONAL,
               "ties_non_adjacent": Sublevel.NON_ADJACENT, "ties_vertical": Level.VERTICAL}


def _num(value: float | None) -> str:
    """Write a float exactly, without a trailing ``.0`` for whole numbers."""
    if value is None:
        return ""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _value(value: AttributeValue) -> str:
    """Write an attribute value so that re-reading gives the same type (floats keep a dot)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


def _refs(sources: Sequence[SourceRef]) -> str:
    return ";".join(str(s) for s in sources)


def _subject_rows(case: Case) -> list[dict[str, str]]:
    rows = []
    for r in case.attributes:
        if r.attribute != _SUBJECT_ROW:
            continue
        attrs = case.actors[r.actor].attributes
        rows.append({"id": r.actor, **{c: _value(attrs.get(c)) for c in SUBJECT_COLUMNS},
                     "sources": _refs(r.sources), "status": r.status.value, "note": r.note})
    return rows


def case_tables(case: Case) -> dict[str, list[dict[str, str]]]:
    """Return every table of ``case`` as rows of text cells, in the case-file format.

    Examples:
        >>> import regionet as rn
        >>> rows = case_tables(rn.load_case("russia-1990s"))["ties"]
        >>> set(rows[0]) == set(TABLES["ties"].required + TABLES["ties"].optional)
        True
    """
    v = case.vocab
    return {
        "documents": [document_row(d) for d in case.documents.values()],
        "tie_kinds": [{"kind": k.name, "group": k.group, "directed": _value(k.directed),
                       "definition": k.definition, "plover": k.plover, "cameo": k.cameo}
                      for k in v.tie_kinds.values()],
        "domains": [{"domain": d.name, "definition": d.definition} for d in v.domains.values()],
        "indicators": [{"indicator": i.name, "unit": i.unit, "definition": i.definition}
                       for i in v.indicators.values()],
        "actors": [actor_row(a) for a in case.actors.values()],
        "subjects": _subject_rows(case),
        "actor_attributes": [{"actor": r.actor, "attribute": r.attribute,
                              "value": _value(r.value), "unit": r.unit,
                              "sources": _refs(r.sources), "status": r.status.value,
                              "note": r.note}
                             for r in case.attributes
                             if r.attribute not in (_SUBJECT_ROW, _CAPITAL)],
        "ties": [tie_row(t) for t in case.ties.values()],
        "observations": [observation_row(o) for o in case.observations.values()],
        "rates": [{"base": r.base, "quote": r.quote, "year": str(r.year), "rate": repr(r.rate),
                   "sources": f"{r.document}:{r.locator}", "status": r.status, "note": ""}
                  for r in case.rates],
    }


def _write_csv(path: Path, columns: Sequence[str], rows: Iterable[dict[str, str]]) -> Path:
    """Write a table; cells a spreadsheet would run as formulas are neutralised."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(format_row(columns))
        for row in rows:
            extra = set(row) - set(columns)
            if extra:
                raise ValueError(f"{path.name}: no column for {sorted(extra)}")
            fh.write(format_row([row.get(c, "") for c in columns]))
    return path


def _write_json(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def _export_csv(case: Case, out: Path) -> list[Path]:
    paths = []
    for name, rows in case_tables(case).items():
        schema = TABLES[name]
        paths.append(_write_csv(out / DEFAULT_FILES[name], schema.required + schema.optional,
                                rows))
    pairs = sorted(tuple(sorted(p)) for p in case.adjacency)
    paths.append(_write_csv(out / "geo" / "adjacency_1999.csv", ("a", "b", "basis"), (
        {"a": p[0], "b": p[-1],
         "basis": APPROXIMATE_BASIS if frozenset(p) in case.approximate_adjacency else ""}
        for p in pairs)))
    capitals = [_capital_row(case, r) for r in case.attributes if r.attribute == _CAPITAL]
    if capitals:
        paths.append(_write_csv(out / "geo" / "capitals_1999.csv",
                                ("id", "capital_en", "lat", "lon", "geonameid", "sources",
                                 "status", "note"), capitals))
    meta = {"id": case.id, "title": case.title, "federation": str(case.federation),
            "description": case.description, "credits": list(case.credits)}
    (out / "case.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False),
                                   encoding="utf-8")
    paths.append(out / "case.yaml")
    classified = []
    for t in case.ties.values():
        c = case.classify(t)
        classified.append({"id": t.id, "kind": t.kind, "actors": ";".join(t.actors),
                           "start": t.validity.start_text or "",
                           "end": t.validity.end_text or "", "level": c.level.value,
                           "sublevel": c.sublevel.value if c.sublevel else "",
                           "reason": c.reason,
                           "neighbours": "" if c.neighbours is None else _value(c.neighbours)})
    paths.append(_write_csv(out / "ties_classified.csv",
                            ("id", "kind", "actors", "start", "end", "level", "sublevel",
                             "reason", "neighbours"), classified))
    return paths


def _capital_row(case: Case, r: AttributeRecord) -> dict[str, str]:
    attrs = case.actors[r.actor].attributes
    return {"id": r.actor, "capital_en": _value(r.value), "lat": _value(attrs["capital_lat"]),
            "lon": _value(attrs["capital_lon"]), "geonameid": _value(attrs["capital_geonameid"]),
            "sources": _refs(r.sources), "status": r.status.value, "note": r.note}


def _subject_json(case: Case, r: AttributeRecord) -> dict[str, Any]:
    attrs = case.actors[r.actor].attributes
    return {"id": r.actor, **{c: attrs.get(c) for c in SUBJECT_COLUMNS},
            "sources": sources_record(r.sources), "status": r.status.value, "note": r.note}


def _export_json(case: Case, out: Path) -> list[Path]:
    v = case.vocab
    tables: dict[str, object] = {
        "case": {"id": case.id, "title": case.title, "federation": case.federation,
                 "description": case.description, "credits": list(case.credits)},
        "documents": [document_record(d) for d in case.documents.values()],
        "tie_kinds": [{"kind": k.name, "group": k.group, "directed": k.directed,
                       "definition": k.definition, "plover": k.plover, "cameo": k.cameo}
                      for k in v.tie_kinds.values()],
        "domains": [{"domain": d.name, "definition": d.definition} for d in v.domains.values()],
        "indicators": [{"indicator": i.name, "unit": i.unit, "definition": i.definition}
                       for i in v.indicators.values()],
        "actors": [actor_record(a) for a in case.actors.values()],
        "subjects": [_subject_json(case, r) for r in case.attributes
                     if r.attribute == _SUBJECT_ROW],
        "actor_attributes": [attribute_record(r) for r in case.attributes
                             if r.attribute != _SUBJECT_ROW],
        "ties": [tie_record(case, t) for t in case.ties.values()],
        "observations": [observation_record(o) for o in case.observations.values()],
        "rates": [{"base": r.base, "quote": r.quote, "year": r.year, "rate": r.rate,
                   "sources": [{"document": r.document, "locator": r.locator}],
                   "status": r.status} for r in case.rates],
        "adjacency": [sorted(p) for p in sorted(case.adjacency, key=sorted)],
        "approximate_adjacency": [sorted(p) for p in sorted(case.approximate_adjacency,
                                                            key=sorted)],
    }
    return [_write_json(out / f"{name}.json", data) for name, data in tables.items()]


def _geo_file(case: Case, geo_dir: Path | None) -> Path:
    if geo_dir is None:
        try:
            geo_dir = case_directory(case.id) / "geo"
        except RegionetError:
            raise DataFileError("no bundled case folder to take the geography from",
                                file=case.id, expected="a bundled case id",
                                hint="Pass geo_dir (the folder of subjects_1999.geojson)"
                                ) from None
    path = geo_dir / "subjects_1999.geojson"
    if not path.is_file():
        raise DataFileError("subject polygons not found", file=str(path),
                            expected="a GeoJSON FeatureCollection of the subjects", hint=_GEO_HINT)
    return path


def _export_geojson(case: Case, out: Path, geo_dir: Path | None) -> list[Path]:
    source = _geo_file(case, geo_dir)
    try:
        geo = json.loads(source.read_text(encoding="utf-8"))
        shapes = {f["properties"]["id"]: f for f in geo["features"]}
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise DataFileError(f"not a FeatureCollection with an id per feature ({exc})",
                            file=str(source), expected="features with properties.id",
                            hint=_GEO_HINT) from None
    counts: dict[str, dict[str, int]] = {a.id: dict.fromkeys(_TIE_COUNTS, 0)
                                         for a in case.members()}
    for t in case.ties.values():
        c = case.classify(t)
        for actor_id in {*t.actors, *([t.location] if t.location else [])}:
            if actor_id in counts:
                for name, level in _TIE_COUNTS.items():
                    counts[actor_id][name] += int(level in (c.level, c.sublevel))
    features = []
    for actor in case.members():
        shape = shapes.get(actor.id, {})
        props = shape.get("properties", {})
        features.append({"type": "Feature", "properties": {
            "id": actor.id, "name_en": actor.name_en, "name_local": actor.name_local,
            **{c: actor.attributes.get(c) for c in SUBJECT_COLUMNS},
            "geometry_basis": props.get("geometry_basis", "missing"),
            "shares_geometry_with": props.get("shares_geometry_with", ""),
            "geometry_note": props.get("geometry_note", ""),
            **counts[actor.id]}, "geometry": shape.get("geometry")})
    collection: dict[str, object] = {"type": "FeatureCollection"}
    if "attribution" in geo:
        collection["attribution"] = geo["attribution"]
    collection["features"] = features
    return [_write_json(out / "subjects.geojson", collection)]


def _gexf_graph(G: nx.MultiGraph) -> nx.MultiGraph:
    """Edges' ``start``/``end`` become GEXF time bounds (ISO dates, open ends left out)."""
    H = G.copy()
    for _, _, data in H.edges(data=True):
        data["start_text"], data["end_text"] = data.pop("start"), data.pop("end")
        start, end = data.pop("start_date"), data.pop("end_date")
        if start:
            data["start"] = start
        if end:
            data["end"] = end
    return H


def write_graph(G: nx.MultiGraph, fmt: str, path: Path) -> Path:
    """Write a tie graph (:func:`~regionet.engines.network.graphs.tie_graph`) to ``path``.

    ``fmt`` is ``graphml`` or ``gexf``; nodes get a ``label`` (their English name) that Gephi
    shows, and in GEXF the edges' dates become time bounds. ``G`` is not changed.

    Raises:
        InvalidValueError: another format.
    """
    if fmt not in GRAPH_FORMATS:
        raise InvalidValueError("unknown graph format", field="format", value=fmt,
                                expected="one of " + ", ".join(GRAPH_FORMATS))
    H = G.copy()
    for _, data in H.nodes(data=True):
        data["label"] = data["name_en"]
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "graphml":
        nx.write_graphml(H, path)
    else:
        nx.write_gexf(_gexf_graph(H), path)
    return path


def export_case(case: Case, fmt: str, out_dir: Path, *,
                geo_dir: Path | None = None) -> list[Path]:
    """Write ``case`` to ``out_dir`` in format ``fmt``; return the files written.

    Args:
        case: the case to export.
        fmt: ``csv``, ``json``, ``geojson``, ``graphml`` or ``gexf`` (see the module
            docstring and ``docs/data.md``).
        out_dir: the folder to write into (created if missing).
        geo_dir: for ``geojson``, the folder holding ``subjects_1999.geojson``; defaults to
            the bundled case's ``geo/`` folder.

    Raises:
        InvalidValueError: for an unknown format.
        DataFileError: for ``geojson`` when the subject polygons are missing.
    """
    out = Path(out_dir)
    if fmt == "csv":
        return _export_csv(case, out)
    if fmt == "json":
        return _export_json(case, out)
    if fmt == "geojson":
        return _export_geojson(case, out, geo_dir)
    if fmt in GRAPH_FORMATS:
        return [write_graph(tie_graph(case), fmt, out / f"ties.{fmt}")]
    raise InvalidValueError("unknown export format", field="format", value=fmt,
                            expected="one of " + ", ".join(FORMATS))
