"""Identifiers: the id types and the rules each kind of id follows.

Actor ids are ISO 3166-2 codes for members of a federation (``RU-KR``), ISO 3166-1
alpha-2 codes for states and federations (``FI``, ``RU``), and lowercase slugs for
everything else (``cbss``, ``assoc-northwest``).

Examples:
    >>> check_actor_id("RU-KR")
    'RU-KR'
    >>> is_slug("assoc-northwest")
    True
    >>> check_actor_id("Karelia")
    Traceback (most recent call last):
    ...
    regionet.core.errors.InvalidValueError: field 'id', value 'Karelia': not a valid actor id ...
"""

from __future__ import annotations

import re
from typing import NewType

from regionet.core.errors import InvalidValueError

__all__ = [
    "ActorId",
    "DocumentId",
    "ObservationId",
    "TieId",
    "check_actor_id",
    "is_iso_country",
    "is_iso_subdivision",
    "is_slug",
]

ActorId = NewType("ActorId", str)
TieId = NewType("TieId", str)
ObservationId = NewType("ObservationId", str)
DocumentId = NewType("DocumentId", str)

_ISO_COUNTRY = re.compile(r"^[A-Z]{2}$")
_ISO_SUBDIVISION = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
_SLUG = re.compile(r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*$")


def is_iso_country(text: str) -> bool:
    """Return True for an ISO 3166-1 alpha-2 code such as ``FI``."""
    return bool(_ISO_COUNTRY.match(text))


def is_iso_subdivision(text: str) -> bool:
    """Return True for an ISO 3166-2 code such as ``RU-KR`` or ``CN-HL``."""
    return bool(_ISO_SUBDIVISION.match(text))


def is_slug(text: str) -> bool:
    """Return True for a lowercase slug such as ``nordic-council-of-ministers``."""
    return bool(_SLUG.match(text))


def check_actor_id(text: str, *, file: str | None = None, row: int | None = None) -> ActorId:
    """Return ``text`` as an :data:`ActorId`, or raise if it follows none of the id rules.

    Raises:
        InvalidValueError: when ``text`` is not an ISO code or a slug.
    """
    if is_iso_country(text) or is_iso_subdivision(text) or is_slug(text):
        return ActorId(text)
    raise InvalidValueError(
        "not a valid actor id",
        file=file,
        row=row,
        field="id",
        value=text,
        expected="an ISO 3166-1/3166-2 code such as 'FI' or 'RU-KR', "
        "or a lowercase slug such as 'assoc-northwest'",
    )
