"""Report sections on the cooperation network: bloc dominance, actorness, communities.

Definitions are those of docs/network.md; each section states what its numbers rest on.
"""

from __future__ import annotations

from html import escape
from typing import Any

import pandas as pd

from regionet.interfaces.figures import series_chart
from regionet.interfaces.report.elements import Page, row, table
from regionet.services.report import ACTORNESS_YEARS, ReportData

__all__ = ["actorness", "bloc_dominance", "communities"]

_MEMO_PARA_12 = ("the Northwest Association is considered the “sphere of influence” of St. "
                 "Petersburg, while the Urals Association is dominated by Ekaterinburg.")
_MEMO_PARA_8 = ("devolution of power in Russia boosted foreign relations of the regions and "
                "made them real international actors.")
#: Years shown as columns of the actorness table.
_TABLE_YEARS = (1990, 1992, 1995, 1998, 1999, 2002, 2005, 2010)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f} %"


def _bloc_row(b: dict[str, Any], page: Page) -> str:
    if b["top_member"]:
        top = f"{page.actor(b['top_member'])}<br>{_pct(b['top_share'])}"
    else:
        top = f"none: {len(b['top_members'])} members tie at {_pct(b['top_share'])}"
    hub = "–"
    if b["claimed_hub"]:
        hub = (f"{page.actor(b['claimed_hub'])}<br>{_pct(b['claimed_hub_share'])}, rank "
               f"{b['claimed_hub_rank']} of {b['n_members']}<br>"
               f"<small>{page.refs(b['claimed_hub_source'] or '')}</small>")
    hhi = "–" if b["hhi_normalized"] is None else f"{abs(b['hhi_normalized']):.2f}"
    return row([page.actor(b["association"]), str(b["n_members"]),
                f"{b['n_internal_ties']} ({b['n_membership_ties']} memberships)", top,
                f"{b['top_vs_others']:.2f}×", hhi, hub, escape(b["basis"])],
               "claim" if b["claimed_hub"] else "", numeric=[1, 4, 5])


def bloc_dominance(data: ReportData, page: Page) -> str:
    """Section 3: the bloc dominance index against the memo's claims (para 12)."""
    claims = [b for b in data.blocs if b["claimed_hub"]]
    sentences = "".join(f"<li>{escape(b['sentence'])}</li>" for b in claims)
    rows = [_bloc_row(b, page) for b in data.blocs]
    return (
        '<section id="bloc-dominance"><h2>3. Bloc dominance</h2>'
        f'<blockquote>“… {escape(_MEMO_PARA_12)}” <cite>{page.document("sergounin-1999")}: '
        "para 12</cite></blockquote>"
        "<p><b>The index.</b> For each association, on the bilateral and subnational ties "
        f"valid in {data.year}: the association's <i>internal activity</i> W is the summed "
        "weight of the ties among its members and with the association itself (each edge of "
        "a tie with n parties weighs 1/(n−1)); a member's internal strength s<sub>i</sub> is "
        "the summed weight of those it takes part in. <b>Top share</b> = s<sub>top</sub>/W, "
        "the share of internal activity that involves the most active member; <b>top vs "
        "others</b> = s<sub>top</sub> / the mean of the other members (1 = no dominance); "
        "<b>HHI*</b> = the normalised Herfindahl index of the s<sub>i</sub> (0 = all members "
        "equal, 1 = one member holds everything). The <b>claimed hub</b> is the member the "
        "memo names; its share and rank test the claim (docs/network.md §4).</p>"
        '<div class="caveat"><b>What the index rests on (basis).</b> A membership gives every '
        "member the same weight, so where memberships are the only internal ties every member "
        "is equal and the index <i>cannot</i> show dominance: the data cannot test the claim. "
        "It measures dominance only as far as the case records ties among members (bilateral "
        "cooperation, bloc agreements, joint projects). Read the <i>basis</i> column before "
        f"the numbers.</div><h3>The memo's two claims, {data.year}</h3>"
        "<p>The memo names cities; the case reads each as its subject: St Petersburg, a "
        "federal city (RU-SPE), and Ekaterinburg, capital of Sverdlovsk Oblast (RU-SVE).</p>"
        f"<ul>{sentences}</ul>"
        f"<h3>Every association, {data.year}</h3>"
        + table(["association", "members", "internal ties", "top member (share)",
                 "top vs others", "HHI*", "claimed hub (share, rank)", "basis"], rows)
        + '<p class="note">Rows with a claimed hub are highlighted. Source: regionet case '
          "ties (<code>regionet network blocs --year "
          f"{data.year}</code>); the claims are observations <code>o-northwest-spb-dominance"
          "</code> and <code>o-ural-ekaterinburg-dominance</code>.</p></section>")


