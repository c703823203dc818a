"""`regionet serve`'s hardening options reach the app and uvicorn (Server.run replaced)."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from regionet.interfaces.api.connection import GRACE, BoundedAccessLog, BoundedH11Protocol
from regionet.interfaces.api.ratelimit import RateLimit
from regionet.interfaces.cli.app import app as cli


def serve(monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[Any, dict[str, Any], str]:
    """Run ``regionet serve ARGS``; return the app and options given to uvicorn, and the output."""
    configs: list[uvicorn.Config] = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda server: configs.append(server.config))
    result = CliRunner().invoke(cli, ["serve", "--db", "absent-here.db", *args])
    assert result.exit_code == 0, result.output
    config, = configs
    options = {"http": config.http, "timeout_keep_alive": config.timeout_keep_alive,
               "h11_max_incomplete_event_size": config.h11_max_incomplete_event_size,
               "server_header": config.server_header, "proxy_headers": config.proxy_headers}
    assert (config.host, config.port) == (host_of(args), 8000)
    return config.app, options, result.output


def host_of(args: tuple[str, ...]) -> str:
    return args[args.index("--host") + 1] if "--host" in args else "127.0.0.1"


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    app, options, output = serve(monkeypatch)
    access = logging.getLogger("uvicorn.access")
    assert any(isinstance(f, BoundedAccessLog) for f in access.filters)
    assert issubclass(options["http"], BoundedH11Protocol)
    assert options["http"].request_timeout == 10.0 + GRACE
    assert (options["timeout_keep_alive"], options["h11_max_incomplete_event_size"],
            options["server_header"]) == (5, 16 * 1024, False)
    assert options["proxy_headers"] is False   # uvicorn's own would trust 127.0.0.1
    assert "answering requests to 127.0.0.1, [::1], localhost (add names with --allowed-host)" \
        in output
    api = TestClient(app, base_url="http://localhost:8000")
    assert api.get("/api/health").status_code == 200
    assert api.get("/api/health", headers={"host": "evil.example"}).status_code == 421
    r = api.get("/api/health", headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers
    limits = [m.kwargs for m in app.user_middleware if m.cls is RateLimit]
    assert limits == [{"rate": 50.0, "burst": None, "clock": time.monotonic}]
    codes = [api.get("/api/measures").status_code for _ in range(100)]  # bursts of 100
    assert codes == [200] * 100


def test_options(monkeypatch: pytest.MonkeyPatch) -> None:
    app, options, output = serve(
        monkeypatch, "--host", "0.0.0.0", "--allowed-host", "lab.lan", "--allowed-host",
        "10.0.0.5", "--cors-origin", "https://team.example/", "--rate-limit", "0",
        "--body-timeout", "3")
    assert options["http"].request_timeout == 3.0 + GRACE
    assert "answering requests to 0.0.0.0, 10.0.0.5, 127.0.0.1, [::1], lab.lan, localhost" \
        in output
    api = TestClient(app, base_url="http://lab.lan:8000")
    assert api.get("/api/health").status_code == 200
    assert api.get("/api/health", headers={"host": "10.0.0.5:8000"}).status_code == 200
    r = api.get("/api/health", headers={"origin": "https://team.example"})
    assert r.headers["access-control-allow-origin"] == "https://team.example"
    assert not [m for m in app.user_middleware if m.cls is RateLimit]
    assert {api.get("/api/measures").status_code for _ in range(120)} == {200}  # no limit


@pytest.mark.parametrize(("args", "message"), [
    (["--rate-limit", "lots"], "rate limit 'lots': expected N/s"),
    (["--cors-origin", "team.example"], "CORS origin 'team.example': expected scheme://"),
    (["--cors-origin", "https://team.example/app"], "expected scheme://host[:port]"),
    (["--body-timeout", "-1"], "--body-timeout"),
    (["--forwarded-allow-ips", "10.0.0.1,proxy.lan"],
     "--forwarded-allow-ips item 'proxy.lan': expected an IP address or network"),
])
def test_bad_options_are_refused(monkeypatch: pytest.MonkeyPatch, args: list[str],
                                 message: str) -> None:
    monkeypatch.setattr(uvicorn.Server, "run", lambda *a, **k: pytest.fail("started"))
    result = CliRunner().invoke(cli, ["serve", *args])
    assert result.exit_code == 2
    assert message in " ".join(result.output.replace("│", " ").split())


def test_forwarded_allow_ips(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rate limit sees the client behind a trusted proxy; anyone else's header is ignored."""
    forwarded = {"x-forwarded-for": "203.0.113.7"}
    app, options, _output = serve(monkeypatch, "--forwarded-allow-ips", "10.0.0.0/24, ::1",
                                  "--rate-limit", "1/s")
    assert options["proxy_headers"] is False
    proxy = TestClient(app, base_url="http://localhost:8000", client=("10.0.0.9", 4000))
    codes = [proxy.get("/api/measures", headers={"x-forwarded-for": f"203.0.113.{i}"}
                       ).status_code for i in range(4)]      # four clients, one proxy
    assert codes == [200] * 4
    assert [proxy.get("/api/measures", headers=forwarded).status_code for _ in range(3)] \
        == [200, 200, 429]                                    # 203.0.113.7: its burst of 2
    r = proxy.get("/api/measures", headers=forwarded)
    assert "(address 203.0.113.7)" in r.json()["detail"]
    other = TestClient(app, base_url="http://localhost:8000", client=("10.0.1.9", 4000))
    codes = [other.get("/api/measures", headers={"x-forwarded-for": f"198.51.100.{i}"}
                       ).status_code for i in range(3)]      # not a trusted proxy
    assert codes == [200, 200, 429]
    assert "(address 10.0.1.9)" in other.get("/api/measures").json()["detail"]
    default, _options, _output = serve(monkeypatch, "--rate-limit", "1/s")
    local = TestClient(default, base_url="http://localhost:8000", client=("127.0.0.1", 4000))
    codes = [local.get("/api/measures", headers={"x-forwarded-for": f"198.51.100.{i}"}
                       ).status_code for i in range(3)]      # by default: no proxy trusted
    assert codes == [200, 200, 429]
