"""Helpers of the integration tests: cheap token hashes, a free port, waiting for the server,
one API application shared by the tests that only point it at their workspace."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import httpx
import pytest
from argon2 import PasswordHasher

if TYPE_CHECKING:
    from fastapi import FastAPI

#: argon2id at its lowest cost (8 KiB, one pass): 0.1 ms a hash instead of 0.25 s.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)

WaitForHealth = Callable[..., httpx.Response]
#: ``regionet_main(*args)`` → (exit code, stdout, stderr); see :func:`regionet_main`.
RunMain = Callable[..., tuple[int, str, str]]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_health(base: str, timeout: float = 30.0,
                     process: subprocess.Popen[str] | None = None) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise RuntimeError(f"the server exited with {process.returncode}:\n{output}")
        try:
            response = httpx.get(f"{base}/api/health", timeout=2.0)
            if response.status_code == 200:
                return response
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{base}/api/health did not answer within {timeout} s")
        time.sleep(0.1)


@pytest.fixture(scope="session")
def free_port() -> Callable[[], int]:
    """A function returning a free TCP port on 127.0.0.1."""
    return _free_port


@pytest.fixture(scope="session")
def wait_for_health() -> WaitForHealth:
    """A function waiting until ``base/api/health`` answers 200 (or the process exits)."""
    return _wait_for_health


@contextlib.contextmanager
def _cheap_token_hashes() -> Iterator[None]:
    from regionet.services import accounts

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "_HASHER", CHEAP_HASHER)
        yield


@pytest.fixture(scope="session")
def cheap_token_hashes() -> Callable[[], contextlib.AbstractContextManager[None]]:
    """A context in which new account tokens are hashed with :data:`CHEAP_HASHER`.

    For fixtures wider than a test (each integration test is in that context already). An
    account's token is checked against its argon2 hash once per process and workspace, and
    the hash carries its own cost: hashed cheaply, it is checked cheaply. The tests run the
    same code (argon2id hashes, the same checks); the production cost is pinned by
    ``tests/unit/test_token_hashes.py``.
    """
    return _cheap_token_hashes


@pytest.fixture(autouse=True)
def _cheap_token_hashes_in_each_test() -> Iterator[None]:
    """Every integration test hashes new tokens cheaply (see :func:`cheap_token_hashes`)."""
    with _cheap_token_hashes():
        yield


@pytest.fixture(scope="session")
def _shared_api_app() -> FastAPI:
    from regionet.interfaces.api import create_app

    return create_app(None, dashboard=False)


@pytest.fixture
def api_app(_shared_api_app: FastAPI) -> Iterator[FastAPI]:
    """The API (no dashboard) with its default settings, built once per test process.

    ``create_app`` costs about 0.1 s of CPU (FastAPI builds every route's dependencies); the
    application reads ``app.state.db`` on every request, so a test points it at its own
    workspace by setting ``app.state.db`` (None: the bundled case). After the test the
    application serves the bundled case again and its simulation runs are closed and
    forgotten, as if it were new. A test needing other settings (a body limit, the Host
    allow-list, ``public_read``…) builds its own with ``create_app``.
    """
    app = _shared_api_app
    app.state.db = None
    yield app
    runs = getattr(app.state, "simulations", None)
    if runs is not None:
        runs.close()
        del app.state.simulations
    app.state.db = None
    app.state.public_read = False


@pytest.fixture
def regionet_main(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
                  ) -> RunMain:
    """``regionet_main(*args)``: run ``regionet`` in-process exactly as the console script
    does (``main()`` with ``sys.argv``, errors turned into messages and exit codes); return
    its exit code, stdout and stderr. A process costs about 0.5 s of CPU more (imports).
    """
    from regionet.interfaces.cli.app import main

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["regionet", *args])
        with pytest.raises(SystemExit) as exit_info:
            main()
        out = capsys.readouterr()
        code = exit_info.value.code
        return (code if isinstance(code, int) else 0 if code is None else 1), out.out, out.err

    return run
