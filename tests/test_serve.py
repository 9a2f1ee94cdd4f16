"""`flask --app couples serve` as a person would start it: a fresh instance folder."""

import os
import socket
import stat
import subprocess
import sys
import time
import urllib.request

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
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
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
