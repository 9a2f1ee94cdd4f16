"""`flask --app couples serve` as a person would start it: a fresh instance folder."""

import http.client
import json
import os
import queue
import socket
import stat
import subprocess
import sys
import threading
import time
import types
import urllib.error
import urllib.request
from contextlib import contextmanager

import pytest

from couples import ROOT


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Console:
    """What a person at ``serve``'s console reads, line by line, as it is printed."""

    def __init__(self, process: subprocess.Popen):
        self.process = process
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for raw in self.process.stdout:
            self.lines.put(raw.decode(errors="replace"))

    def wait_for(self, text: str, timeout: float = 60) -> str:
        """The first line holding ``text``; fails with all that was printed if none does
        within ``timeout`` seconds (a bound for a stuck server, not a measure of speed)."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"{text!r} never printed:\n{''.join(self.seen)}")


@pytest.fixture
def console(tmp_path, request):
    """``flask serve`` started as a person would, on a fresh instance folder (with the
    ``COUPLES_*`` variables of an indirect parameter, if any)."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUPLES_")}
    env["COUPLES_INSTANCE_PATH"] = str(tmp_path / "instance")
    env.update(getattr(request, "param", {}))
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "couples", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        yield Console(process), port, tmp_path / "instance"
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_serve_says_where_to_open_it_once_it_answers(console):
    out, port, instance = console
    line = out.wait_for("Couples is ready")
    # The address people are told to open (the README's), and it answers at once: the
    # line is printed only after the socket is bound.
    assert f"open http://127.0.0.1:{port} " in line
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as r:
        assert r.status == 200
        assert b'"ok"' in r.read()
    assert stat.S_IMODE((instance / "secret_key").stat().st_mode) == 0o600
    # Everyone's words are in the database file: nobody else on the machine reads it.
    assert stat.S_IMODE((instance / "couples.sqlite3").stat().st_mode) == 0o600
    # Plain http on loopback: the session cookie is not Secure, so logging in works.
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/auth/csrf") as r:
        cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" not in cookie


def test_serve_prints_the_reset_link_when_no_mail_server_is_set(console):
    out, port, _ = console
    out.wait_for("Couples is ready")
    base = f"http://127.0.0.1:{port}"
    jar = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())

    def post(path, body, token):
        request = urllib.request.Request(
            base + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "X-CSRF-Token": token},
            method="POST",
        )
        with jar.open(request, timeout=10) as response:
            return response.status

    with jar.open(base + "/api/v1/auth/csrf", timeout=10) as r:
        token = json.load(r)["csrf_token"]
    account = {"email": "robin@example.com", "password": "a long passphrase", "timezone": "UTC"}
    assert post("/api/v1/auth/register", {**account, "display_name": "Robin"}, token) == 201
    with jar.open(base + "/api/v1/auth/csrf", timeout=10) as r:
        token = json.load(r)["csrf_token"]
    assert post("/api/v1/auth/logout", {}, token) in (200, 204)
    with jar.open(base + "/api/v1/auth/csrf", timeout=10) as r:
        token = json.load(r)["csrf_token"]
    assert post("/api/v1/auth/password-reset", {"email": account["email"]}, token) == 202
    # The link names the address the person opened, so it works in the same browser.
    line = out.wait_for(f"{base}/reset/")
    assert "robin@example.com" not in line


@pytest.mark.parametrize("console", [{"COUPLES_LOG_FORMAT": "json"}], indirect=True)
def test_serve_logs_one_json_object_a_line_when_asked(console):
    out, port, _ = console
    out.wait_for("Couples is ready")
    base = f"http://127.0.0.1:{port}"
    jar = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    with jar.open(base + "/api/v1/auth/csrf", timeout=10) as r:
        token = json.load(r)["csrf_token"]
    body = {"email": "nobody@example.com", "password": "not the right one"}
    request = urllib.request.Request(
        base + "/api/v1/auth/login",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "X-CSRF-Token": token},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError):
        jar.open(request, timeout=10)
    # The audit event, as an object whose fields are keys (never the address itself).
    event = json.loads(out.wait_for('"logger": "couples.audit"'))
    assert (event["event"], event["outcome"], event["level"]) == ("login", "failed", "INFO")
    assert event["time"].endswith("Z") and "nobody@example.com" not in json.dumps(event)
    assert len(event["email"]) == 12


@pytest.fixture
def served(make_app, monkeypatch):
    """``serve`` run in this process without a network server: ``served(*args, **config)``
    gives the app and the keyword arguments it handed to waitress."""
    import flask_migrate
    import waitress

    from couples.notifications import worker

    calls = []

    def create_server(app, **options):
        calls.append(options)
        return types.SimpleNamespace(effective_port=options["port"], run=lambda: None)

    monkeypatch.setattr(waitress, "create_server", create_server)
    monkeypatch.setattr(flask_migrate, "upgrade", lambda *args, **kwargs: None)
    monkeypatch.setattr(worker, "start_thread", lambda app: threading.Event())

    def run(*args, **config):
        app = make_app(**config)
        result = app.test_cli_runner().invoke(args=["serve", *args])
        assert result.exit_code == 0, result.output
        return app, calls[-1]

    return run


def test_serve_links_to_the_loopback_address_it_was_given(served):
    # Not another name for it: 127.0.0.1 and localhost keep different cookies.
    app, _ = served("--host", "127.0.0.1", "--port", "5123", BASE_URL=None)
    assert app.config["BASE_URL"] == "http://127.0.0.1:5123"
    assert app.config["TRUSTED_HOSTS"] == ["127.0.0.1", "localhost"]
    app, _ = served("--host", "localhost", "--port", "5123", BASE_URL=None)
    assert app.config["BASE_URL"] == "http://localhost:5123"


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
    # waitress.server's own: the ``served`` fixture replaced the one `serve` imports.
    from waitress.server import create_server

    server = create_server(app, **{**options, "host": "127.0.0.1", "port": 0})
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

    def create_server(app, **options):
        calls.append(options)
        return types.SimpleNamespace(effective_port=options["port"], run=lambda: None)

    monkeypatch.setattr(waitress, "create_server", create_server)
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
