"""Browser tests: the app served by ``flask serve`` in a subprocess, driven by Debian's
Chromium through Playwright (pytest-playwright's fixtures, pointed at /usr/bin/chromium)."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from couples import ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_SOURCE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
START_TIMEOUT = 30


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _server_env(instance: Path) -> dict:
    """The parent's environment without any COUPLES_* setting (in particular no
    SQLALCHEMY_DATABASE_URI: the server keeps its own SQLite in its instance folder)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("COUPLES_")}
    env.update(
        {
            "COUPLES_INSTANCE_PATH": str(instance),
            "COUPLES_RATELIMIT_ENABLED": "false",
            "COUPLES_PASSWORD_HASH_TIME_COST": "1",
            "COUPLES_PASSWORD_HASH_MEMORY_COST": "1024",
            "COUPLES_PASSWORD_HASH_PARALLELISM": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _wait_until_healthy(base: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"the server exited with {process.returncode}:\n{log_path.read_text()}"
            )
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(
        f"no answer from {base}/healthz within {START_TIMEOUT} s:\n{log_path.read_text()}"
    )


@pytest.fixture(scope="session")
def live_folder(tmp_path_factory) -> Path:
    """The live server's folder: its instance folder (``instance``) and its log."""
    return tmp_path_factory.mktemp("live-server")


def start_server(
    instance: Path, log_path: Path, port: int, *, base: str | None = None, **settings: str
) -> subprocess.Popen:
    """``flask serve`` on 127.0.0.1:``port`` with its own instance folder and these
    ``COUPLES_*`` settings, answering at ``base`` (the address it is opened at) before
    this returns."""
    env = _server_env(instance)
    env.update({f"COUPLES_{name}": value for name, value in settings.items()})
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "flask",
                "--app",
                "couples",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_healthy(base or f"http://127.0.0.1:{port}", process, log_path)
    except Exception:
        stop_server(process)
        raise
    return process


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def live_server(live_folder):
    """Base URL of a fresh app (own instance folder and SQLite) served for the session."""
    port = _free_port()
    process = start_server(live_folder / "instance", live_folder / "server.log", port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_server(process)


@pytest.fixture(scope="session")
def demo_password(live_server, live_folder) -> str:
    """The demo couple (Maya in London, Jonah in New York, weeks of history) seeded into
    the live server's database by ``flask demo seed``; their password."""
    seeded = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "couples", "demo", "seed"],
        cwd=ROOT,
        env=_server_env(live_folder / "instance"),
        capture_output=True,
        text=True,
    )
    assert seeded.returncode == 0, seeded.stdout + seeded.stderr
    return re.search(r"password \(both\): (\S+)", seeded.stdout).group(1)


@pytest.fixture(scope="session")
def axe_source() -> str:
    assert AXE_SOURCE.exists(), f"{AXE_SOURCE} is missing: run scripts/install-test-tools (npm ci)"
    return AXE_SOURCE.read_text()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright launches Debian's Chromium (``playwright install`` is not used)."""
    assert Path(CHROMIUM).exists(), (
        f"{CHROMIUM} is missing: run scripts/install-test-tools (apt-get install chromium)"
    )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    """Contexts made by pytest-playwright (``page``, ``context``) open the live server on a
    phone-sized screen."""
    return {
        **browser_context_args,
        "base_url": live_server,
        "viewport": {"width": 360, "height": 740},
    }
