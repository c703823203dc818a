"""The ``regionet`` command line (Typer + Rich); subcommands import their services lazily."""

__all__: list[str] = []
