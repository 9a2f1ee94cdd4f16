"""`flask --app couples serve` as a person would start it: a fresh instance folder."""

import http.client
import os
import socket
import stat
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager

import pytest

from couples import ROOT


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_creates_the_instance_and_answers_healthz(tmp_path):
    instance = tmp_path / "instance"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUPLES_")}
    env["COUPLES_INSTANCE_PATH"] = str(instance)
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "couples", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    status = r.status
                    body = r.read()
                break
            except OSError:
                if process.poll() is not None:
                    break
                time.sleep(0.2)
        assert status == 200, process.stdout.read().decode() if process.poll() is not None else ""
        assert b'"ok"' in body
        key = instance / "secret_key"
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        assert (instance / "couples.sqlite3").exists()
        # Plain http on loopback: the session cookie is not Secure, so logging in works.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/auth/csrf") as r:
            cookie = r.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "Secure" not in cookie
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
def served(make_app, monkeypatch):
    """``serve`` run in this process without a network server: ``served(*args, **config)``
    gives the app and the keyword arguments it handed to waitress."""
    import flask_migrate
    import waitress

    from couples.notifications import worker

    calls = []
    monkeypatch.setattr(waitress, "serve", lambda app, **options: calls.append(options))
    monkeypatch.setattr(flask_migrate, "upgrade", lambda *args, **kwargs: None)
    monkeypatch.setattr(worker, "start_thread", lambda app: threading.Event())

    def run(*args, **config):
        app = make_app(**config)
        result = app.test_cli_runner().invoke(args=["serve", *args])
        assert result.exit_code == 0, result.output
        return app, calls[-1]

    return run


def test_serve_links_to_localhost_when_no_base_url_is_set(served):
    app, _ = served("--host", "127.0.0.1", "--port", "5123", BASE_URL=None)
    assert app.config["BASE_URL"] == "http://localhost:5123"
    assert app.config["TRUSTED_HOSTS"] == ["127.0.0.1", "localhost"]


def test_serve_on_every_interface_links_to_127_0_0_1_not_0_0_0_0(served):
    app, _ = served("--host", "0.0.0.0", "--port", "5123", BASE_URL=None)  # noqa: S104
    assert app.config["BASE_URL"] == "http://127.0.0.1:5123"


def test_serve_keeps_the_configured_base_url(served):
    app, _ = served("--host", "0.0.0.0", BASE_URL="https://couples.example")  # noqa: S104
    assert app.config["BASE_URL"] == "https://couples.example"
    assert app.config["TRUSTED_HOSTS"] == ["couples.example"]


def test_serve_logs_the_audit_trail_with_utc_times(served):
    import logging

    from tests.logs import logging_kept

    with logging_kept():
        app, _ = served()
        assert app.config["EMBEDDED"] is True
        root = logging.getLogger()
        assert logging.getLogger("couples.audit").isEnabledFor(logging.INFO)
        (handler,) = root.handlers
        assert handler.formatter.converter is time.gmtime
        line = handler.formatter.format(
            logging.makeLogRecord(
                {
                    "name": "couples.audit",
                    "levelno": logging.INFO,
                    "levelname": "INFO",
                    "msg": "event=login",
                    "created": 0,
                }
            )
        )
        assert line == "1970-01-01T00:00:00Z INFO couples.audit event=login"


def test_serve_on_plain_http_loopback_names_its_cookies_without_the_host_prefix(served):
    """A browser refuses a ``__Host-`` cookie that is not Secure: on plain-http loopback
    `serve` drops Secure, and the prefix with it."""
    app, _ = served("--host", "127.0.0.1", SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["SESSION_COOKIE_NAME"] == "couples_session"
    assert app.config["REMEMBER_COOKIE_NAME"] == "couples_remember"


@contextmanager
def _waitress(app, options):
    """The app under a real waitress server built from the options `serve` gave it,
    on a free port of 127.0.0.1: yields a function that sends GET ``path`` from
    ``source`` (a loopback address) and gives the response."""
    import waitress

    server = waitress.create_server(app, **{**options, "host": "127.0.0.1", "port": 0})
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()

    def get(path, source, headers):
        connection = http.client.HTTPConnection(
            "127.0.0.1", server.effective_port, timeout=10, source_address=(source, 0)
        )
        try:
            connection.request("GET", path, headers={"Host": "couples.example", **headers})
            response = connection.getresponse()
            return response, response.read().decode()
        finally:
            connection.close()

    try:
        yield get
    finally:
        server.close()
        server.task_dispatcher.shutdown()
        thread.join(timeout=10)


def test_serve_behind_a_trusted_proxy_takes_its_forwarded_scheme_and_client(served):
    from flask import request
    from werkzeug.middleware.proxy_fix import ProxyFix

    app, options = served(
        TRUST_PROXY=True, TRUSTED_PROXY="127.0.0.2", BASE_URL="https://couples.example"
    )
    app.add_url_rule("/peer", "peer", lambda: request.remote_addr or "")
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    with _waitress(app, options) as get:
        through_proxy, client = get("/peer", "127.0.0.2", forwarded)
        direct, peer = get("/peer", "127.0.0.1", forwarded)
    assert through_proxy.status == 200 and direct.status == 200
    # From the trusted proxy: the client's scheme (so HSTS) and the client's address.
    assert through_proxy.getheader("Strict-Transport-Security", "").startswith("max-age=")
    assert client == "203.0.113.7"
    # From any other peer the same headers count for nothing.
    assert "Strict-Transport-Security" not in direct.headers
    assert peer == "127.0.0.1"
    # waitress applies the headers; ProxyFix is not there to apply them again.
    assert not isinstance(app.wsgi_app, ProxyFix)


def test_serve_trusts_a_proxy_on_this_machine_by_default(served):
    _, options = served(TRUST_PROXY=True)
    assert options["trusted_proxy"] == "127.0.0.1"
    assert options["clear_untrusted_proxy_headers"] is True


def test_serve_without_trust_proxy_trusts_no_forwarded_header(served):
    _, options = served()
    assert "trusted_proxy" not in options


def test_serve_refuses_a_trusted_proxy_that_is_not_an_address(make_app, monkeypatch):
    import flask_migrate
    import waitress

    from couples.notifications import worker

    calls = []
    monkeypatch.setattr(waitress, "serve", lambda app, **options: calls.append(options))
    monkeypatch.setattr(flask_migrate, "upgrade", lambda *args, **kwargs: None)
    monkeypatch.setattr(worker, "start_thread", lambda app: threading.Event())
    app = make_app(TRUST_PROXY=True, TRUSTED_PROXY="proxy.internal")
    result = app.test_cli_runner().invoke(args=["serve"])
    # waitress compares the peer's address with it as text: a name would never match.
    assert result.exit_code != 0 and not calls
    assert "COUPLES_TRUSTED_PROXY" in str(result.exception)


def test_serve_on_loopback_behind_a_tls_proxy_keeps_cookies_secure(served):
    secure = {"SESSION_COOKIE_SECURE": True, "REMEMBER_COOKIE_SECURE": True}
    app, _ = served("--host", "127.0.0.1", TRUST_PROXY=True, **secure)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    # Plain http on loopback with no proxy: not Secure, or logging in would never work.
    app, _ = served("--host", "127.0.0.1", **secure)
    assert app.config["SESSION_COOKIE_SECURE"] is False
