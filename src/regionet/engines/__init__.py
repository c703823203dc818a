"""Engines: pure computation on arrays and frames (fiscal, network, geo, dynamics).

Engines never import storage or interfaces.
"""

__all__: list[str] = []
