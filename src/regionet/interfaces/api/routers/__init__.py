"""One router per resource of the REST API, each mounted under ``/api``."""

__all__: list[str] = []
