"""The REST API (FastAPI): one router per resource under ``/api``, problems as RFC 9457.

Build the application with :func:`create_app` and run it with ``regionet serve``; see
``docs/api.md`` for the endpoints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from regionet.interfaces.api.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # Imported on first use, so that importing the package stays cheap.
    if name == "create_app":
        from regionet.interfaces.api.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
