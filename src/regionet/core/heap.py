"""glibc's heap: large freed blocks handed back to the system at once.

glibc's ``malloc`` maps a block of 128 KiB or more on its own and unmaps it when freed, but
it *raises* that threshold each time such a block is freed, up to 32 MiB. After a first
large free, NumPy's arrays of a few MiB come from the heap instead, and freed there they
stay in the process. A forked child (:mod:`regionet.core.forked`) then shares those pages,
and whichever process reuses them copies them. :func:`return_large_blocks` fixes the
threshold: every block of 1 MiB or more gets its own mapping, returned when freed. A 10⁶-tie
import's peak memory (both processes) fell by 70 MiB with it (docs/performance.md).

Linux with glibc only; elsewhere it does nothing and says so.

Examples:
    >>> return_large_blocks() in (True, False)
    True
"""

from __future__ import annotations

import ctypes
import platform

__all__ = ["LARGE_BLOCK", "return_large_blocks"]

#: The size from which glibc maps a block on its own (and unmaps it when freed).
LARGE_BLOCK = 1 << 20
#: ``mallopt``'s parameter number for the mapping threshold (glibc ``malloc.h``).
_M_MMAP_THRESHOLD = -3


def return_large_blocks(threshold: int = LARGE_BLOCK) -> bool:
    """Have glibc map every block of ``threshold`` bytes or more on its own, from now on.

    The threshold then stays where it is set (glibc stops adjusting it), for the rest of the
    process. Calling it again sets it again.

    Returns:
        True when glibc took the setting; False elsewhere (another C library, or none
        found), where nothing changes.
    """
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, threshold))
