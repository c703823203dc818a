r"""The lookalike screens of an import: per kind of id, what a batch's ids may resemble.

Every id cell of every imported row is screened (:func:`regionet.io.lookalikes.screen_row`)
against the ids of its kind: the workspace's and the batch's own new ones that are clean
(a new id that is itself a lookalike of a stored one is no reason to accept its lookalikes).
The small kinds (documents, vocabularies, actors) are read whole. Ties and observations may
number millions: only their ids that are not printable ASCII are read (with SQL, the only
ones a plain id can resemble), membership is a query, and a hint compares an id with the
stored ids nearest to it in key order (:func:`regionet.storage.queries.id_hints`). The
batch's own tie and observation ids are not added: such an id is only ever checked in its
own row, where the workspace's screen decides the same.

Examples:
    >>> import regionet as rn
    >>> from regionet.storage.import_records import Base
    >>> from regionet.storage.workspace import Workspace
    >>> ws = Workspace(tmp_path / "w.db")   # tmp_path: any folder of yours
    >>> _ = ws.init(rn.load_case("russia-1990s"))
    >>> with ws.database.reading() as conn:
    ...     screens = id_screens(Base(conn), {"actors": ["RU-NEW"]})
    ...     print(screens["ties"].check("t-no-pech\u0435nganikel-pledge").hint)
    ...     screens["actors"].check("RU-NEW") is None
    Did you mean t-no-pechenganikel-pledge?
    True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import sqlalchemy as sa

from regionet.io.lookalikes import IdScreen
from regionet.storage.import_records import Base
from regionet.storage.queries import count, id_hints
from regionet.storage.schema import METADATA

__all__ = ["SCREENED_KINDS", "id_screens"]

#: The kinds of id an import screens (the tables those ids are keys of).
SCREENED_KINDS: tuple[str, ...] = ("documents", "tie_kinds", "domains", "indicators", "actors",
                                   "ties", "observations")
#: Kinds read whole; the others are read with SQL as needed.
_SMALL = ("documents", "tie_kinds", "domains", "indicators", "actors")
#: Printable ASCII is U+0020 to U+007E; these match an id holding anything else.
_NOT_PLAIN_GLOB = "*[^ -~]*"
_NOT_PLAIN_REGEX = "[^ -~]"


def _stored(base: Base, kind: str) -> set[str]:
    if kind == "documents":
        return set(base.documents)
    if kind in ("tie_kinds", "domains", "indicators"):
        return set(getattr(base.vocab, kind))
    column = METADATA.tables[kind].c.id
    return set(base.conn.execute(sa.select(column)).scalars())


def _large(conn: sa.Connection, kind: str) -> IdScreen:
    """A screen of a large table's ids: the unusual ones read, the others queried."""
    column = METADATA.tables[kind].c.id
    unusual = (column.op("GLOB")(_NOT_PLAIN_GLOB) if conn.dialect.name == "sqlite"
               else column.regexp_match(_NOT_PLAIN_REGEX))
    total: list[int] = []

    def contains(text: str) -> bool:
        return conn.execute(sa.select(column).where(column == text)).first() is not None

    def near(text: str) -> list[str]:
        if not total:
            total.append(count(conn, kind))
        return id_hints(conn, [kind], text, total=total[0])

    return IdScreen(conn.execute(sa.select(column).where(unusual)).scalars(),
                    contains=contains, near=near)


def id_screens(base: Base, new: Mapping[str, Iterable[str]]) -> dict[str, IdScreen]:
    """Return a screen per kind of id of :data:`SCREENED_KINDS`.

    Args:
        base: the workspace the batch is checked against.
        new: per small kind, the keys the batch's rows of that table give (as written).
    """
    screens: dict[str, IdScreen] = {}
    for kind in SCREENED_KINDS:
        if kind not in _SMALL:
            screens[kind] = _large(base.conn, kind)
            continue
        existing = _stored(base, kind)
        workspace = IdScreen(existing)
        clean = {k for k in new.get(kind, ()) if workspace.check(k) is None}
        screens[kind] = IdScreen(existing | clean) if clean - existing else workspace
    return screens

