"""Interfaces: the CLI, the report and (later) the REST API and dashboard.

Interfaces parse input, call a service and render; they hold no domain logic.
"""

__all__: list[str] = []
