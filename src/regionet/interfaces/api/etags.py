"""Entity tags of the detail endpoints: ``ETag`` on ``GET``, ``304`` for ``If-None-Match``.

A record's ETag is the one ``PUT``/``DELETE`` expect in ``If-Match``
(:func:`regionet.services.reviews.current`), so a client may edit what it has just read. The
tag is read *before* the body: when the record changes in between, the tag is the older one
and an edit made with it is refused (412), never applied over the newer version.

Only ``…/{id}/row``, whose body is the record itself, answers 304. The details
(``/api/actors|ties|sources/{id}``) carry the tag but never answer 304: their bodies also hold
what other records decide (an actor's ties, a tie's level from its parties' borders), which
the record's version does not cover; a browser revalidating an actor's page after an import
was told "not modified" and kept showing it without the new ties.

Examples:
    >>> matches('"a", W/"b"', '"b"'), matches("*", '"c"'), matches('"a"', '"b"')
    (True, True, False)
    >>> matches(None, '"a"')
    False
"""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response

from regionet.core.errors import UnknownReferenceError
from regionet.services import reviews
from regionet.services.case_source import CaseSource

__all__ = ["NOT_MODIFIED", "matches", "record_tag", "tagged"]

#: The OpenAPI description of a 304 answer.
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the If-None-Match tag is the record's ETag"}}


def matches(if_none_match: str | None, tag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``tag`` (weakly compared, or ``*``)."""
    if if_none_match is None:
        return False
    wanted = tag.removeprefix("W/")
    for item in if_none_match.split(","):
        candidate = item.strip()
        if candidate == "*" or candidate.removeprefix("W/") == wanted:
            return True
    return False


def record_tag(source: CaseSource, resource: str, record_id: str) -> str | None:
    """The ETag of one record; None when there is none (the detail then answers 404)."""
    try:
        return reviews.current(source, resource, record_id)[1]
    except UnknownReferenceError:
        return None


def tagged(request: Request, response: Response, tag: str | None, *,
           may_skip: bool = True) -> Response | None:
    """Set ``ETag`` on ``response``; return a 304 answer when the client has that version.

    ``may_skip=False`` (an answer that holds more than the record, which the tag does not
    cover) never gives 304.
    """
    if tag is None:
        return None
    if may_skip and matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers={"ETag": tag})
    response.headers["ETag"] = tag
    return None
