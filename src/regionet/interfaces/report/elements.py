"""Building blocks of the report's HTML: tables, figures as data URIs, sources, actors.

Everything here returns HTML text with every value escaped. Figures are embedded as
``data:image/png;base64`` URIs (no file beside the page, no network request); source
cells link to the anchor ``#doc-<id>`` of their document in the report's source list.

Examples:
    >>> page = Page({"RU-KR": "Karelia"}, {"sergounin-1999"})
    >>> page.sources([{"document": "sergounin-1999", "locator": "para 11"}])
    '<a href="#doc-sergounin-1999">sergounin-1999</a>: para 11'
    >>> page.actor("RU-KR")
    'Karelia <span class="id">RU-KR</span>'
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from html import escape
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

__all__ = ["DPI", "Page", "frame_table", "money", "period", "png_data_uri", "row", "table"]

#: Resolution of the embedded figures (a map is about 1,300 px wide).
DPI = 120


def row(cells: Sequence[str], cls: str = "", numeric: Sequence[int] = ()) -> str:
    """Return a table row of HTML ``cells`` (already escaped); ``numeric`` right-aligns."""
    attr = f' class="{cls}"' if cls else ""
    return f"<tr{attr}>" + "".join(
        f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>"
        for i, c in enumerate(cells)) + "</tr>"


def table(header: Sequence[str], rows: Iterable[str], cls: str = "") -> str:
    """Return a table with an escaped ``header`` and HTML ``rows``."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    attr = f' class="{cls}"' if cls else ""
    return (f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}"
            "</tbody></table>")


def _number(value: float, digits: int) -> str:
    if not math.isfinite(value):
        return "–"
    return f"{value:,.{digits}f}".replace("-", "−")


def frame_table(frame: pd.DataFrame, digits: int | Mapping[str, int] = 1,
                cells: Mapping[str, Callable[[Any], str]] | None = None) -> str:
    """Return a pandas frame as a table: floats with ``digits``, ``cells`` as HTML.

    ``digits`` is one count for every float column or a count per column (default 1);
    ``cells`` maps a column to a function returning the cell's HTML (escaped by it).
    """
    rows = []
    for record in frame.to_dict(orient="records"):
        html, numeric = [], []
        for i, (column, value) in enumerate(record.items()):
            if cells and str(column) in cells:
                html.append(cells[str(column)](value))
            elif isinstance(value, float):
                d = digits if isinstance(digits, int) else digits.get(str(column), 1)
                html.append(_number(value, d))
                numeric.append(i)
            elif isinstance(value, bool):
                html.append("yes" if value else "no")
            elif isinstance(value, int):
                html.append(str(value))
                numeric.append(i)
            else:
                html.append(escape(str(value)))
        rows.append(row(html, numeric=numeric))
    return table([str(c) for c in frame.columns], rows)


def money(amount: Mapping[str, Any] | None) -> str:
    """Return a tie's amount as ``CUR value (year)``, or an empty string."""
    if not amount:
        return ""
    return escape(f"{amount['currency']} {amount['value']:,.0f} ({amount['year']})")


def period(start: str | None, end: str | None) -> str:
    """Return a period: ``start–end``, ``…`` for an unknown start, ``undated`` for neither.

    Examples:
        >>> period(None, None), period("1998", "1998"), period(None, "2001-06-08")
        ('undated', '1998', '…–2001-06-08')
    """
    if not start and not end:
        return "undated"
    if start == end:
        return escape(str(start))
    return escape(f"{start or '…'}–{end or ''}")


class Page:
    """What every section needs: actor names, the documents, the figure counter.

    Args:
        names: English name of each actor, by id.
        documents: the ids of the documents listed (and anchored) in the report.
    """

    def __init__(self, names: Mapping[str, str], documents: Iterable[str]) -> None:
        self.names = dict(names)
        self.documents = set(documents)
        self.figures = 0

    def actor(self, actor_id: str) -> str:
        """Return an actor as its name followed by its id (the id alone if unnamed)."""
        name = self.names.get(actor_id)
        if not name or name == actor_id:
            return f'<span class="id">{escape(actor_id)}</span>'
        return f'{escape(name)} <span class="id">{escape(actor_id)}</span>'

    def actors(self, ids: Iterable[str]) -> str:
        """Return several actors, comma-separated."""
        return ", ".join(self.actor(i) for i in ids)

    def name(self, actor_id: str) -> str:
        """Return an actor's name (or its id), escaped."""
        return escape(self.names.get(actor_id) or actor_id)

    def document(self, doc_id: str) -> str:
        """Return a document id linked to its entry in the list of sources."""
        if doc_id in self.documents:
            return f'<a href="#doc-{escape(doc_id)}">{escape(doc_id)}</a>'
        return escape(doc_id)

    def sources(self, sources: Iterable[Mapping[str, str]]) -> str:
        """Return source references ``document: locator``, each document linked."""
        return "; ".join(f"{self.document(s['document'])}: {escape(s['locator'])}"
                         if s.get("locator") else self.document(s["document"])
                         for s in sources)

    def refs(self, text: str) -> str:
        """Return a ``doc:locator; doc:locator`` string with each document linked."""
        parts = []
        for ref in str(text).split(";"):
            doc, sep, locator = ref.strip().partition(":")
            parts.append({"document": doc.strip(), "locator": locator.strip()} if sep
                         else {"document": doc.strip(), "locator": ""})
        return self.sources(p for p in parts if p["document"])

    def figure(self, fig: Figure, caption: str, *, alt: str, source: str,
               illustrative: bool = False, wide: bool = True) -> str:
        """Return ``fig`` as a numbered ``<figure>`` with an embedded PNG and its caption.

        Args:
            fig: the matplotlib figure.
            caption: what it shows (HTML, escaped by the caller).
            alt: the image's text alternative (plain text).
            source: where the numbers come from (HTML, escaped by the caller).
            illustrative: say that the numbers come from the illustrative economy.
            wide: full width (maps) rather than a narrower chart.
        """
        self.figures += 1
        label = (' <span class="illustrative-tag">Illustrative</span> numbers from the '
                 "illustrative economy: they show the mechanism, not history."
                 if illustrative else "")
        cls = "wide" if wide else "chart"
        return (f'<figure class="{cls}" id="figure-{self.figures}">'
                f'<img src="{png_data_uri(fig)}" alt="{escape(alt)}">'
                f"<figcaption><b>Figure {self.figures}.</b> {caption} "
                f'<span class="source">Source: {source}.</span>{label}</figcaption></figure>')


def png_data_uri(fig: Figure, dpi: int = DPI) -> str:
    """Return ``fig`` as a ``data:image/png;base64`` URI, in a 256-colour palette.

    The palette (Pillow's median cut) makes maps about three times smaller than full
    colour, with no visible loss at this resolution.
    """
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    small = io.BytesIO()
    image.quantize(256, method=Image.Quantize.MEDIANCUT).save(small, format="PNG",
                                                             optimize=True)
    return "data:image/png;base64," + base64.b64encode(small.getvalue()).decode("ascii")
