"""Hardening of `regionet serve` over real HTTP: a uvicorn subprocess and raw sockets.

The server runs with ``--body-timeout 2`` (the connection timer is then 2 + 2 s), so that the
slow-client tests take seconds, not the defaults' 10-12 s. Each test uses its own bearer token,
so that the rate limit (``--rate-limit 5/s``, bursts of 10) of one test does not touch another.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow  # a server subprocess, clients held for seconds

BODY_TIMEOUT = 2.0
CONNECTION_TIMEOUT = BODY_TIMEOUT + 2.0  # connection.GRACE
# A connection must be closed at its limit, give or take this (a busy machine's timers):
# far from the 40 s and more a slow client could hold it before.
SLACK = 3.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, free_port: Callable[[], int],
           wait_for_health: Callable[..., httpx.Response]) -> Iterator[tuple[str, int]]:
    """``regionet serve`` in a subprocess; yield its base URL and port."""
    from regionet.services.accounts import add_user
    from regionet.services.workspace import init_workspace

    tmp = tmp_path_factory.mktemp("hardened")
    port = free_port()
    db = tmp / "team.db"   # a team workspace: every test client has an account of its own
    init_workspace(db)
    TOKENS.update({name: add_user(db, name, "reader")[1] for name in CLIENTS})
    env = {**os.environ, "REGIONET_DB": str(db)}
    # a file, not a pipe: the access log of a 50 kB URL would fill a pipe nobody reads and
    # block the server
    log = LOG[0] = tmp / "server.log"
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "regionet.interfaces.cli", "serve", "--port", str(port),
             "--body-timeout", str(BODY_TIMEOUT), "--rate-limit", "5/s",
             "--allowed-host", "team.lan", "--cors-origin", "https://team.example"],
            cwd=tmp, env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for_health(base, 60.0, process)
            yield base, port
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)
    output = log.read_text(encoding="utf-8")
    assert process.returncode == 0, output[-3000:]
    assert "answering requests to 127.0.0.1, [::1], localhost, team.lan" in output
    # the access log wrote every URL bounded (the 50 kB and 10 kB ones: see their tests)
    assert max(len(line) for line in output.splitlines()) < 1_000


#: The clients of the tests below: one account (and so one rate-limit bucket) each.
CLIENTS = ("headers", "hosts", "cors", "rate", "slowbody", "unread", "huge", "long")
TOKENS: dict[str, str] = {}
#: The server's log file (the module's server runs in the worker that runs these tests).
LOG: list[Path] = [Path()]


def logged(text: str, seconds: float = 10.0) -> bool:
    """Whether ``text`` reaches the server's access log within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if text in LOG[0].read_text(encoding="utf-8"):
            return True
        time.sleep(0.1)
    return False


def token(name: str) -> dict[str, str]:
    return {"authorization": f"Bearer {TOKENS[name]}"}


def raw_token(name: str) -> bytes:
    return f"Authorization: Bearer {TOKENS[name]}\r\n".encode()


def held(port: int, head: bytes, drip: bytes = b"", limit: float = 30.0) -> tuple[float, bytes]:
    """Send ``head`` at once, then ``drip`` one byte a second; return how long the server kept
    the connection open and what it answered."""
    received = b""
    with socket.create_connection(("127.0.0.1", port), timeout=limit) as sock:
        start = time.monotonic()
        sock.sendall(head)
        sock.settimeout(1.0)
        for byte in [drip[i:i + 1] for i in range(len(drip))] + [b""] * int(limit):
            try:
                if byte:
                    sock.sendall(byte)
                chunk = sock.recv(65536)
                if not chunk:
                    break  # the server closed the connection
                received += chunk
            except TimeoutError:
                pass
            except (BrokenPipeError, ConnectionResetError):
                break
            if time.monotonic() - start > limit:
                break
        return time.monotonic() - start, received


def test_security_headers_and_no_server_header(server: tuple[str, int]) -> None:
    base, _ = server
    r = httpx.get(f"{base}/map", headers=token("headers"))
    assert r.status_code == 200 and "server" not in r.headers
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["content-security-policy"].startswith("default-src 'self'; script-src "
                                                           "'self';")
    api = httpx.get(f"{base}/api/health", headers=token("headers"))
    assert api.headers["content-security-policy"].startswith("default-src 'none'")
    assert api.json()["db"] == "team.db" and str(Path.cwd()) not in api.text


