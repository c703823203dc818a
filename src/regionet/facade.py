"""The handful of entry points a notebook needs, on top of the services.

``import regionet as rn`` exposes these (imported on first use). Every function takes a
``source``: a bundled case's name (``"russia-1990s"``, the default), a workspace file or
database URL, or a :class:`~regionet.services.case_source.CaseSource`; tables come back as
pandas DataFrames.

Examples:
    >>> import regionet as rn
    >>> case = rn.load_case()
    >>> case.classify("t-kr-mur-bilateral").level.value
    'bilateral'
    >>> ties = rn.select_ties(level="international", actor="RU-KR")
    >>> sorted(set(ties["sublevel"]))
    ['cross-border', 'non-adjacent', 'trans-regional']
    >>> run = rn.fiscal_run(1999, rule="operation")
    >>> bool(run.regions.set_index("region").loc["RU-YAN", "profit_tax_regional"] > 0)
    True
    >>> rn.network_metrics(year=1999).iloc[0]["id"]   # the highest PageRank in 1999
    'assoc-siberian-accord'
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from regionet.cases import BUNDLED_CASES, DEFAULT_CASE
from regionet.core.errors import UnknownReferenceError, did_you_mean
from regionet.model.case import Case, TieFilter
from regionet.services import fiscal as fiscal_service
from regionet.services import network as network_service
from regionet.services import records
from regionet.services.case_source import CaseSource, case_of

if TYPE_CHECKING:
    from regionet.engines.fiscal.run.explain import Explanation
    from regionet.engines.fiscal.run.pipeline import YearResult

__all__ = ["Source", "as_source", "fiscal_compare", "fiscal_explain", "fiscal_run",
           "load_case", "network_metrics", "open_workspace", "select_ties"]

#: What the entry points accept as a source.
Source = CaseSource | str | Path | None


def as_source(source: Source = None) -> CaseSource:
    """Return the :class:`CaseSource` of ``source``: a bundled case's name, a workspace, or None.

    A folder is a case folder (read-only, like a bundled case); a file or URL names a
    workspace, which must exist; ``None`` is the default bundled case.

    Raises:
        UnknownReferenceError: a name that is neither a bundled case nor an existing workspace.

    Examples:
        >>> as_source().kind, as_source("russia-1990s").location
        ('bundled', 'russia-1990s')
        >>> as_source("russia-1999")
        Traceback (most recent call last):
        ...
        regionet.core.errors.UnknownReferenceError: field 'source', value 'russia-1999': ...
    """
    if source is None:
        return CaseSource.bundled(DEFAULT_CASE)
    if isinstance(source, CaseSource):
        return source
    text = str(source)
    if text in BUNDLED_CASES or Path(text).is_dir():
        return CaseSource.bundled(text)
    if "://" in text or Path(text).is_file():
        return CaseSource.workspace(text)
    raise UnknownReferenceError(
        "no bundled case or workspace of this name", field="source", value=text,
        expected="a bundled case (" + ", ".join(BUNDLED_CASES) + "), a case folder, an "
                 "existing workspace file or a database URL",
        hint=did_you_mean(text, BUNDLED_CASES))


def load_case(source: Source = None) -> Case:
    """Return the case of ``source`` (the bundled Russia case by default), validated.

    The case is immutable and shared: one copy per source and workspace revision.

    Examples:
        >>> import regionet as rn
        >>> rn.load_case().actor("RU-KR").name_en
        'Karelia'
    """
    return case_of(as_source(source))


def open_workspace(db: str | Path) -> CaseSource:
    """Return the workspace ``db`` as a source (create one with ``regionet data init``).

    Raises:
        WorkspaceNotFoundError: the workspace has not been initialised.

    Examples:
        >>> import regionet as rn
        >>> from regionet.services.workspace import init_workspace
        >>> db = tmp_path / "mine.db"   # tmp_path: any folder of yours
        >>> _ = init_workspace(db)
        >>> rn.open_workspace(db).revision()
        1
    """
    source = CaseSource.workspace(db)
    source.state()  # fail now, with the hint to run `regionet data init`
    return source


def select_ties(source: Source = None, *, level: str | None = None,
                sublevel: str | None = None, actor: str | None = None, kind: str | None = None,
                year: int | None = None, as_of: date | None = None, status: str | None = None
                ) -> pd.DataFrame:
    """Return the ties matching the criteria as a DataFrame, one row per tie, sorted by id.

    The criteria are those of :class:`~regionet.model.case.TieFilter` (None: any). Columns:
    ``id, kind, actors, start, end, level, sublevel, reason`` and the rest of the tie's
    fields.

    Raises:
        InvalidValueError: an unknown level, sublevel or status.
        UnknownActorError: an unknown actor.

    Examples:
        >>> import regionet as rn
        >>> rn.select_ties(actor="NO", kind="pledge")["id"].tolist()
        ['t-no-pechenganikel-pledge']
    """
    criteria = TieFilter(level=level, sublevel=sublevel, actor=actor, kind=kind, year=year,
                         as_of=as_of, status=status)
    return pd.DataFrame(records.list_ties(as_source(source), criteria).data)


def fiscal_run(year: int, *, scenario: str | Path | None = None, rule: str | None = None,
               inputs: str | None = None, source: Source = None) -> YearResult:
    """Run the fiscal pipeline for ``year`` (see :func:`regionet.services.fiscal.run_fiscal_year`).

    The result's ``regions`` DataFrame has one row per region (revenue by tax and budget
    level, transfers, net flow, per capita); ``totals`` the national sums; ``trace`` the
    computation behind every number. ``inputs`` names fiscal inputs registered in the
    workspace ``source`` (``regionet fiscal inputs add``); by default the illustrative
    economy. ``r.inputs.name`` and ``r.inputs.checksum`` say which inputs were used.

    Examples:
        >>> import regionet as rn
        >>> r = rn.fiscal_run(1999)
        >>> len(r.regions), r.rules["equalization"]
        (89, 'two_stage')
    """
    return fiscal_service.run_fiscal_year(as_source(source), year, scenario=scenario, rule=rule,
                                          inputs=inputs)


def fiscal_compare(year: int, a: str | Path, b: str | Path, *,
                   measure: str = "total_per_capita", inputs: str | None = None,
                   source: Source = None) -> pd.DataFrame:
    """Return the winners and losers of scenario ``b`` against ``a`` (largest gain first).

    Both runs use the same inputs: registered ``inputs``, or the illustrative economy.

    Examples:
        >>> import regionet as rn
        >>> rn.fiscal_compare(1999, "rule-registration", "tax-at-operation").iloc[0]["region"]
        'RU-YAN'
    """
    return fiscal_service.compare_scenarios(as_source(source), year, a, b, measure=measure,
                                            inputs=inputs)


def fiscal_explain(year: int, region: str, quantity: str = "net_flow", *,
                   scenario: str | Path | None = None, rule: str | None = None,
                   inputs: str | None = None, source: Source = None) -> Explanation:
    """Return the steps, inputs and parameters (with legal references) behind one number.

    ``inputs`` names registered fiscal inputs (default: the illustrative economy).

    Examples:
        >>> import regionet as rn
        >>> e = rn.fiscal_explain(1999, "RU-KHM", "profit_tax_regional")
        >>> run = rn.fiscal_run(1999).regions.set_index("region")
        >>> e.value == float(run.loc["RU-KHM", "profit_tax_regional"])
        True
    """
    return fiscal_service.explain_number(as_source(source), year, region, quantity,
                                         scenario=scenario, rule=rule, inputs=inputs)


def network_metrics(source: Source = None, *, year: int | None = None,
                    level: str | None = None) -> pd.DataFrame:
    """Return degree, strength, betweenness, PageRank, eigenvector and community per actor.

    Sorted by PageRank, highest first. Definitions: ``docs/network.md``.

    Examples:
        >>> import regionet as rn
        >>> m = rn.network_metrics(level="international")
        >>> {"id", "pagerank", "community"} <= set(m.columns)
        True
    """
    return pd.DataFrame(network_service.network_metrics(as_source(source), year=year,
                                                        level=level))
