"""Reports: self-contained HTML files that open offline (no external URLs)."""

__all__: list[str] = []
