"""What the API may say of where the server keeps its data: file names, not directories.

No credentials either. Non-admin callers (today: every caller; accounts arrive later) see a
workspace as its file name, or a database URL as its kind and database name. :func:`redact`
applies that to any text the API sends (``GET /api/health``, the problems of an unreadable
workspace).

Examples:
    >>> public_location("/home/me/team.db"), public_location("postgresql://u:pw@db/team")
    ('team.db', 'postgresql database team')
    >>> redact("sqlite:////srv/x/team.db: not a database", ["/srv/x/team.db"])
    'sqlite:///team.db: not a database'
    >>> redact("cannot connect to postgresql+psycopg://app:s3cret@db:5432/team", [])
    'cannot connect to postgresql+psycopg://***@db:5432/team'
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from pathlib import Path, PurePath
from urllib.parse import urlsplit

__all__ = ["public_location", "redact"]

_CREDENTIALS = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]+@")


def public_location(location: str) -> str:
    """Return what a non-admin may see of a workspace's location: no directory, no password.

    A file path gives its file name; a database URL, its kind and database name.
    """
    if "://" in location:
        parts = urlsplit(location)
        kind = parts.scheme.split("+")[0] or "database"
        name = PurePath(parts.path).name
        return f"{kind} database {name}" if name else f"{kind} database"
    return PurePath(location).name


def _forms(location: str) -> set[str]:
    forms = {location}
    if "://" not in location:
        with contextlib.suppress(OSError, RuntimeError):
            forms.add(str(Path(location).resolve()))
    return {f for f in forms if f and f != public_location(location)}


def redact(text: str, locations: Iterable[str | None]) -> str:
    """Return ``text`` with ``locations`` shown as :func:`public_location`, URLs unsigned.

    Each location's absolute path is replaced too; a URL's credentials become ``***``.
    """
    for location in (loc for loc in locations if loc):
        for form in sorted(_forms(location), key=len, reverse=True):
            text = text.replace(form, public_location(location))
    return _CREDENTIALS.sub(r"\1***@", text)
