"""Report sections on the case's records: numbers, the three levels, observations, sources.

Each function returns one ``<section>`` of HTML; see :mod:`regionet.interfaces.report.report`.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from regionet.interfaces.figures import LEVEL_COLOURS, choropleth, tie_map
from regionet.interfaces.report.elements import Page, money, period, row, table
from regionet.services.geo import subject_map
from regionet.services.report import ReportData
from regionet.services.tie_maps import tie_arcs

__all__ = ["case_in_numbers", "credits", "levels_of_cooperation", "observations",
           "sources"]

_MEMO_PARA_10 = ("Operationally, there are three main levels of regional cooperation in "
                 "Russia: bilateral cooperation between members of the Federation; "
                 "subnational cooperation; and international cooperation, including "
                 "cross-border and trans-regional cooperation.")
_MEMO_PARA_13 = ("The third level of regionalism, international cooperation, is cross-border "
                 "(i.e., cooperative projects between regions in neighboring countries) and "
                 "trans-regional (i.e., collaboration with and within multilateral "
                 "organizations).")

#: The tables of ties, in the memo's order, then the ties outside its three levels.
_LEVELS: tuple[tuple[str, str | None, str, str], ...] = (
    ("bilateral", None, "bilateral", "Bilateral: between members of the federation"),
    ("subnational", None, "subnational", "Subnational: within the associations"),
    ("international", "cross-border", "cross-border",
     "International, cross-border: regions of neighbouring countries"),
    ("international", "trans-regional", "trans-regional",
     "International, trans-regional: with and within multilateral organizations"),
    ("international", "non-adjacent", "non-adjacent",
     "International, non-adjacent: foreign partners that no member party borders"),
    ("vertical", None, "vertical", "Vertical (outside the three levels): with the centre"),
    ("interstate", None, "interstate",
     "Interstate (outside the three levels): the federation itself with a foreign state"),
    ("federal", None, "federal", "Federal (outside the three levels): the centre alone"),
    ("external", None, "external",
     "External (outside the three levels): no party of the federation takes part"),
)

_STATUS_NOTE = ("<b>verified</b>: the cited source states it; <b>partial</b>: partly "
                "confirmed; <b>assumed</b>: our labelled interpretation (the record's note "
                "says why).")


def _count_rows(counts: Mapping[str, int]) -> list[str]:
    return [row([escape(k), f"{v:,}"], numeric=[1]) for k, v in counts.items()]


def case_in_numbers(data: ReportData, page: Page) -> str:
    """Section 1: actors by kind, ties by level and sublevel, how well established."""
    counts = data.result.counts
    statuses = [row([escape(name)] + [f"{c.get(s, 0):,}" for s in ("verified", "partial",
                                                                    "assumed")],
                    numeric=[1, 2, 3])
                for name, c in data.result.status_counts.items()]
    order = [f"{lv}: {sub}" if sub else lv for lv, sub, _, _ in _LEVELS]
    levels = [row([f'<span class="swatch" style="background:{_colour(k)}"></span>'
                   f"{escape(k)}", f"{data.tie_levels[k]:,}"], numeric=[1])
              for k in sorted(data.tie_levels, key=lambda k: (
                  order.index(k) if k in order else len(order), k))]
    return (
        '<section id="the-case-in-numbers"><h2>1. The case in numbers</h2>'
        f"<p>{escape(data.result.description)}</p>"
        f'<p class="lead">{counts["actors"]:,} actors, {counts["ties"]:,} ties, '
        f'{counts["observations"]:,} observations (aggregate facts) and '
        f'{counts["documents"]:,} source documents.</p><div class="grid3">'
        "<div><h3>Actors by kind</h3>"
        + table(["kind", "actors"], _count_rows(data.actor_kinds))
        + "</div><div><h3>Ties by level</h3>" + table(["level: sublevel", "ties"], levels)
        + '<p class="note">Levels are assigned by code (<code>regionet.model.levels</code>), '
          "each tie with its reason (tables of section 2).</p>"
        + "</div><div><h3>How well established the data are</h3>"
        + table(["records", "verified", "partial", "assumed"], statuses)
        + f'<p class="note">{_STATUS_NOTE}</p></div></div></section>')


def _top(values: Mapping[str, float], page: Page, n: int = 4) -> str:
    """Return the ``n`` largest values as "name (value)", largest first."""
    best = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return ", ".join(f"{page.name(k)} ({v:g})" for k, v in best)


def _colour(level_key: str) -> str:
    return LEVEL_COLOURS.get(level_key.replace("international: ", ""), "#999999")


def _memberships(ties: list[dict[str, Any]], page: Page) -> str:
    """One row per association: its members with their dates, and the sources cited."""
    by_body: dict[str, list[dict[str, Any]]] = {}
    for t in ties:
        by_body.setdefault(t["actors"][-1], []).append(t)
    rows = []
    for body, members in sorted(by_body.items()):
        listed = ", ".join(f"{page.name(t['actors'][0])} ({period(t['start'], t['end'])})"
                           for t in sorted(members, key=lambda t: page.names.get(
                               t["actors"][0], t["actors"][0])))
        docs = sorted({s["document"] for t in members for s in t["sources"]})
        rows.append(row([page.actor(body), str(len(members)), listed,
                         ", ".join(page.document(d) for d in docs),
                         _status([t["status"] for t in members])], numeric=[1]))
    return (f"<h4>Memberships of associations ({len(ties)} ties)</h4>"
            '<p class="note">One row per association; each membership is a tie of its own '
            "in <code>tables/ties.csv</code>, with its sources and dates.</p>"
            + table(["association", "members", "members (dates)", "documents", "status"],
                    rows))


def _status(statuses: list[str]) -> str:
    return " ".join(f'<span class="status {escape(x)}">{escape(x)}</span>'
                    for x in sorted(set(statuses)))


def _tie_row(t: dict[str, Any], page: Page) -> str:
    return row([f'<span class="id">{escape(t["id"])}</span><br>{escape(t["description"])}',
                escape(t["kind"]), page.actors(t["actors"])
                + (f"<br><i>at</i> {page.actor(t['location'])}" if t["location"] else ""),
                period(t["start"], t["end"]), money(t["amount"]), escape(t["reason"]),
                page.sources(t["sources"]), _status([t["status"]])])


def _group_row(ties: list[dict[str, Any]], page: Page) -> str:
    """One row for ties that differ only in one party (e.g. ten regions lobbying)."""
    common = set.intersection(*(set(t["actors"]) for t in ties))
    each = [a for t in ties for a in t["actors"] if a not in common]
    dates = {period(t["start"], t["end"]) for t in ties}
    refs = list({(s["document"], s["locator"]): s for t in ties for s in t["sources"]}
                .values())
    ids = ", ".join(escape(t["id"]) for t in ties)
    return row([f'{len(ties)} ties: {escape(ties[0]["description"])}<br>'
                f'<span class="id">{ids}</span>',
                escape(ties[0]["kind"]), f"<i>each of</i> {page.actors(each)}<br><i>with</i> "
                + page.actors(a for a in ties[0]["actors"] if a in common),
                dates.pop() if len(dates) == 1 else "various", "",
                f"<i>e.g.</i> {escape(ties[0]['reason'])}", page.sources(refs),
                _status([t["status"] for t in ties])])


def _tie_table(ties: list[dict[str, Any]], page: Page) -> str:
    """Every tie with its sources; ties alike but for one party share a row."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for t in ties:
        groups.setdefault((t["kind"], t["description"]), []).append(t)
    rows = []
    for group in groups.values():
        alike = len(group) >= 3 and not any(t["amount"] for t in group) and len(
            set.intersection(*(set(t["actors"]) for t in group))) > 0
        rows += [_group_row(group, page)] if alike else [_tie_row(t, page) for t in group]
    return table(["tie", "kind", "actors", "dates", "amount", "why this level", "sources",
                  "status"], rows, cls="ties")


