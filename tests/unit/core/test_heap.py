"""return_large_blocks: freed arrays of a few MiB leave the process (glibc), else nothing."""

import platform
import subprocess
import sys

import pytest

from regionet.core import heap

GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"

# After one 16 MiB array is freed, glibc raises its mapping threshold (to 32 MiB at most): the
# 200 arrays of 4 MiB made next come from the heap, and freed there (the last one pins the
# heap's top) their pages stay in the process. Prints the resident growth in MiB.
_SCRIPT = """
import sys
import numpy as np
from regionet.core.heap import return_large_blocks
if sys.argv[1] == "set":
    assert return_large_blocks()
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20
big = np.ones(1 << 21); del big
before = rss()
arrays = [np.ones(1 << 19) for _ in range(200)]
pin = np.ones(100)
del arrays[:-1]
print(round(rss() - before))
"""


def _growth(mode: str) -> int:
    out = subprocess.run([sys.executable, "-c", _SCRIPT, mode], capture_output=True,
                         text=True, check=True)
    return int(out.stdout)


@pytest.mark.skipif(not GLIBC, reason="glibc's mallopt only")
def test_freed_large_blocks_leave_the_process_only_when_set():
    kept = _growth("default")
    returned = _growth("set")
    assert kept >= 700  # 199 freed arrays of 4 MiB still resident: the default keeps them
    assert returned <= 50  # the one left (4 MiB) and the interpreter's noise


@pytest.mark.skipif(not GLIBC, reason="glibc's mallopt only")
def test_glibc_takes_the_setting():
    assert heap.return_large_blocks() is True
    assert heap.return_large_blocks(heap.LARGE_BLOCK) is True


def test_another_c_library_changes_nothing(monkeypatch):
    monkeypatch.setattr(heap.platform, "libc_ver", lambda: ("musl", "1.2"))
    assert heap.return_large_blocks() is False
    monkeypatch.setattr(heap.platform, "system", lambda: "Darwin")
    assert heap.return_large_blocks() is False
