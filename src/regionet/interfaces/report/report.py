"""The report: one self-contained HTML file that opens offline, from disk.

Inline CSS, figures embedded as ``data:image/png;base64`` URIs, no script, no external
URL: addresses of sources are plain text. Sections: 1 the case in numbers, 2 the three
levels of cooperation, 3 bloc dominance, 4 international actorness, 5 communities vs
associations, 6 the fiscal system (illustrative), 7 the system in motion (the dynamics
model's runs, illustrative), 8 observations, 9 sources, 10 credits.
Every figure has a numbered caption with its source; every ``document: locator`` cell
links to the document's entry (``#doc-<id>``) in the list of sources. See docs/report.md.

Examples:
    >>> from regionet.services.case_source import CaseSource
    >>> from regionet.services.report import build_report_data
    >>> data = build_report_data(CaseSource.bundled(), out=tmp_path, fiscal=False,
    ...                          dynamics=False)
    >>> html = render_report(data)
    >>> html.startswith("<!DOCTYPE html>"), "<script" in html, 'href="http' in html
    (True, False, False)
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path

from regionet.interfaces.figures import LEVEL_COLOURS
from regionet.interfaces.report.elements import Page
from regionet.interfaces.report.sections_case import (
    case_in_numbers,
    credits,
    levels_of_cooperation,
    observations,
    sources,
)
from regionet.interfaces.report.sections_dynamics import system_in_motion
from regionet.interfaces.report.sections_fiscal import fiscal_system
from regionet.interfaces.report.sections_network import (
    actorness,
    bloc_dominance,
    communities,
)
from regionet.services.report import ReportData

__all__ = ["SECTIONS", "render_report", "write_report"]

#: The sections: anchor and heading, in order (the table of contents).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("the-case-in-numbers", "1. The case in numbers"),
    ("the-three-levels-of-cooperation", "2. The three levels of cooperation"),
    ("bloc-dominance", "3. Bloc dominance"),
    ("international-actorness-over-time", "4. International actorness over time"),
    ("communities-vs-associations", "5. Communities vs associations"),
    ("the-fiscal-system", "6. The fiscal system (illustrative)"),
    ("the-system-in-motion", "7. The system in motion (illustrative)"),
    ("observations", "8. Observations"),
    ("sources", "9. Sources"),
    ("credits", "10. Credits"),
)

_CSS = """
:root{--ink:#1f2328;--muted:#57606a;--line:#d0d7de;--soft:#f6f8fa;--warn:#b22222}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);
margin:0 auto;padding:1.5rem 2rem 4rem;max-width:76rem}
h1{font-size:1.75rem;margin:.2rem 0 .4rem}
h2{font-size:1.35rem;border-bottom:2px solid var(--line);padding-bottom:.25rem;margin-top:2.8rem}
h3{font-size:1.1rem;margin:1.8rem 0 .4rem}h4{font-size:.98rem;margin:1.2rem 0 .3rem}
p,li{max-width:60rem}.lead{font-size:1.05rem}
.subtitle{color:var(--muted);margin:0 0 1rem}
nav.toc{background:var(--soft);border:1px solid var(--line);border-radius:6px;
padding:.6rem 1.2rem;margin:1rem 0 1.5rem}
nav.toc ul{columns:2;margin:.3rem 0;padding-left:0;list-style:none}nav.toc li{margin:.1rem 0}
a{color:#0a58ca;text-decoration:none}a:hover{text-decoration:underline}
table{border-collapse:collapse;width:100%;font-size:.82rem;margin:.4rem 0 1rem}
th,td{border:1px solid var(--line);padding:.25rem .45rem;text-align:left;vertical-align:top}
th{background:var(--soft);font-weight:600}td.num{text-align:right;white-space:nowrap}
table.ties td:nth-child(1){min-width:14rem}table.ties td:nth-child(6){min-width:12rem}
table.compact{font-size:.78rem}
tr.claim td{background:#fff8e1}
.status{display:inline-block;border-radius:3px;padding:0 .35em;font-size:.8em;margin:.05em 0}
.status.verified{background:#e6f4ea;color:#1e6b34}.status.partial{background:#fff4d6;color:#6b5300}
.status.assumed{background:#fde2d2;color:#8a3b00}
.id{color:var(--muted);font-size:.85em;font-family:ui-monospace,Menlo,Consolas,monospace}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em;background:var(--soft);
padding:0 .2em;border-radius:3px}
.note{color:var(--muted);font-size:.85rem}
.grid3{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:1.4rem}
.grid3 h3{margin-top:.6rem}
figure{margin:1rem 0 1.6rem}figure img{width:100%;height:auto;border:1px solid var(--line)}
figure.chart{max-width:46rem}
figcaption{font-size:.85rem;color:var(--ink);margin-top:.3rem;max-width:60rem}
figcaption .source{color:var(--muted)}
blockquote{margin:.8rem 0;padding:.4rem 1rem;border-left:4px solid var(--line);
color:#33383d;font-style:italic}blockquote cite{font-style:normal;font-size:.85rem}
.caveat{background:#fff8e1;border:1px solid #e6c35c;border-radius:6px;padding:.6rem 1rem;
margin:.8rem 0}
.banner{background:#fdecea;border:2px solid var(--warn);border-radius:6px;padding:.7rem 1rem;
margin:.8rem 0 1.2rem}
.illustrative-tag{display:inline-block;border:1px solid var(--warn);color:var(--warn);
font-weight:700;font-size:.72rem;letter-spacing:.04em;text-transform:uppercase;
padding:0 .3em;margin-left:.2em}
.swatch{display:inline-block;width:.8em;height:.8em;border-radius:2px;margin-right:.4em;
vertical-align:baseline}.key{white-space:nowrap;margin-right:.3em}
ul.sources{padding-left:1.2rem}ul.sources li{margin:.35rem 0;font-size:.88rem}
ul.sources li:target{background:#fff8e1}
.url{color:var(--muted);word-break:break-all;font-size:.85em}
@media print{nav.toc{display:none}figure,table{break-inside:avoid}}
@media (max-width:800px){.grid3{grid-template-columns:1fr}nav.toc ul{columns:1}}
"""


def _legend() -> str:
    keys = tuple(LEVEL_COLOURS)
    return " ".join(f'<span class="key"><span class="swatch" style="background:'
                    f'{LEVEL_COLOURS[k]}"></span>{escape(k)}</span>' for k in keys)


def render_report(data: ReportData, progress: Callable[[str], None] | None = None) -> str:
    """Return the report as one self-contained HTML document.

    ``progress`` is told which section is being drawn (the maps take a few seconds).
    """
    say = progress or (lambda _msg: None)
    result = data.result
    page = Page(data.names, (d["id"] for d in result.documents))
    steps: list[tuple[str, Callable[[ReportData, Page], str]]] = [
        ("the case in numbers", case_in_numbers),
        ("the levels of cooperation (maps)", levels_of_cooperation),
        ("bloc dominance", bloc_dominance), ("actorness", actorness),
        ("communities", communities), ("the fiscal system (maps and charts)", fiscal_system),
        ("the system in motion (fan charts, checks, map)", system_in_motion),
        ("observations", observations), ("sources", lambda d, _: sources(d)),
        ("credits", lambda d, _: credits(d))]
    body = []
    for label, make in steps:
        say(f"Report: {label}")
        body.append(make(data, page))
    toc = "".join(f'<li><a href="#{a}">{escape(t)}</a></li>' for a, t in SECTIONS)
    files = ", ".join(f"<code>{escape(v.name)}</code>" for v in result.files.values())
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(result.title)} — regionet report</title>"
        f"<style>{_CSS}</style></head><body>"
        f"<header><h1>{escape(result.title)}</h1>"
        f'<p class="subtitle">regionet report on the case <code>{escape(result.case_id)}'
        "</code>. Every number cites its source (document: locator, linked to the list of "
        "sources) or says how it was computed; the fiscal numbers are "
        '<span class="illustrative-tag">illustrative</span>.</p></header>'
        f'<nav class="toc" aria-label="Contents"><b>Contents</b><ul>{toc}</ul>'
        f'<p class="note">Colours of the levels, the same in every figure: {_legend()}.'
        + (f" Files written beside this page: {files}." if files else "")
        + "</p></nav>" + "".join(body) + "</body></html>\n")


def write_report(data: ReportData, path: Path,
                 progress: Callable[[str], None] | None = None) -> Path:
    """Write the report to ``path`` (creating its folder) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(data, progress), encoding="utf-8")
    return path
