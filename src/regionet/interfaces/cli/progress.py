"""The progress display of long commands: a Rich spinner on standard error, on a terminal only.

Commands that run longer than about two seconds (``run``, ``report``,
``fiscal run|compare|explain|test``, ``figures map|ties|lorenz``, ``simulate run|check``) wrap
their work in :func:`progress`; commands that count work done (``simulate sweep|calibrate``:
runs done of all) wrap it in :func:`counting`, a progress bar.
Services report what they are doing through a plain ``progress`` callback (a function
taking one message, or the work done and the whole); they never import Rich. The display goes
to standard error, so standard output (a table, ``--json``, the files written) is the same
with or without it, and it is shown only when standard error is an interactive terminal: in a
pipe, a file or CI nothing is written. ``--quiet`` turns it off on a terminal too;
``TTY_INTERACTIVE=0`` or ``TERM=dumb`` does as well.

Examples:
    >>> with progress("Working") as say:   # not a terminal here: nothing is shown
    ...     say("Step 1 of 2")
    >>> with counting("Runs") as count:
    ...     count(1, 10)
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

__all__ = ["Count", "QuietOption", "Say", "counting", "progress"]

#: What a service is given to report progress: it is called with one message per step.
Say = Callable[[str], None]
#: What a service is given to count work: it is called with (done, total).
Count = Callable[[int, int], None]

QuietOption = Annotated[bool, typer.Option(
    "--quiet", "-q", help="No progress display (shown only on a terminal, on standard "
                          "error).")]


def _silent(_message: str) -> None:
    """Report nothing."""


def _uncounted(_done: int, _total: int) -> None:
    """Count nothing."""


def _interactive() -> bool:
    """True when standard error is a terminal that can redraw a line (Rich asked only then)."""
    stream = sys.stderr
    try:
        tty = bool(stream.isatty())
    except (AttributeError, ValueError):  # a closed or foreign stream
        return False
    if not tty:
        return False  # without importing Rich (0.05-0.1 s of a command's start)
    from rich.console import Console

    return bool(Console(file=stream).is_interactive)


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


@contextmanager
def counting(description: str, *, quiet: bool = False) -> Iterator[Count]:
    """Show a progress bar while the block runs; yield the callback that moves it.

    The callback takes the work done and the whole (runs done of all runs); the bar shows
    both, the time elapsed and an estimate of the time left. Shown on the same terms as
    :func:`progress`: on an interactive terminal's standard error, unless ``quiet``, and
    erased when the block ends.

    Args:
        description: what is counted, e.g. "Running 200 simulations".
        quiet: show nothing.
    """
    if quiet or not _interactive():
        yield _uncounted
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    console = Console(file=sys.stderr)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=console, transient=True,
                  redirect_stdout=False, redirect_stderr=False) as bar:
        task = bar.add_task(description, total=None)

        def count(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield count
