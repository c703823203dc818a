"""The short HTML summary the main job writes: the case in numbers, ties by level, sources.

The file is self-contained (inline CSS, no scripts, no external URLs) so it opens offline.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from regionet.interfaces.report.fiscal_tables import render_fiscal
from regionet.services.run import RunResult

__all__ = ["render_summary", "write_summary"]

_LEVELS = (("bilateral", None), ("subnational", None), ("international", "cross-border"),
           ("international", "trans-regional"), ("international", "other"), ("vertical", None),
           ("external", None))

_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:70rem;color:#222;line-height:1.4}
h1{font-size:1.6rem}h2{border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;font-size:.85rem;margin:.5rem 0 1rem}
th,td{border:1px solid #ddd;padding:.25rem .4rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}.num{text-align:right}.assumed{color:#a15c00}.partial{color:#5a5a00}
.note{color:#555;font-size:.85rem}
"""


def _src(sources: list[dict[str, str]]) -> str:
    return "; ".join(f"{escape(s['document'])}: {escape(s['locator'])}" for s in sources)


def _money(amount: dict[str, Any] | None) -> str:
    if not amount:
        return ""
    return escape(f"{amount['currency']} {amount['value']:,.0f} ({amount['year']})")


def _row(cells: list[str], cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<tr{attr}>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _table(header: list[str], rows: list[str]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _numbers(result: RunResult) -> str:
    rows = [_row([escape(k), f'<span class="num">{v}</span>'])
            for k, v in sorted(result.counts.items())]
    status_rows = [_row([escape(t)] + [str(c.get(s, 0)) for s in ("verified", "partial",
                                                                   "assumed")])
                   for t, c in result.status_counts.items()]
    return ("<h2>The case in numbers</h2>" + _table(["count", "value"], rows)
            + "<h3>How well established the data are</h3>"
            + _table(["table", "verified", "partial", "assumed"], status_rows)
            + '<p class="note">verified: the cited source states it; partial: partly '
            "confirmed; assumed: our labelled interpretation (the record's note says why).</p>")


def _levels(result: RunResult) -> str:
    parts = ["<h2>Levels of cooperation</h2>",
             '<p class="note">Classified by code (regionet.model.levels), each with its '
             "reason. Memberships of associations are counted under subnational.</p>"]
    for level, sub in _LEVELS:
        ties = [t for t in result.ties if t["level"] == level and t["sublevel"] == sub]
        if level == "subnational":
            parts.append(_memberships([t for t in ties if t["kind"] == "membership"]))
            ties = [t for t in ties if t["kind"] != "membership"]
        if not ties:
            continue
        title = level + (f" — {sub}" if sub else "")
        rows = [_row([escape(t["id"]), escape(t["kind"]), escape(", ".join(t["actors"])),
                      escape(f"{t['start'] or '…'}–{t['end'] or ''}"), _money(t["amount"]),
                      escape(t["reason"]), _src(t["sources"]), escape(t["status"])],
                     t["status"]) for t in ties]
        parts.append(f"<h3>{escape(title)} ({len(ties)})</h3>")
        parts.append(_table(["tie", "kind", "actors", "dates", "amount", "reason", "sources",
                             "status"], rows))
    return "".join(parts)


def _memberships(ties: list[dict[str, Any]]) -> str:
    """One row per association: its members with their dates, and the sources cited."""
    by_body: dict[str, list[dict[str, Any]]] = {}
    for t in ties:
        by_body.setdefault(t["actors"][-1], []).append(t)
    rows = []
    for body, members in sorted(by_body.items()):
        listed = ", ".join(f"{t['actors'][0]} ({t['start'] or '…'}–{t['end'] or ''})"
                           for t in sorted(members, key=lambda t: t["actors"][0]))
        docs = sorted({s["document"] for t in members for s in t["sources"]})
        statuses = sorted({t["status"] for t in members})
        rows.append(_row([escape(body), str(len(members)), escape(listed),
                          escape("; ".join(docs)), escape(", ".join(statuses))]))
    return (f"<h3>subnational — memberships of associations ({len(ties)})</h3>"
            + _table(["association", "members", "members (dates)", "documents", "status"],
                     rows))


def _observations(result: RunResult) -> str:
    rows = []
    for o in result.observations:
        value = o["value_text"] if o["value"] is None else f"{o['value']:g}"
        cmp = "" if o["comparator"] == "=" else o["comparator"] + " "
        rows.append(_row([escape(o["indicator"]), escape(o["subject"]),
                          escape(f"{cmp}{value} {o['unit']}"),
                          escape(f"{o['start'] or '…'}–{o['end'] or ''}"), _src(o["sources"]),
                          escape(o["status"])], o["status"]))
    return "<h2>Observations</h2>" + _table(["indicator", "subject", "value", "period",
                                             "sources", "status"], rows)


def render_summary(result: RunResult) -> str:
    """Return the summary as one self-contained HTML document."""
    docs = "".join(f"<li><b>{escape(d['id'])}</b>: {escape(d['title'])}"
                   + (f" — {escape(d['url'])}" if d["url"] else "") + "</li>"
                   for d in result.documents)
    credits = "".join(f"<li>{escape(c)}</li>" for c in result.credits)
    files = "".join(f"<li>{escape(k)}: {escape(v.name)}</li>" for k, v in result.files.items())
    fiscal = render_fiscal(result.fiscal) if result.fiscal is not None else ""
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(result.title)} — regionet summary</title><style>{_CSS}</style></head>"
        f"<body><h1>{escape(result.title)}</h1><p>{escape(result.description)}</p>"
        f"<p class=\"note\">Case id <code>{escape(result.case_id)}</code>. Files written "
        f"beside this page:</p><ul>{files}</ul>"
        f"{_numbers(result)}{_levels(result)}{_observations(result)}{fiscal}"
        f"<h2>Sources</h2><ul>{docs}</ul><h2>Credits</h2><ul>{credits}</ul>"
        "</body></html>\n"
    )


def write_summary(result: RunResult, path: Path) -> Path:
    """Write the summary HTML to ``path`` and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_summary(result), encoding="utf-8")
    return path
