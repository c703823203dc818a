"""regionet: model a federation's regionalization.

The money that flows between the federal centre and its regions, and the cooperation
regions build with each other and abroad — bilateral, within subregional associations,
and international (cross-border and trans-regional). The bundled first case is Russia in
the 1990s (A. Sergounin, "The Bright Side of Russia's Regionalization", PONARS Policy
Memo 59, 1999).

Examples:
    >>> import regionet as rn
    >>> case = rn.load_case("russia-1990s")
    >>> case.classify("t-kr-mur-bilateral").reason
    'RU-KR and RU-MUR: members of RU that share a border'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from regionet.core.lazy import lazy_getattr

if TYPE_CHECKING:
    from regionet.core.errors import RegionetError
    from regionet.io.casefiles import load_case
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

__all__ = [
    "Actor",
    "ActorKind",
    "Case",
    "Level",
    "Observation",
    "RegionetError",
    "Sublevel",
    "Tie",
    "TieFilter",
    "__version__",
    "load_case",
]

__version__ = "0.1.0"

# Imported on first use so that `regionet --help` and `import regionet.core` stay fast.
_LAZY = {
    "RegionetError": "regionet.core.errors",
    "load_case": "regionet.io.casefiles",
    **dict.fromkeys(("Actor", "ActorKind", "Case", "Level", "Observation", "Sublevel", "Tie",
                     "TieFilter"), "regionet.model"),
}

__getattr__ = lazy_getattr(__name__, _LAZY)
