"""A function run in a forked child (core/forked.py): its result or its traceback comes back,
Arrow works in the child after the parent used its thread pool, and a child can be stopped.
"""

from __future__ import annotations

import gc
import os
import time

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from regionet.core.forked import Forked, can_fork

pytestmark = pytest.mark.skipif(not can_fork(), reason="no os.fork here")


def test_the_child_computes_with_arrow_after_the_parent_used_its_threads() -> None:
    values = pa.chunked_array([pa.array(range(i, 200_000, 7)) for i in range(7)])
    # the parent starts Arrow's thread pool (and its allocator) before the fork
    assert pc.sum(values, options=pc.ScalarAggregateOptions()).as_py() == sum(range(200_000))
    order = pc.sort_indices(values)
    assert len(order) == 200_000

    def work() -> dict[str, object]:
        table = pa.table({"v": values}).sort_by("v")  # threads and memory in the child
        words = pc.split_pattern(pa.array(["a;b", "c"]), ";")
        return {"pid": os.getpid(), "first": table.column("v")[0].as_py(),
                "last": table.column("v")[-1].as_py(), "sum": pc.sum(values).as_py(),
                "words": pc.list_flatten(words).to_pylist()}

    child = Forked.start(work)
    result = child.wait()
    assert result == {"pid": child.pid, "first": 0, "last": 199_999, "sum": sum(range(200_000)),
                      "words": ["a", "b", "c"]}
    assert child.pid != os.getpid() and child.error == ""
    assert pc.sum(values).as_py() == sum(range(200_000))  # and still in the parent


def test_a_failing_child_sends_its_traceback_and_no_result() -> None:
    def work() -> None:
        raise KeyError("missing piece")

    child = Forked.start(work)
    assert child.wait() is None
    assert child.error.startswith("Traceback (most recent call last):")
    assert child.error.rstrip().endswith("KeyError: 'missing piece'")


def test_a_child_that_ends_without_a_word_is_a_failure() -> None:
    child = Forked.start(lambda: os._exit(0))
    assert child.wait() is None
    assert child.error == "the child process ended with status 0 and no result"


def test_a_result_that_is_not_json_is_a_failure() -> None:
    child = Forked.start(lambda: {1, 2})
    assert child.wait() is None
    assert "TypeError: Object of type set is not JSON serializable" in child.error


def test_a_stopped_child_is_killed_and_reaped() -> None:
    child = Forked.start(lambda: time.sleep(60))
    began = time.monotonic()
    child.stop()
    assert time.monotonic() - began < 10
    with pytest.raises(ChildProcessError):
        os.waitpid(child.pid, os.WNOHANG)  # already reaped: no zombie left


def test_objects_frozen_before_stay_frozen() -> None:
    """The test session freezes its objects (conftest.py); a fork must not thaw them."""
    frozen = gc.get_freeze_count()
    child = Forked.start(lambda: 1)
    assert child.wait() == 1
    if frozen:
        assert gc.get_freeze_count() >= frozen
    else:
        assert gc.get_freeze_count() == 0
