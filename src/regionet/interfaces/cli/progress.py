"""The progress display of long commands: a Rich spinner on standard error, on a terminal only.

Commands that run longer than about two seconds (``run``, ``report``,
``fiscal run|compare|explain|test``, ``figures map|ties|lorenz``) wrap their work in
:func:`progress`.
Services report what they are doing through a plain ``progress`` callback (a function
taking one message); they never import Rich. The display goes to standard error, so
standard output (a table, ``--json``, the files written) is the same with or without it,
and it is shown only when standard error is an interactive terminal: in a pipe, a file or
CI nothing is written. ``--quiet`` turns it off on a terminal too; ``TTY_INTERACTIVE=0`` or
``TERM=dumb`` does as well.

Examples:
    >>> with progress("Working") as say:   # not a terminal here: nothing is shown
    ...     say("Step 1 of 2")
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

__all__ = ["QuietOption", "Say", "progress"]

#: What a service is given to report progress: it is called with one message per step.
Say = Callable[[str], None]

QuietOption = Annotated[bool, typer.Option(
    "--quiet", "-q", help="No progress display (shown only on a terminal, on standard "
                          "error).")]


def _silent(_message: str) -> None:
    """Report nothing."""


def _interactive() -> bool:
    """True when standard error is a terminal that can redraw a line."""
    from rich.console import Console

    stream = sys.stderr
    try:
        tty = bool(stream.isatty())
    except (AttributeError, ValueError):  # a closed or foreign stream
        return False
    return tty and Console(file=stream).is_interactive


@contextmanager
def progress(description: str, *, quiet: bool = False) -> Iterator[Say]:
    """Show a spinner with ``description`` while the block runs; yield the update callback.

    The callback replaces the description with the step a service reports. Nothing is
    shown, and the callback does nothing, when ``quiet`` or when standard error is not an
    interactive terminal. The display is transient: it is erased when the block ends, so
    what the command prints afterwards stands alone.

    Args:
        description: what the command is doing, until a step is reported.
        quiet: show nothing.
    """
    if quiet or not _interactive():
        yield _silent
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(file=sys.stderr)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=console, transient=True, redirect_stdout=False,
                  redirect_stderr=False) as bar:
        task = bar.add_task(description, total=None)

        def say(message: str) -> None:
            bar.update(task, description=message)

        yield say
