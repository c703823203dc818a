"""Whether a process still runs: for sweeping what a process killed outright left behind.

Examples:
    >>> import os
    >>> alive(os.getpid())
    True
"""

from __future__ import annotations

import os

__all__ = ["alive"]


def alive(pid: int) -> bool:
    """Whether process ``pid`` exists (one of another user counts: it is not ours to judge).

    Examples:
        >>> import subprocess, sys
        >>> ended = subprocess.Popen([sys.executable, "-c", "pass"])
        >>> _ = ended.wait()   # reaped: its id is free
        >>> alive(ended.pid), alive(os.getppid())
        (False, True)
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
