"""`flask --app couples serve` as a person would start it: a fresh instance folder."""

import os
import socket
import stat
import subprocess
import sys
import threading
import time
import urllib.request

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
