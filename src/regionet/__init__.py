"""regionet: model a federation's regionalization.

The money that flows between the federal centre and its regions, and the cooperation
regions build with each other and abroad — bilateral, within subregional associations,
and international (cross-border and trans-regional). The bundled first case is Russia in
the 1990s (A. Sergounin, "The Bright Side of Russia's Regionalization", PONARS Policy
Memo 59, 1999).

The entry points a notebook needs (see ``docs/python.md``): :func:`load_case`,
:func:`open_workspace`, :func:`select_ties`, :meth:`Case.classify`, :func:`fiscal_run`,
:func:`fiscal_compare`, :func:`fiscal_explain`, :func:`network_metrics`. They are imported on
first use, so ``import regionet`` stays fast.

Examples:
    >>> import regionet as rn
    >>> case = rn.load_case("russia-1990s")
    >>> case.classify("t-kr-mur-bilateral").reason
    'RU-KR and RU-MUR: members of RU that share a border'
    >>> rn.select_ties(actor="RU-KR", level="bilateral")["id"].tolist()[:2]
    ['t-ko-kr-bilateral', 't-kr-mur-bilateral']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from regionet.core.lazy import lazy_getattr

if TYPE_CHECKING:
    from regionet.core.errors import RegionetError
    from regionet.facade import (
        fiscal_compare,
        fiscal_explain,
        fiscal_run,
        load_case,
        network_metrics,
        open_workspace,
        select_ties,
    )
    from regionet.model import (
        Actor,
        ActorKind,
        Case,
        Level,
        Observation,
        Sublevel,
        Tie,
        TieFilter,
    )
    from regionet.services.case_source import CaseSource

__all__ = [
    "Actor",
    "ActorKind",
    "Case",
    "CaseSource",
    "Level",
    "Observation",
    "RegionetError",
    "Sublevel",
    "Tie",
    "TieFilter",
    "__version__",
    "fiscal_compare",
    "fiscal_explain",
    "fiscal_run",
    "load_case",
    "network_metrics",
    "open_workspace",
    "select_ties",
]

__version__ = "0.1.0"

# Imported on first use so that `regionet --help` and `import regionet.core` stay fast.
_LAZY = {
    "RegionetError": "regionet.core.errors",
    "CaseSource": "regionet.services.case_source",
    **dict.fromkeys(("fiscal_compare", "fiscal_explain", "fiscal_run", "load_case",
                     "network_metrics", "open_workspace", "select_ties"), "regionet.facade"),
    **dict.fromkeys(("Actor", "ActorKind", "Case", "Level", "Observation", "Sublevel", "Tie",
                     "TieFilter"), "regionet.model"),
}

__getattr__ = lazy_getattr(__name__, _LAZY)
