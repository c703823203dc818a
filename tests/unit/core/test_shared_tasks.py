"""Tasks shared by threads: each runs once, results come in order, the first failure wins."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest

from regionet.core.shared_tasks import SharedTasks


def test_a_thread_that_joins_takes_what_is_left_while_the_first_is_busy() -> None:
    release, started = threading.Event(), threading.Event()
    ran: Counter[str] = Counter()
    who: dict[str, str] = {}

    def task(name: str, block: bool = False) -> Callable[[], str]:
        def run() -> str:
            ran[name] += 1
            who[name] = threading.current_thread().name
            if block:
                started.set()
                assert release.wait(10)
            return name.upper()
        return run

    tasks = SharedTasks({"a": task("a", block=True), "b": task("b"), "c": task("c")})
    early = threading.Thread(target=tasks.work, name="early")
    early.start()
    assert started.wait(10)  # "early" is inside task a
    threading.Timer(0.2, release.set).start()
    assert tasks.results() == {"a": "A", "b": "B", "c": "C"}  # waits for a, in order
    early.join()
    assert ran == Counter("abc")
    assert who == {"a": "early", "b": "MainThread", "c": "MainThread"}


def test_the_first_failure_is_raised_and_stops_the_tasks_not_started() -> None:
    ran: list[str] = []

    def fail() -> int:
        ran.append("bad")
        raise ValueError("bad column")

    def fine(name: str) -> Callable[[], int]:
        def run() -> int:
            ran.append(name)
            return 1
        return run

    tasks: SharedTasks[int] = SharedTasks({"ok": fine("ok"), "bad": fail,
                                           "later": fine("later")})
    with pytest.raises(ValueError, match="bad column"):
        tasks.results()
    assert ran == ["ok", "bad"]


def test_a_failure_in_another_thread_is_raised_by_results() -> None:
    def fail() -> int:
        raise KeyError("region")

    tasks: SharedTasks[int] = SharedTasks({"bad": fail, "b": lambda: 2})
    raised: list[BaseException] = []

    def work() -> None:
        try:
            tasks.work()
        except KeyError as err:
            raised.append(err)

    early = threading.Thread(target=work)
    early.start()
    early.join()
    assert len(raised) == 1
    with pytest.raises(KeyError, match="region"):
        tasks.results()


def test_no_tasks() -> None:
    assert SharedTasks({}).results() == {}