def test_the_host_allow_list_over_http(server: tuple[str, int]) -> None:
    base, port = server
    for host in (f"localhost:{port}", f"[::1]:{port}", f"team.lan:{port}"):
        r = httpx.get(f"{base}/api/health", headers={**token("hosts"), "host": host})
        assert r.status_code == 200, host
    evil = httpx.get(f"{base}/api/health", headers={**token("hosts"), "host": "rebind.evil"})
    assert evil.status_code == 421 and evil.json()["value"] == "rebind.evil"


def test_cors_for_the_configured_origin_only(server: tuple[str, int]) -> None:
    base, _ = server
    ok = httpx.get(f"{base}/api/health",
                   headers={**token("cors"), "origin": "https://team.example"})
    assert ok.headers["access-control-allow-origin"] == "https://team.example"
    other = httpx.get(f"{base}/api/health",
                      headers={**token("cors"), "origin": "https://other.example"})
    assert "access-control-allow-origin" not in other.headers


def test_the_rate_limit_over_http(server: tuple[str, int]) -> None:
    base, _ = server
    with httpx.Client(base_url=base, headers=token("rate")) as http:
        codes = [http.get("/api/measures").status_code for _ in range(10)]
        assert codes == [200] * 10  # the burst
        more = [http.get("/api/measures") for _ in range(60)]
        # 60 requests take far less than the 12 s they would need; which of them are refused
        # depends on how fast the machine answers (a token comes back every 0.2 s)
        limited = next(r for r in more if r.status_code == 429)
        assert limited.headers["retry-after"] == "1"
        time.sleep(1.0)
        assert http.get("/api/measures").status_code == 200


def test_a_slow_body_is_cut_off_with_408(server: tuple[str, int]) -> None:
    _, port = server
    head = (b"POST /api/fiscal/runs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + raw_token("slowbody") + b"Content-Type: application/json\r\n"
            b"Content-Length: 40\r\n\r\n{")
    seconds, answer = held(port, head, drip=b'"year": 1999' + b" " * 27)
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert b"urn:regionet:problem:body-timeout" in answer
    assert BODY_TIMEOUT - 0.1 <= seconds < BODY_TIMEOUT + SLACK, seconds


def test_slow_headers_are_cut_off(server: tuple[str, int]) -> None:
    _, port = server
    head = b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
    seconds, answer = held(port, head, drip=b"a" * 60)
    assert answer == b""  # closed without an answer: the request never arrived
    assert CONNECTION_TIMEOUT - 0.1 <= seconds < CONNECTION_TIMEOUT + SLACK, seconds


def test_a_silent_connection_is_closed(server: tuple[str, int]) -> None:
    _, port = server
    seconds, answer = held(port, b"")
    assert answer == b"" and CONNECTION_TIMEOUT - 0.1 <= seconds < CONNECTION_TIMEOUT + SLACK


def test_a_body_the_application_does_not_read_is_not_held(server: tuple[str, int]) -> None:
    _, port = server
    head = (b"GET /api/measures HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + raw_token("unread") + b"Content-Length: 100\r\n\r\n")
    seconds, answer = held(port, head, drip=b"x" * 60)
    assert answer.startswith(b"HTTP/1.1 200 ")  # answered at once, then closed at the limit
    assert CONNECTION_TIMEOUT - 0.1 <= seconds < CONNECTION_TIMEOUT + SLACK, seconds


@pytest.mark.parametrize("size", [50_000, 5_000_000])
def test_a_huge_query_gets_a_small_answer(server: tuple[str, int], size: int) -> None:
    _, port = server
    head = (b"GET /api/ties?actor=" + b"x" * size + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + raw_token("huge") + b"\r\n")
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        # the server may stop reading at its 16 KiB limit and close
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(head)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass
    # h11 refuses a request line and headers over 16 KiB (400) when they arrive in pieces;
    # a request read in one go reaches the API, which answers a bounded 422
    assert len(answer) < 3_000, answer[:300]
    assert answer == b"" or answer.startswith((b"HTTP/1.1 400 ", b"HTTP/1.1 422 ")), answer[:300]
    if answer.startswith(b"HTTP/1.1 422 "):
        assert logged(f"… ({size + 16} characters)")   # the access log: the URL bounded
        assert f"… ({size} characters)".encode() in answer


def test_a_long_but_allowed_query_value_comes_back_bounded(server: tuple[str, int]) -> None:
    base, _ = server
    r = httpx.get(f"{base}/api/ties", params={"actor": "x" * 10_000}, headers=token("long"),
                  timeout=60.0)  # the first /api/ties builds the bundled case's database
    assert r.status_code == 422 and len(r.content) < 3_000
    assert r.json()["value"] == "x" * 200 + "… (10000 characters)"
    assert logged("… (10016 characters)")   # the access log wrote the URL bounded
