"""A function run in a forked child process while this process goes on with its own work.

A child made by ``os.fork`` shares the parent's memory (copy on write): it reads what the
parent built (large arrays, say) without a copy or a pickle, and so can do half of a long job
on a second core. It must never return into the parent's code: :meth:`Forked.start` runs the
function inside a ``try`` whose ``finally`` ends the child with ``os._exit`` (no ``atexit``
handler, no finalizer of the parent's objects, no buffered output flushed twice): status 0
after sending the function's result (JSON) through a pipe, 1 after sending its traceback.
The parent reads the pipe to its end, then reaps the child (:meth:`Forked.wait`). The
collector is frozen from the fork until the child is reaped (``gc.freeze``): the child never
collects, hence never finalizes, an object of the parent's (an open database connection,
say), and neither process's collector walks the objects they share (a walk writes to every
page holding one, which the kernel then copies). Objects frozen before (by the caller, a test
harness) stay frozen: then so do the ones frozen here.

Only where ``os.fork`` exists (POSIX): see :func:`can_fork`.

Examples:
    >>> if can_fork():
    ...     child = Forked.start(lambda: {"sum": sum(range(10))})
    ...     print(child.wait())
    ... else:
    ...     print({'sum': 45})
    {'sum': 45}
    >>> def broken() -> None:
    ...     raise ValueError("no")
    >>> if can_fork():
    ...     child = Forked.start(broken)
    ...     print(child.wait(), child.error.splitlines()[-1])
    ... else:
    ...     print(None, "ValueError: no")
    None ValueError: no
"""

from __future__ import annotations

import gc
import json
import os
import signal
import traceback
from collections.abc import Callable
from contextlib import suppress
from typing import Any

__all__ = ["Forked", "can_fork"]


def can_fork() -> bool:
    """Whether this platform has ``os.fork`` (POSIX)."""
    return hasattr(os, "fork")


class Forked:
    """A child process running one function (made by :meth:`start`).

    Attributes:
        pid: the child's process id.
        error: after :meth:`wait`, the child's traceback when it failed ("" otherwise).
    """

    def __init__(self, pid: int, pipe: int, *, thaw: bool = True) -> None:
        self.pid = pid
        self._pipe = pipe
        self._thaw = thaw  # whether to unfreeze the collector once the child is reaped
        self.error = ""

    @classmethod
    def start(cls, work: Callable[[], Any]) -> Forked:
        """Fork a child that runs ``work()`` and sends back its result (JSON-able)."""
        read, write = os.pipe()
        thaw = gc.get_freeze_count() == 0  # else someone froze objects before: leave them
        gc.freeze()  # the parent's objects: never collected (finalized) in the child
        try:
            pid = os.fork()
        except BaseException:
            if thaw:
                gc.unfreeze()
            os.close(read)
            os.close(write)
            raise
        if pid == 0:  # the child: never leaves this block
            status = 1
            try:
                os.close(read)
                try:
                    message = json.dumps({"result": work()})
                    status = 0
                except BaseException:  # everything, even an interrupt, goes to the parent
                    message = json.dumps({"error": traceback.format_exc()})
                with os.fdopen(write, "w", encoding="utf-8") as out:
                    out.write(message)
            finally:
                os._exit(status)
        os.close(write)
        return cls(pid, read, thaw=thaw)

    def wait(self) -> Any:
        """The child's result once it has ended; None if it failed (see :attr:`error`)."""
        try:
            with os.fdopen(self._pipe, "r", encoding="utf-8") as pipe:
                text = pipe.read()
            _, status = os.waitpid(self.pid, 0)
        finally:
            self._unfreeze()
        try:
            message = json.loads(text) if text else {}
        except ValueError:
            message = {}
        if os.waitstatus_to_exitcode(status) == 0 and "result" in message:
            return message["result"]
        self.error = str(message.get("error") or
                         f"the child process ended with status {status} and no result")
        return None

    def stop(self) -> None:
        """End the child now (``SIGKILL``) and reap it."""
        with suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with suppress(OSError):
            os.close(self._pipe)
        with suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        self._unfreeze()

    def _unfreeze(self) -> None:
        if self._thaw:
            gc.unfreeze()
            self._thaw = False
