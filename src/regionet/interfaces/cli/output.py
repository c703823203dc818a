"""Rendering command results: JSON for machines, Rich tables for people."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["print_json", "print_table"]


def print_json(data: Any, indent: int | None = 2) -> None:
    """Write ``data`` as UTF-8 JSON to standard output, indented unless ``indent`` is None."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=indent, default=str) + "\n")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(_cell(v) for v in value)
    if isinstance(value, dict):
        if {"value", "currency"} <= set(value):
            return f"{value['currency']} {value['value']:,.0f}"
        if {"document", "locator"} <= set(value):
            return f"{value['document']}:{value['locator']}"
    return str(value)


def print_table(rows: Sequence[Mapping[Any, Any]], columns: Sequence[str], title: str) -> None:
    """Print ``rows`` as a Rich table with the given ``columns``.

    On a terminal the table fits the window (long cells fold). Into a pipe or a file, where
    Rich would assume 80 columns and fold every long source into a column of word pieces,
    the table keeps its natural width (one line per row) unless ``COLUMNS`` says otherwise.

    Examples:
        >>> print_table([{"id": "RU-KR", "name": "Karelia"}], ["id", "name"], "Actors")
                    Actors (1)
        ┏━━━━━━━┳━━━━━━━━━┓
        ┃ id    ┃ name    ┃
        ┡━━━━━━━╇━━━━━━━━━┩
        │ RU-KR │ Karelia │
        └───────┴─────────┘
    """
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{title} ({len(rows)})", show_lines=False)
    for c in columns:
        table.add_column(c, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    console = Console()
    if not console.is_terminal and "COLUMNS" not in os.environ:
        wide = console.measure(table, options=console.options.update_width(1_000_000))
        console.width = max(console.width, wide.maximum)
    console.print(table)