def actorness(data: ReportData, page: Page) -> str:
    """Section 4: international actorness of the leading regions, 1990–2010."""
    first, last = ACTORNESS_YEARS[0], ACTORNESS_YEARS[-1]
    frame = pd.DataFrame({"year": list(ACTORNESS_YEARS)} | {
        a.region: [a.by_year[y] for y in ACTORNESS_YEARS] for a in data.actorness})
    fig = series_chart(
        frame, data.leading, title=f"International actorness of the leading regions, "
        f"{first}–{last}", ylabel="Actorness (ties + partners + money ties)", unit="count",
        labels={a.region: a.name for a in data.actorness}, years=(first, last),
        source_note=f"Source: regionet case {data.case.id}, international ties "
                    "(regionet network actorness). Undated ties count in every year.")
    figure = page.figure(
        fig, f"The composite actorness of the {len(data.actorness)} regions with the most "
        "international ties in any one year.", wide=False,
        alt="Line chart of international actorness per year for the leading regions",
        source=f"regionet case {escape(data.case.id)}, international ties with their "
               "sources (section 2); money converted with the case's rates table")
    rows = []
    for a in data.actorness:
        unconverted = ", ".join(f"{c} {v:,.0f}" for c, v in a.money_unconverted.items())
        rows.append(row(
            [page.actor(a.region), f"{a.peak} ({a.peak_year})", str(a.max_foreign_ties),
             page.actors(a.partners), str(a.money_ties),
             f"{a.money_ecu / 1e6:,.2f}" if a.money_ecu else "–", escape(unconverted or "–"),
             str(a.undated_ties)] + [str(a.by_year[y]) for y in _TABLE_YEARS],
            numeric=[2, 4, 5, 7, *range(8, 8 + len(_TABLE_YEARS))]))
    header = ["region", "peak (year)", "most foreign ties in a year", "partners",
              "money ties", "money, ECU million", "amounts without an ECU rate",
              "undated ties", *map(str, _TABLE_YEARS)]
    return (
        '<section id="international-actorness-over-time">'
        "<h2>4. International actorness over time</h2>"
        f'<blockquote>“… {escape(_MEMO_PARA_8)}” <cite>{page.document("sergounin-1999")}: '
        "para 8</cite></blockquote>"
        "<p><b>Actorness</b> of a region in a year = its international ties valid that year "
        "(cross-border, trans-regional, other) + its distinct foreign and multilateral "
        "partners + its ties with an amount dated that year: a plain count of its "
        "international engagements seen three ways, each worth 1 (docs/network.md §6). A "
        "company's ties count for its registration region. Amounts are converted to ECU only "
        "where the case's rates table has a rate; the rest stays in its currency — no rate is "
        "invented.</p>" + figure
        + table(header, rows, cls="compact")
        + '<p class="note">Ties without any date count in every year (column <i>undated '
          "ties</i>), so the curves start high in 1990 and show when dated ties begin and "
          "end, not when undated ones did. Where two regions have the same value their "
          "lines overlap; the table gives the values.</p></section>")


def communities(data: ReportData, page: Page) -> str:
    """Section 5: Louvain communities compared with the associations (NMI, ARI)."""
    c = data.communities
    odd = "; ".join(f"{page.name(d['member'])} (member of {page.name(d['association'])}, "
                    f"grouped with {page.name(d['community_association'])})"
                    for d in data.disagreements)
    rows = [row([str(g["community"]), str(len(g["members"])),
                 page.actor(g["association"]) if g["association"] else "–",
                 f"{100 * g['association_share']:.0f} %",
                 escape(", ".join(page.names.get(m, m) for m in g["members"]))],
                numeric=[0, 1, 3])
            for g in c["communities"]]
    return (
        '<section id="communities-vs-associations"><h2>5. Communities vs associations</h2>'
        f"<p>Are the memo's associations (para 12) the groups the cooperation network itself "
        f"forms? Louvain communities of the bilateral and subnational ties of {data.year} "
        f"(seed {c['seed']}) give <b>{c['n_communities']} communities</b> for "
        f"<b>{c['n_associations']} associations</b> over {c['n_compared']} members: "
        f"<b>NMI {c['nmi']:.3f}</b>, <b>ARI {c['ari']:.3f}</b> (1 = the same partition, "
        f"≈ 0 = unrelated; modularity {c['modularity']:.3f}). <i>Basis:</i> "
        f"{escape(c['basis'])}. {escape(c['overlap_rule'].capitalize())}. "
        + (f"Members grouped with another association: {odd}." if odd else "")
        + "</p>"
        + table(["community", "members", "most common association", "its share",
                 "members"], rows, cls="compact")
        + '<p class="note">Definitions and references: docs/network.md §5 (Blondel et al. '
          "2008; Vinh, Epps &amp; Bailey 2010; Hubert &amp; Arabie 1985).</p></section>")
