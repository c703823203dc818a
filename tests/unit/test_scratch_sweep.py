"""Scratch files of killed imports are removed by a later import, and nothing else is."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from regionet.storage.tie_columns import scratch_file, sweep_scratch


def _dead_pid() -> int:
    done = subprocess.Popen([sys.executable, "-c", "pass"])
    done.wait()
    return done.pid


def _make(folder: Path, name: str, age: float) -> Path:
    path = folder / name
    path.write_bytes(b"x" * 100)
    then = time.time() - age
    os.utime(path, (then, then))
    return path


def test_only_old_files_of_dead_processes_are_swept(tmp_path: Path) -> None:
    dead = _dead_pid()
    stale = _make(tmp_path, f"regionet-stage-{dead}-abc123.db", age=3600)
    recent = _make(tmp_path, f"regionet-stage-{dead}-def456.db", age=5)  # just written
    running = _make(tmp_path, f"regionet-stage-{os.getppid()}-ghi789.db", age=3600)
    mine = _make(tmp_path, f"regionet-stage-{os.getpid()}-jkl012.db", age=3600)
    other = _make(tmp_path, "regionet-stage-oldstyle.db", age=3600)  # no process in the name
    unrelated = _make(tmp_path, f"notes-{dead}-x.db", age=3600)
    assert sweep_scratch(str(tmp_path)) == [stale.name]
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(p.name for p in (recent, running, mine, other, unrelated))
    assert sweep_scratch(str(tmp_path), older_than=0) == [recent.name]


def test_a_new_scratch_file_sweeps_first_and_names_this_process(tmp_path: Path,
                                                                 monkeypatch) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    stale = _make(tmp_path, f"regionet-stage-{_dead_pid()}-zz.db", age=3600)
    with scratch_file() as path:
        assert Path(path).parent == tmp_path
        assert Path(path).name.startswith(f"regionet-stage-{os.getpid()}-")
        assert not stale.exists()
    assert sorted(tmp_path.iterdir()) == []


def test_a_missing_folder_sweeps_nothing(tmp_path: Path) -> None:
    assert sweep_scratch(str(tmp_path / "absent")) == []
