"""Helpers for the tests that run a real server: a free port, waiting for ``/api/health``."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable

import httpx
import pytest

WaitForHealth = Callable[..., httpx.Response]


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
