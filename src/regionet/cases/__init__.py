"""Bundled cases: text data files (CSV / YAML / GeoJSON) shipped inside the package."""

__all__: list[str] = []
