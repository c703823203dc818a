"""The dashboard's HTML routes and static files, through the real app (no browser)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from regionet.interfaces.api import create_app

PAGES = ["/", "/map", "/network", "/compare", "/region/RU-KR", "/region/FI"]
STATIC = Path(__file__).parents[2] / "src" / "regionet" / "interfaces" / "web" / "static"
URL = re.compile(r"https?://", re.IGNORECASE)


class Page(HTMLParser):
    """Collects what the checks need: title, links, scripts, selects and labels."""

    def __init__(self) -> None:
        super().__init__()
        self.title = ""
        self.refs: list[str] = []
        self.selects: list[str] = []
        self.label_for: set[str] = set()
        self.wrapped: set[str] = set()
        self.inline: list[str] = []
        self._in_title = False
        self._labels = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self._in_title = tag == "title"
        self.inline += [f"{tag} {k}" for k, _ in attrs if k.startswith("on") or k == "style"]
        if tag == "script" and not a.get("src"):
            self.inline.append("inline <script>")
        for key in ("href", "src", "action"):
            if a.get(key):
                self.refs.append(a[key] or "")
        if tag == "label":
            self._labels += 1
            if a.get("for"):
                self.label_for.add(a["for"] or "")
        if tag == "select":
            self.selects.append(a.get("id") or "")
            if self._labels:
                self.wrapped.add(a.get("id") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._labels -= 1
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(None)) as client:  # one event loop
        yield client


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_html_with_a_title_and_no_external_url(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert not URL.search(response.text), "pages must not name any http(s) URL"
    page = parse(response.text)
    assert page.title.strip().endswith("regionet")
    for ref in page.refs:
        assert ref.startswith(("/", "#", "data:")), ref


@pytest.mark.parametrize("path", PAGES)
def test_pages_have_no_inline_script_handler_or_style(client, path):
    assert parse(client.get(path).text).inline == []


@pytest.mark.parametrize("path", PAGES)
def test_every_select_has_a_label(client, path):
    page = parse(client.get(path).text)
    for select in page.selects:
        assert select in page.label_for or select in page.wrapped, select


@pytest.mark.parametrize("path", PAGES)
def test_every_local_link_and_script_resolves(client, path):
    for ref in parse(client.get(path).text).refs:
        if ref.startswith("/") and not ref.startswith("/region/"):
            assert client.get(ref.split("#")[0]).status_code == 200, ref


def test_index_explains_the_illustrative_numbers_and_credits_sources(client):
    text = client.get("/").text
    assert "Illustrative fiscal numbers" in text
    for credit in ("Natural Earth", "GeoNames", "Sergounin", "Plotly.js"):
        assert credit in text


def test_plotly_is_served_from_the_installed_package(client):
    response = client.get("/static/plotly.min.js")
    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]
    assert b"plotly.js" in response.content[:400]
    head = client.head("/static/plotly.min.js")
    assert head.status_code == 200 and "javascript" in head.headers["content-type"]


def test_dashboard_scripts_and_styles_name_no_external_url(client):
    for path in sorted(STATIC.rglob("*")):
        if path.is_file():
            rel = path.relative_to(STATIC).as_posix()
            response = client.get(f"/static/{rel}")
            assert response.status_code == 200, rel
            assert not URL.search(response.text), rel


def test_region_page_is_named_after_the_actor(client):
    page = parse(client.get("/region/RU-KR").text)
    assert page.title.startswith("Karelia")


@pytest.mark.parametrize("path", ["/region/RU-NOPE", "/region/a%20b", "/region/%3Cscript%3E"])
def test_unknown_region_is_a_404_html_page(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Not found" in response.text
    assert "<script>" not in response.text
