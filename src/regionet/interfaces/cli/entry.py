"""The ``regionet`` console script: a fiscal run's files start being read before the set-up.

Setting up the commands (importing Typer and Click, declaring every command's options) takes
about 0.05 s of one core, and only then does ``fiscal run`` parse its options and start
reading its Parquet files ahead (:mod:`regionet.services.read_ahead`). When the arguments
plainly name both files of a fiscal run (``fiscal run … --establishments E --firms F``,
without ``--inputs`` or ``--help``), :func:`main` starts that reading first; the run then
finds it started. It only does earlier what the run would do: anything else, or arguments
it does not recognise, are left to the command, which parses them and reports errors as
before (a file that does not exist or is not Parquet is simply not read ahead).

The fiscal commands also run NumPy's OpenBLAS in one thread (:func:`single_threaded_blas`):
none of them multiplies matrices, and the pool's idle threads, which spin for a while once
NumPy is imported, took ≈ 0.08 s of CPU from a 5e6-row run on two cores.

Examples:
    >>> files_read_first(["fiscal", "run", "--year", "2005", "--establishments", "e.parquet",
    ...                   "--firms=f.parquet"])
    (PosixPath('e.parquet'), PosixPath('f.parquet'))
    >>> files_read_first(["fiscal", "run", "--establishments", "e.parquet"]) is None
    True
    >>> files_read_first(["fiscal", "compare", "--establishments", "e", "--firms", "f"]) is None
    True
"""

from __future__ import annotations

import os
import sys
from collections.abc import MutableMapping, Sequence
from pathlib import Path

__all__ = ["files_read_first", "main", "single_threaded_blas"]

#: Options after which the run reads no files of its own, or does not run.
_NO_FILES = ("--inputs", "--help")


def _value(args: Sequence[str], option: str) -> str | None:
    """The value given to ``option`` (``--option VALUE`` or ``--option=VALUE``), or None."""
    for i, arg in enumerate(args):
        if arg == option and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(option + "="):
            return arg[len(option) + 1:]
    return None


def files_read_first(args: Sequence[str]) -> tuple[Path, Path] | None:
    """The establishments and firms files of a ``fiscal run`` in ``args``, or None.

    None unless the command is ``fiscal run`` with both files and none of ``--inputs``,
    ``--help``.
    """
    if list(args[:2]) != ["fiscal", "run"]:
        return None
    options = args[2:]
    if any(arg == flag or arg.startswith(flag + "=") for arg in options for flag in _NO_FILES):
        return None
    establishments, firms = _value(options, "--establishments"), _value(options, "--firms")
    if not establishments or not firms:
        return None
    return Path(establishments), Path(firms)


def single_threaded_blas(args: Sequence[str], environ: MutableMapping[str, str]) -> bool:
    """For a ``fiscal`` command, ask OpenBLAS for one thread (unless the user chose a number).

    Must run before NumPy is imported (OpenBLAS reads ``OPENBLAS_NUM_THREADS`` when it
    loads). Returns whether ``environ`` was changed.

    Examples:
        >>> env = {}
        >>> single_threaded_blas(["fiscal", "run"], env), env
        (True, {'OPENBLAS_NUM_THREADS': '1'})
        >>> env = {"OPENBLAS_NUM_THREADS": "2"}
        >>> single_threaded_blas(["fiscal", "run"], env), env   # the user's choice stays
        (False, {'OPENBLAS_NUM_THREADS': '2'})
        >>> single_threaded_blas(["dynamics", "run"], {})
        False
    """
    if list(args[:1]) != ["fiscal"] or "OPENBLAS_NUM_THREADS" in environ:
        return False
    environ["OPENBLAS_NUM_THREADS"] = "1"
    return True


def main() -> None:
    """Entry point: start reading a fiscal run's files, then run the command (``app.main``)."""
    single_threaded_blas(sys.argv[1:], os.environ)
    files = files_read_first(sys.argv[1:])
    if files is not None:
        from regionet.services.read_ahead import read_inputs_ahead

        read_inputs_ahead(*files)
    from regionet.interfaces.cli.app import main as run_command

    run_command()
