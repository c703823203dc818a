"""Use cases on a user's workspace: init, import, validate, query, show, export.

These functions are what the CLI (and later the REST API) call; they return plain data
and never print.

Examples:
    >>> import tempfile, pathlib
    >>> db = pathlib.Path(tempfile.mkdtemp()) / "ws.db"
    >>> counts = init_workspace(db, "russia-1990s")
    >>> counts["actors"] > 100
    True
    >>> [t["id"] for t in list_ties(db, actor="NO", kind="pledge")]
    ['t-no-pechenganikel-pledge']
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from regionet.core.errors import UnknownReferenceError, did_you_mean
from regionet.io.casefiles import load_case
from regionet.io.exports import export_case
from regionet.io.serialize import (
    actor_record,
    attribute_record,
    document_record,
    observation_record,
    tie_record,
)
from regionet.model.actors import ActorKind
from regionet.model.case import Case, TieFilter
from regionet.storage.workspace import Workspace

__all__ = [
    "export_workspace",
    "import_files",
    "init_workspace",
    "list_actors",
    "list_observations",
    "list_ties",
    "open_case",
    "show",
    "validate_files",
]


def open_case(db: str | Path) -> Case:
    """Return the case stored in the workspace ``db``."""
    return Workspace(db).load_case()


def init_workspace(db: str | Path, case: str = "russia-1990s", *, force: bool = False
                   ) -> dict[str, int]:
    """Create the workspace ``db`` holding the validated case ``case``; return row counts."""
    return Workspace(db).init(load_case(case), overwrite=force)


def validate_files(db: str | Path, files: Sequence[Path], *, table: str | None = None
                   ) -> dict[str, int]:
    """Check import files against the workspace without writing; return counts per table."""
    plan = Workspace(db).validate_files(files, table=table)
    return dict(plan.counts)


def import_files(db: str | Path, files: Sequence[Path], *, table: str | None = None
                 ) -> dict[str, int]:
    """Validate and import files in one transaction; return counts per table."""
    return Workspace(db).import_files(files, table=table)


def list_actors(db: str | Path, *, kind: str | None = None) -> list[dict[str, Any]]:
    """Return the workspace's actors (optionally of one kind), sorted by id."""
    if kind is not None:
        ActorKind.parse(kind)
    case = open_case(db)
    return [actor_record(a) for a in sorted(case.actors.values(), key=lambda a: a.id)
            if kind is None or a.kind == kind]


def list_ties(db: str | Path, *, level: str | None = None, sublevel: str | None = None,
              actor: str | None = None, kind: str | None = None, year: int | None = None,
              as_of: date | None = None, status: str | None = None) -> list[dict[str, Any]]:
    """Return the ties matching the filters, each with its level, sublevel and reason."""
    case = open_case(db)
    found = case.select_ties(TieFilter(level, sublevel, actor, kind, year, as_of, status))
    return [tie_record(case, t) for t in sorted(found, key=lambda t: t.id)]


def list_observations(db: str | Path, *, subject: str | None = None) -> list[dict[str, Any]]:
    """Return the workspace's observations (optionally about one subject)."""
    case = open_case(db)
    if subject is not None:
        case.actor(subject)
    return [observation_record(o) for o in sorted(case.observations.values(), key=lambda o: o.id)
            if subject is None or o.subject == subject]


def show(db: str | Path, record_id: str) -> dict[str, Any]:
    """Return one actor, tie, observation or document by id, with what relates to it."""
    case = open_case(db)
    if record_id in case.actors:
        out = actor_record(case.actors[record_id])  # type: ignore[index]
        out["record_type"] = "actor"
        out["attribute_sources"] = [attribute_record(r) for r in case.attributes_of(record_id)]
        out["ties"] = [tie_record(case, t) for t in case.select_ties(actor=record_id)]
        return out
    if record_id in case.ties:
        return {"record_type": "tie", **tie_record(case, case.tie(record_id))}
    if record_id in case.observations:
        return {"record_type": "observation",
                **observation_record(case.observations[record_id])}  # type: ignore[index]
    if record_id in case.documents:
        doc = document_record(case.documents[record_id])  # type: ignore[index]
        cited = [t.id for t in case.ties.values() if t.cites(record_id)]
        return {"record_type": "document", **doc, "cited_by_ties": cited}
    every = [*case.actors, *case.ties, *case.observations, *case.documents]
    raise UnknownReferenceError("no actor, tie, observation or document has this id",
                                field="id", value=record_id,
                                expected="an id listed by `regionet data actors` or `data ties`",
                                hint=did_you_mean(record_id, every))


def export_workspace(db: str | Path, fmt: str, out_dir: Path) -> list[Path]:
    """Export the workspace's case to ``out_dir`` in ``fmt`` (csv, json, geojson, graphml)."""
    return export_case(open_case(db), fmt, out_dir)  # type: ignore[arg-type]
