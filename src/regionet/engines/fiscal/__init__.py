"""Fiscal engine: attribution rules, parameters, the revenue pipeline and equalization."""

__all__: list[str] = []
