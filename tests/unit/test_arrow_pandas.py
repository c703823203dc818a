"""The pandas refusal while pyarrow asks about pandas holds for the asking thread only."""

from __future__ import annotations

import threading

import pytest

from regionet.io.arrow_pandas import _Refuse


def test_only_the_asking_thread_is_refused_pandas() -> None:
    refuse = _Refuse()
    with pytest.raises(ImportError) as info:
        refuse.find_spec("pandas")
    assert (str(info.value), info.value.name) == (
        "pandas is not needed to read the input files", "pandas")
    assert refuse.find_spec("numpy") is None
    seen: list[object] = []
    other = threading.Thread(target=lambda: seen.append(refuse.find_spec("pandas")))
    other.start()
    other.join()
    assert seen == [None]
