"""The main job: validate a case and write its tables, exports and a workspace to a folder.

With an economy, the job also runs the fiscal section (``fiscal/``) and, when the case has
dynamics files, the dynamics section (``dynamics/``: every scenario over 20 seeds); the report
(:mod:`regionet.services.report`) is built from the :class:`RunResult` it returns.

Examples:
    >>> out = tmp_path / "out"   # tmp_path: any folder of yours
    >>> result = run_case(CaseSource.bundled(), out, fiscal=False, dynamics=False)
    >>> (out / "tables" / "ties.csv").is_file(), result.counts["actors.subject"]
    (True, 89)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from regionet.io.exports import export_case
from regionet.io.serialize import document_record, observation_record, tie_record
from regionet.model.case import Case
from regionet.services.case_source import CaseSource, case_folder, case_of
from regionet.services.dynamics_summary import DynamicsSection, dynamics_section
from regionet.services.fiscal_summary import FiscalSection, fiscal_section
from regionet.storage.workspace import Workspace

__all__ = ["RunResult", "case_result", "has_dynamics", "run_case"]


@dataclass
class RunResult:
    """What the main job produced: counts, file paths and the data the report shows.

    ``source`` is where the case came from and ``case`` the validated case itself, so that
    the report reuses it (and the fiscal and dynamics sections in ``fiscal`` and
    ``dynamics``) instead of loading or computing them again.
    """

    source: CaseSource
    case_id: str
    title: str
    description: str
    credits: list[str]
    counts: dict[str, int]
    files: dict[str, Path]
    ties: list[dict[str, Any]] = field(default_factory=list)
    observations: list[dict[str, Any]] = field(default_factory=list)
    status_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    documents: list[dict[str, Any]] = field(default_factory=list)
    fiscal: FiscalSection | None = None
    case: Case | None = field(default=None, repr=False)
    dynamics: DynamicsSection | None = None


def _status_counts(case: Case) -> dict[str, dict[str, int]]:
    tables: dict[str, list[str]] = {
        "actors": [a.status.value for a in case.actors.values()],
        "ties": [t.status.value for t in case.ties.values()],
        "observations": [o.status.value for o in case.observations.values()],
        "attributes": [r.status.value for r in case.attributes],
    }
    return {name: dict(Counter(values)) for name, values in tables.items()}


def has_dynamics(source: CaseSource) -> bool:
    """True when the case has what the dynamics model needs (an economy, dynamics files)."""
    folder = case_folder(source)
    return (folder / "economy").is_dir() and (folder / "dynamics").is_dir()


def run_case(source: CaseSource, out: Path,
             progress: Callable[[str], None] | None = None, *, fiscal: bool = True,
             dynamics: bool = True) -> RunResult:
    """Run the main job for the case of ``source`` into ``out``.

    Writes ``tables/`` (CSV, re-importable), ``json/``, ``subjects.geojson``,
    ``ties.graphml``, a workspace ``regionet.db``; when ``fiscal`` is True and the case has
    an economy, the fiscal section's tables in ``fiscal/``; when ``dynamics`` is True and
    the case has dynamics files, the dynamics section's in ``dynamics/``.
    """
    say = progress or (lambda _msg: None)
    say("Loading and validating the case")
    case = case_of(source)
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    say("Writing tables")
    export_case(case, "csv", out / "tables")
    files["tables"] = out / "tables"
    export_case(case, "json", out / "json")
    files["json"] = out / "json"
    say("Writing GeoJSON and GraphML")
    files["geojson"] = export_case(case, "geojson", out, geo_dir=case_folder(source) / "geo")[0]
    files["graphml"] = export_case(case, "graphml", out)[0]
    say("Writing the workspace")
    Workspace(out / "regionet.db").init(case, overwrite=True)
    files["database"] = out / "regionet.db"
    section = None
    if fiscal and (case_folder(source) / "economy").is_dir():
        say("Running the fiscal pipeline 1992-2010 and the scenarios")
        section = fiscal_section(source, out)
        files["fiscal"] = out / "fiscal"
    motion = None
    if dynamics and has_dynamics(source):
        motion = dynamics_section(source, out, progress=say)
        files["dynamics"] = out / "dynamics"
    return case_result(source, case, files, section, motion)


def case_result(source: CaseSource, case: Case, files: dict[str, Path],
                section: FiscalSection | None = None,
                dynamics: DynamicsSection | None = None) -> RunResult:
    """Return the :class:`RunResult` of ``case``: its counts, records and documents.

    Shared by :func:`run_case` and the report (:mod:`regionet.services.report`), which
    writes only the files it needs and lists them in ``files``.
    """
    return RunResult(
        source=source, case_id=case.id, title=case.title, description=case.description,
        credits=list(case.credits), counts=case.summary(), files=files,
        ties=[tie_record(case, t) for t in sorted(case.ties.values(), key=lambda t: t.id)],
        observations=[observation_record(o) for o in case.observations.values()],
        status_counts=_status_counts(case),
        documents=[document_record(d)
                   for d in sorted(case.documents.values(), key=lambda d: d.id)],
        fiscal=section, case=case, dynamics=dynamics,
    )