def levels_of_cooperation(data: ReportData, page: Page) -> str:
    """Section 2: the tie map, ties per subject, and every tie by level with its sources."""
    case = data.case
    tie_fig = page.figure(
        tie_map(tie_arcs(data.result.source)), "Cooperation ties as arcs between "
        "administrative centres, coloured by level (all dates). Associations are drawn at "
        "the mean position of their members' capitals (a drawing convention, not a seat); "
        "partners beyond the frame sit on its edge, in their direction; neighbouring states "
        "are grey.",
        alt="Map of Russia's regions with arcs for each cooperation tie, coloured by level",
        source=f"regionet case {escape(case.id)}, <code>tables/ties.csv</code> (every tie "
               "cites its documents, table below); capitals and seats: GeoNames; boundaries: "
               "Natural Earth")
    per_subject = page.figure(
        choropleth(data.ties_per_subject, subject_map(data.result.source),
                   title="Cooperation ties per subject, all levels", unit="ties", label="Ties",
                   source_note=f"Source: regionet case {case.id}, ties.csv: ties in which the "
                               "subject is a party or the location, all dates."),
        "Number of ties of each subject, every level and date counted (memberships "
        f"included). Most ties: {_top(data.ties_per_subject, page)}.",
        alt="Choropleth of the number of cooperation ties of each of the 89 subjects",
        source=f"regionet case {escape(case.id)}, <code>tables/ties.csv</code>, measure "
               "<code>ties_total</code>")
    parts = [
        '<section id="the-three-levels-of-cooperation">'
        "<h2>2. The three levels of cooperation</h2>"
        f'<blockquote>“{escape(_MEMO_PARA_10)}” <cite>{page.document("sergounin-1999")}'
        ": para 10</cite></blockquote>"
        f'<blockquote>“{escape(_MEMO_PARA_13)}” <cite>{page.document("sergounin-1999")}'
        ": para 13</cite></blockquote>"
        "<p>Every tie is classified by code from its parties "
        "(<code>regionet.model.levels</code>, docs/levels.md). A member of the federation or "
        "an association with a foreign or multilateral partner → <b>international</b>: "
        "<b>trans-regional</b> when a multilateral organization, fund or programme takes part "
        "(also when the party is the federation itself, as in its membership of the CBSS), "
        "<b>cross-border</b> when every foreign partner is a state, or a region of a state, "
        "that a member party itself borders by land or sea (a Euroregion counts as its "
        "foreign side), else <b>non-adjacent</b>; an association with no foreign partner → "
        "<b>subnational</b>; members only → <b>bilateral</b>. A tie with no member but a "
        "member as its location is classified as if that member took part. Four levels are "
        "added so that every tie has one: <b>vertical</b> (the centre with members), "
        "<b>interstate</b> (the federation itself with a foreign state), <b>federal</b> (the "
        "centre alone) and <b>external</b> (no party of the federation). The column <i>why "
        "this level</i> gives the classifier's reason; <i>sources</i> link to the list of "
        "sources (section 9).</p>",
        tie_fig, per_subject]
    for level, sublevel, key, title in _LEVELS:
        ties = [t for t in data.result.ties if t["level"] == level
                and (t["sublevel"] or None) == sublevel]
        if not ties:
            continue
        parts.append(f'<h3><span class="swatch" style="background:{LEVEL_COLOURS[key]}">'
                     f"</span>{escape(title)} ({len(ties)})</h3>")
        if level == "subnational":
            parts.append(_memberships([t for t in ties if t["kind"] == "membership"], page))
            ties = [t for t in ties if t["kind"] != "membership"]
            if ties:
                parts.append(f"<h4>Other subnational ties ({len(ties)})</h4>")
        if ties:
            parts.append(_tie_table(ties, page))
    return "".join(parts) + "</section>"


