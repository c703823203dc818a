"""Named tasks that several threads take in turn, each task run once by whoever takes it.

A thread started early works through the list; another thread that finishes its own work
sooner joins in (:meth:`SharedTasks.work`) instead of waiting for the first to finish
alone. A task that fails stops the others from being started; the failure is raised by
:meth:`SharedTasks.results`, with the first failed task's exception.

Examples:
    >>> tasks = SharedTasks({"a": lambda: 1, "b": lambda: 2})
    >>> tasks.work()
    >>> tasks.results()
    {'a': 1, 'b': 2}
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Mapping
from contextlib import suppress
from typing import Generic, TypeVar

__all__ = ["SharedTasks"]

T = TypeVar("T")


class SharedTasks(Generic[T]):
    """Tasks by name, taken one at a time by the threads calling :meth:`work`."""

    def __init__(self, tasks: Mapping[str, Callable[[], T]]) -> None:
        self._names = list(tasks)
        self._pending = deque(tasks.items())
        self._done: dict[str, T] = {}
        self._failed: BaseException | None = None
        self._lock = threading.Lock()
        self._running = 0
        self._idle = threading.Condition(self._lock)

    def work(self) -> None:
        """Run tasks until none is left to take (or one has failed)."""
        while True:
            with self._lock:
                if not self._pending or self._failed is not None:
                    return
                name, task = self._pending.popleft()
                self._running += 1
            try:
                value = task()
            except BaseException as err:
                with self._lock:
                    self._failed = self._failed or err
                raise
            else:
                with self._lock:
                    self._done[name] = value
            finally:
                with self._lock:
                    self._running -= 1
                    self._idle.notify_all()

    def results(self) -> dict[str, T]:
        """Help with what is left, wait for the tasks others took; every result, in order.

        Raises:
            BaseException: the first failed task's exception.
        """
        with suppress(BaseException):  # raised below as the first failure (maybe another's)
            self.work()
        with self._lock:
            self._idle.wait_for(lambda: self._running == 0)
            if self._failed is not None:
                raise self._failed
            return {name: self._done[name] for name in self._names}
