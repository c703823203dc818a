"""How many cores this process may use now: whether a second thread would run at once.

A second thread pays only if a core is free for it; on a machine other processes keep busy
it costs CPU (a second hash table, say) and gains nothing (docs/performance.md). Linux only
(``/proc``); elsewhere no core is ever spare.

Examples:
    >>> spare_core() in (True, False)
    True
"""

from __future__ import annotations

import os
from contextlib import suppress

__all__ = ["spare_core", "usable_cores"]


def usable_cores() -> int:
    """The cores this process may run on (its affinity on Linux, else ``os.cpu_count()``).

    Examples:
        >>> usable_cores() >= 1
        True
    """
    found = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return found or 1


def spare_core() -> bool:
    """True when this process has two cores to itself now (Linux ``/proc``; elsewhere False).

    Two or more cores are ours, and fewer threads of other processes are runnable than we
    have cores less one (:func:`_runnable`: the system's runnable threads less this
    process's). A second thread costs CPU (:func:`~regionet.core.tables.lookup` builds a
    second hash table): it pays only on an idle core. On the development VM with other
    sessions keeping both cores busy (load 8-12), looking up 5e6 ids in two threads took more
    CPU and wall time than in one.
    """
    cores = usable_cores()
    return cores >= 2 and _runnable() < cores - 1


def _runnable() -> int:
    """Threads of other processes runnable now (``/proc``); a large number if unknown.

    The system's runnable threads (``/proc/loadavg``) less this process's own running ones
    (``/proc/self/task``): a fiscal run keeps several busy (reading, the regions table).
    """
    try:
        with open("/proc/loadavg", encoding="ascii") as handle:
            total = int(handle.read().split()[3].split("/")[0])
        own = 0
        for task in os.listdir("/proc/self/task"):
            with suppress(OSError), open(f"/proc/self/task/{task}/stat", encoding="ascii") as stat:
                own += stat.read().rpartition(")")[2].split()[0] == "R"
        return max(total - own, 0)
    except (OSError, IndexError, ValueError):
        return 1 << 30