def observations(data: ReportData, page: Page) -> str:
    """Section 7a: the observations (aggregate facts) with their sources."""
    rows = []
    for o in data.result.observations:
        cmp = "" if o["comparator"] == "=" else o["comparator"] + " "
        if o["value"] is None:
            value = o["value_text"]
        else:
            unit = "" if o["unit"] in ("", "count", "text") else f" {o['unit']}"
            value = f"{cmp}{o['value']:g}{unit}"
        rows.append(row([escape(o["indicator"].replace("_", " ")), page.actor(o["subject"]),
                         escape(value), period(o["start"], o["end"]),
                         page.sources(o["sources"]), _status([o["status"]])]))
    return ('<section id="observations"><h2>8. Observations</h2>'
            '<p class="note">Aggregate facts the memo and the reference tables state (no tie '
            "stands for them), e.g. more than 300 agreements of regions with foreign "
            "countries in 1991–95 (para 8).</p>"
            + table(["indicator", "subject", "value", "period", "sources", "status"], rows,
                    cls="ties") + "</section>")


def sources(data: ReportData) -> str:
    """Section 8: every document, anchored ``doc-<id>``; addresses as plain text."""
    items = []
    for d in data.result.documents:
        head = ", ".join(escape(str(x)) for x in (d["author"], d["year"]) if x)
        url = (f' <span class="url">{escape(d["url"])}</span>' if d["url"] else "")
        note = f'<br><span class="note">{escape(d["note"])}</span>' if d["note"] else ""
        items.append(f'<li id="doc-{escape(d["id"])}"><b>{escape(d["id"])}</b> — '
                     + (f"{head}. " if head else "") + f"<i>{escape(d['title'])}</i>"
                     + (f". {escape(d['publisher'])}" if d["publisher"] else "")
                     + f".{url}{note}</li>")
    return ('<section id="sources"><h2>9. Sources</h2>'
            '<p class="note">Every document the case cites. A cell reading '
            "<i>document: locator</i> links here; memo paragraphs (<i>para N</i>) are "
            "numbered as in <code>docs/memo-locators.md</code>. Addresses are given as text, "
            "not links: this page makes no network request.</p>"
            f'<ul class="sources">{"".join(items)}</ul></section>')


def credits(data: ReportData) -> str:
    """Section 9: the credits the data's licences ask for."""
    items = "".join(f"<li>{escape(c)}</li>" for c in data.result.credits)
    return ('<section id="credits"><h2>10. Credits</h2>'
            f"<ul>{items}<li>Figures drawn with matplotlib; colours of the levels from the "
            "Okabe–Ito palette (safe for colour-vision deficiencies).</li></ul></section>")
