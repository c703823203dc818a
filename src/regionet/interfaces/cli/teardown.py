"""Ending a finished command without the interpreter's teardown.

When a command has written everything it writes, Python still frees every object, runs the
``atexit`` hooks and joins its threads before the process ends: after a fiscal run on 5e6
establishments that took 0.07-0.09 s of wall time (docs/performance.md, sixth round), with
nothing left to do. A command whose output is complete calls :func:`nothing_to_finalize`;
:func:`end` (called by the entry point, :func:`regionet.interfaces.cli.app.main`, once the
command has returned) then flushes standard output and error and ends the process with
``os._exit``, and only when the process's own main script is regionet's console script
(or ``python -m regionet.interfaces.cli``), which exits as soon as ``main`` does: a command
run in-process (tests or scripts calling ``main()``, ``CliRunner``) just returns. A failed command,
or one that never called :func:`nothing_to_finalize`, exits as before; so does a run whose
output cannot be flushed (a closed pipe), which Python then reports as it always does.

Examples:
    >>> end(1)              # not marked: the caller exits normally
    >>> nothing_to_finalize()
    >>> end(1)              # a failure never skips the teardown
    >>> forget()
"""

from __future__ import annotations

import os
import sys

__all__ = ["end", "forget", "nothing_to_finalize"]

_FINISHED = False


def nothing_to_finalize() -> None:
    """Mark the running command as done: its output is written and its files are closed."""
    global _FINISHED
    _FINISHED = True


def forget() -> None:
    """Undo :func:`nothing_to_finalize` (the process goes on: tests)."""
    global _FINISHED
    _FINISHED = False


def end(code: int | str | None) -> None:
    """End the process now if the command succeeded (``code`` 0 or None) and was marked.

    Only in a process whose main script is regionet's entry point (:func:`_process_ends`).
    Standard output and error are flushed first; if either cannot be (a closed pipe), this
    returns and the caller exits normally, so the error is reported as without this module.
    Returns (does nothing) otherwise.
    """
    if not _FINISHED or code not in (0, None) or not _process_ends():
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(0)


def _process_ends() -> bool:
    """True when ``__main__`` is regionet's own script, which exits when ``main`` returns.

    That is the console script (a file named ``regionet`` doing ``sys.exit(main())``) or
    ``python -m regionet.interfaces.cli``. Under pytest, ``python -c``, or any program that
    calls ``main()`` and goes on, ``__main__`` is that program.
    """
    script = sys.modules.get("__main__")
    spec = getattr(script, "__spec__", None)
    if spec is not None:
        return bool(spec.name == "regionet.interfaces.cli.__main__")
    path = getattr(script, "__file__", None)
    return isinstance(path, str) and os.path.basename(path) == "regionet"
