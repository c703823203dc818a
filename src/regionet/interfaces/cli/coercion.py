r"""Typer's option values coerced without pydantic where there is nothing pydantic would add.

Typer (0.2x) turns each option's text into its Python value through a pydantic
``TypeAdapter``, built for every option it processes: even for an option left out (value
``None``, returned as is) such as ``--help`` on every group a command passes through.
Importing pydantic and building the adapters cost about 0.17 s of CPU per command: half of
what ``regionet fiscal run --help`` costs above the interpreter (issue 10).

:func:`install` gives each option a light coercer instead. It returns ``None`` (nothing
given) without an adapter, and coerces the plain cases regionet's commands use (``str``;
``int`` written as decimal digits, without bounds; ``Path`` without path options; a default
already of the option's type) the way Typer does. Anything else, and any value these cases
refuse, goes to Typer's own adapter, built then: results, error messages and exit codes are
Typer's. If Typer's internals are not the ones expected (another version), nothing is
changed. ``tests/integration/test_cli_coercion.py`` compares both on good and bad values.

Examples:
    >>> install()
    >>> from typer.testing import CliRunner
    >>> import typer
    >>> demo = typer.Typer()
    >>> @demo.command()
    ... def show(year: int, name: str = "x") -> None:
    ...     print(year + 1, name)
    >>> CliRunner().invoke(demo, ["2004", "--name", "y"]).output
    '2005 y\n'
    >>> "valid integer" in CliRunner().invoke(demo, ["20o4"]).output
    True
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Final

__all__ = ["install"]

_DECIMAL: Final = re.compile(r"-?(0|[1-9][0-9]{0,17})")
#: Returned by :func:`_plain` when a value is not a plain case.
_NOT_PLAIN: Final = object()
_INSTALLED: list[bool] = []


def _plain(annotation: Any, info: Any, value: Any, param: Any, ctx: Any) -> Any:
    """``value`` coerced as Typer would for the plain cases; ``_NOT_PLAIN`` otherwise."""
    if info.parser is not None or (annotation in (int, float)
                                   and (info.min is not None or info.max is not None)):
        return _NOT_PLAIN
    if type(value) is annotation and annotation in (str, int, float):
        return value  # e.g. a default: Typer's adapter returns it as it is
    if not isinstance(value, str):
        return _NOT_PLAIN
    if annotation is int:
        return int(value) if _DECIMAL.fullmatch(value) else _NOT_PLAIN
    if annotation is Path and info.path_type is None and value:
        from typer._param_types import coerce_cli_path

        return coerce_cli_path(Path(value), info, path_type=Path, param=param, ctx=ctx)
    return _NOT_PLAIN


def install() -> None:
    """Give Typer's options the light coercer (once; nothing if Typer's internals differ)."""
    if _INSTALLED:
        return
    _INSTALLED.append(True)
    try:
        from dataclasses import dataclass

        from typer import _coercion, core
        from typer._coercion import RuntimeParam, build_runtime_param

        parameter = core._TyperParameter
        parameter.get_runtime_param  # noqa: B018 (checked to exist)
        RuntimeParam.__dataclass_fields__  # noqa: B018
    except (ImportError, AttributeError):
        return

    @dataclass(frozen=True)
    class Light(RuntimeParam):
        """Coerces the plain cases; hands anything else to Typer's adapter."""

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            try:
                done = _plain(self.annotation, self.parameter_info, value, param, ctx)
            except Exception:  # refused: Typer's adapter says why, in its words
                done = _NOT_PLAIN
            if done is not _NOT_PLAIN:
                return done
            full = build_runtime_param(param.type_descriptor)
            param._runtime_param = full
            return full._coerce_value(value, param=param, ctx=ctx)

    def get_runtime_param(self: Any) -> _coercion.RuntimeParam:
        if self._runtime_param is None:
            descriptor = self.type_descriptor
            self._runtime_param = (
                Light(annotation=descriptor.annotation, parameter_info=descriptor.parameter_info)
                if descriptor.file_annotation is None else build_runtime_param(descriptor))
        param: _coercion.RuntimeParam = self._runtime_param
        return param

    parameter.get_runtime_param = get_runtime_param  # type: ignore[method-assign]
