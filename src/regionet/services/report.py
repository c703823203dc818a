"""Everything the report shows, gathered into one plain data object (no HTML, no figures).

The report (:mod:`regionet.interfaces.report`) renders a :class:`ReportData`. It is built
from the main job's :class:`~regionet.services.run.RunResult` (:func:`report_data`), so the
case is loaded and the fiscal section computed once; :func:`build_report_data` runs only
what the report needs (the case and the fiscal section) when there is no main job.

Network results are for the memo's year (1999) unless said otherwise; international
actorness runs over 1990–2010. Every number keeps its trace: ties and observations carry
their sources (document:locator), the network tables their definitions and ``basis``, and
the fiscal tables come from the illustrative economy and say so.

Examples:
    >>> data = build_report_data(CaseSource.bundled(), tmp_path, fiscal=False, dynamics=False)
    >>> data.leading[0], data.names["RU-SVE"], data.fiscal is None
    ('RU-KR', 'Sverdlovsk Oblast', True)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from regionet.model.case import Case
from regionet.services.case_source import CaseSource, case_folder, case_of
from regionet.services.dynamics_summary import DynamicsSection, dynamics_section
from regionet.services.fiscal_summary import MEMO_YEAR, FiscalSection, fiscal_section
from regionet.services.measures import measure_values
from regionet.services.network import (
    actorness_table,
    bloc_dominance_table,
    communities_vs_associations,
)
from regionet.services.run import RunResult, case_result, has_dynamics

__all__ = ["ACTORNESS_YEARS", "LEADING_REGIONS", "ActornessSummary", "ReportData",
           "build_report_data", "report_data"]

#: Years of the international actorness chart and table.
ACTORNESS_YEARS = range(1990, 2011)
#: How many regions the actorness chart follows (the most foreign ties in any year).
LEADING_REGIONS = 6


@dataclass
class ActornessSummary:
    """One leading region's international actorness over :data:`ACTORNESS_YEARS`.

    Attributes:
        region: the member id.
        name: its English name.
        by_year: the composite ``actorness`` per year (0 in years without a foreign tie).
        peak: the highest composite; ``peak_year`` the first year it is reached.
        peak_year: see ``peak``.
        max_foreign_ties: the most international ties valid in one year.
        partners: every foreign or multilateral partner over the years.
        money_ties: ties with an amount (counted in the amount's year).
        money_ecu: those amounts converted to ECU where the rates table allows it.
        money_unconverted: amounts without a rate, per currency, kept as recorded.
        undated_ties: the most undated ties in one year (they count in every year).
    """

    region: str
    name: str
    by_year: dict[int, int]
    peak: int
    peak_year: int
    max_foreign_ties: int
    partners: list[str]
    money_ties: int
    money_ecu: float
    money_unconverted: dict[str, float]
    undated_ties: int


@dataclass
class ReportData:
    """What the report shows; see the module docstring.

    Attributes:
        result: the main job's result (counts, tie and observation records, documents,
            data status, files written, the fiscal section).
        case: the validated case.
        year: the year of the network snapshots (the memo's, 1999).
        names: English name of every actor, by id.
        actor_kinds: number of actors of each kind.
        tie_levels: number of ties of each level (``international: <sublevel>``).
        ties_per_subject: ties of each subject, all dates (measure ``ties_total``).
        blocs: the bloc dominance index of each association in ``year``.
        actorness: the leading regions' international actorness, most active first.
        communities: Louvain communities against the associations in ``year``.
        disagreements: members whose community is mostly another association's.
        lorenz: per region ``region, population, before, after`` (RUB per person: own
            revenue, then own revenue and transfers) in the fiscal year; None without
            the fiscal section.
    """

    result: RunResult
    case: Case
    year: int
    names: dict[str, str]
    actor_kinds: dict[str, int]
    tie_levels: dict[str, int]
    ties_per_subject: dict[str, float]
    blocs: list[dict[str, Any]]
    actorness: list[ActornessSummary]
    communities: dict[str, Any]
    disagreements: list[dict[str, str]] = field(default_factory=list)
    lorenz: pd.DataFrame | None = None

    @property
    def fiscal(self) -> FiscalSection | None:
        """The fiscal section of the main job (None when the case has no economy)."""
        return self.result.fiscal

    @property
    def dynamics(self) -> DynamicsSection | None:
        """The dynamics section of the main job (None when the case has no dynamics)."""
        return self.result.dynamics

    @property
    def leading(self) -> list[str]:
        """Ids of the leading regions of :attr:`actorness`, in order."""
        return [a.region for a in self.actorness]


def _tie_levels(result: RunResult) -> dict[str, int]:
    counts = Counter(t["level"] + (f": {t['sublevel']}" if t["sublevel"] else "")
                     for t in result.ties)
    return dict(sorted(counts.items()))


def _actorness(source: CaseSource, names: dict[str, str]) -> list[ActornessSummary]:
    rows = actorness_table(source, years=ACTORNESS_YEARS)
    by_region: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_region.setdefault(row["region"], []).append(row)

    def rank(region: str) -> tuple[int, int, str]:
        own = by_region[region]
        return (-max(r["foreign_ties"] for r in own), -sum(r["actorness"] for r in own),
                region)

    out = []
    for region in sorted(by_region, key=rank)[:LEADING_REGIONS]:
        own = by_region[region]
        by_year = dict.fromkeys(ACTORNESS_YEARS, 0) | {r["year"]: r["actorness"] for r in own}
        peak = max(by_year.values())
        unconverted: Counter[str] = Counter()
        for r in own:
            unconverted.update(r["money_unconverted"])
        out.append(ActornessSummary(
            region=region, name=names.get(region, region), by_year=by_year, peak=peak,
            peak_year=min(y for y, v in by_year.items() if v == peak),
            max_foreign_ties=max(r["foreign_ties"] for r in own),
            partners=sorted({p for r in own for p in r["partners"]}),
            money_ties=sum(r["money_ties"] for r in own),
            money_ecu=float(sum(r["money_ecu"] for r in own)),
            money_unconverted=dict(sorted(unconverted.items())),
            undated_ties=max(r["undated_ties"] for r in own)))
    return out


def _disagreements(communities: dict[str, Any]) -> list[dict[str, str]]:
    main = {c["community"]: c["association"] for c in communities["communities"]}
    out = []
    for member, got in sorted(communities["assignment"].items()):
        if got["association"] is None or main.get(got["community"]) == got["association"]:
            continue
        out.append({"member": member, "association": got["association"],
                    "community_association": str(main.get(got["community"]) or "")})
    return out


def _lorenz(section: FiscalSection) -> pd.DataFrame:
    """Per-region revenue per capita of the section's year."""
    regions = section.regions
    year = regions[regions["year"] == section.year]
    return pd.DataFrame({
        "region": year["region"].astype(str), "population": year["population"],
        "before": year["revenue_regional_per_capita"] * 1e6,
        "after": year["total_per_capita"] * 1e6}).reset_index(drop=True)


def report_data(result: RunResult, *, year: int = MEMO_YEAR) -> ReportData:
    """Gather what the report shows from the main job's ``result``.

    The case and the fiscal section are taken from ``result``; the network tables are
    computed here (they are fast). ``year`` is the year of the network snapshots.
    """
    source = result.source
    case = result.case if result.case is not None else case_of(source)
    names = {str(a.id): a.name_en for a in case.actors.values()}
    communities = communities_vs_associations(source, year=year, seed=0)
    return ReportData(
        result=result, case=case, year=year, names=names,
        actor_kinds=dict(sorted(Counter(a.kind.value for a in case.actors.values()).items())),
        tie_levels=_tie_levels(result),
        ties_per_subject=measure_values(source, "ties_total"),
        blocs=bloc_dominance_table(source, year=year),
        actorness=_actorness(source, names),
        communities=communities, disagreements=_disagreements(communities),
        lorenz=_lorenz(result.fiscal) if result.fiscal is not None else None,
    )


def build_report_data(source: CaseSource, out: Path = Path("out"), *, fiscal: bool = True,
                      dynamics: bool = True,
                      progress: Callable[[str], None] | None = None) -> ReportData:
    """Run what the report needs for the case of ``source`` (a workspace too) and gather it.

    Loads and validates the case; when ``fiscal`` is True and the case has an economy,
    computes the fiscal section, which writes its tables to ``out/fiscal``; when
    ``dynamics`` is True and the case has dynamics files, the dynamics section
    (``out/dynamics``). For the full main job (tables, exports, workspace) use
    :func:`regionet.services.run.run_case` and :func:`report_data`.
    """
    say = progress or (lambda _msg: None)
    say("Loading and validating the case")
    case = case_of(source)
    files: dict[str, Path] = {}
    section = None
    if fiscal and (case_folder(source) / "economy").is_dir():
        say("Running the fiscal pipeline 1992-2010 and the scenarios")
        section = fiscal_section(source, out)
        files["fiscal"] = out / "fiscal"
    motion = None
    if dynamics and has_dynamics(source):
        motion = dynamics_section(source, out, progress=say)
        files["dynamics"] = out / "dynamics"
    say("Computing the network tables")
    return report_data(case_result(source, case, files, section, motion))
