"""Fixtures: a fresh app per test on SQLite (default) or PostgreSQL
(``COUPLES_TEST_DATABASE_URL``), test clients that speak the API, and two partners.

The suite runs on several pytest-xdist workers at once; each has a database of its own
(a SQLite file per test; on PostgreSQL ``<name>_gw0``, ``<name>_gw1``..., created when
missing) and a Redis database of its own (``REDIS_URL``)."""

import contextlib
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
import time_machine
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from couples import ROOT, create_app
from couples.extensions import db
from tests.factories import ApiClient, make_couple, make_user

# "gw0", "gw1"... under pytest-xdist; unset when the suite runs in one process.
WORKER = os.environ.get("PYTEST_XDIST_WORKER")


def _worker_database_url(url: str | None) -> str | None:
    """The database of this worker: ``test`` becomes ``test_gw0`` on worker gw0, so
    workers never wipe each other's tables; one process keeps the name it was given."""
    if not url or not WORKER:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{WORKER}").render_as_string(hide_password=False)


def _redis_url() -> str:
    """A Redis database of this worker's own (15, 14, ... from gw0, gw1, ...), for the
    tests that write to Redis: a broker's queues or limiter counters are never shared."""
    index = int(WORKER.removeprefix("gw")) if WORKER else 0
    assert index < 13, "Redis has 16 databases: run the suite on at most 13 workers"
    return f"redis://127.0.0.1:6379/{15 - index}"


PG_URL = _worker_database_url(os.environ.get("COUPLES_TEST_DATABASE_URL"))
REDIS_URL = _redis_url()

BASE_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-not-for-production",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_SECURE": False,
    "PASSWORD_HASH_TIME_COST": 1,
    "PASSWORD_HASH_MEMORY_COST": 1024,
    "PASSWORD_HASH_PARALLELISM": 1,
    "RATELIMIT_STORAGE_URI": "memory://",
    "BASE_URL": "http://localhost",
}


def run_flask(args: list[str], env_extra: dict, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, **env_extra}
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "couples", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


def _create_database_if_missing(url: str) -> None:
    name = make_url(url).database
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


def _migrate(url: str, instance: Path) -> None:
    result = run_flask(
        ["db", "upgrade"],
        {"COUPLES_SQLALCHEMY_DATABASE_URI": url, "COUPLES_INSTANCE_PATH": str(instance)},
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="session")
def schema_template(tmp_path_factory):
    """The schema, built once per run (once per worker) by the real migrations."""
    instance = tmp_path_factory.mktemp("instance")
    if PG_URL:
        _create_database_if_missing(PG_URL)
        engine = create_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        _migrate(PG_URL, instance)
        return PG_URL
    template = instance / "template.sqlite3"
    _migrate(f"sqlite:///{template}", instance)
    return template


@pytest.fixture
def database_url(schema_template, tmp_path):
    if PG_URL:
        yield PG_URL
        engine = create_engine(PG_URL)
        with engine.begin() as conn:
            tables = [t.name for t in db.metadata.sorted_tables]
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return
    path = tmp_path / "couples.sqlite3"
    shutil.copyfile(schema_template, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build an app with extra configuration; every app of a test shares its database."""
    apps = []

    def build(**overrides):
        app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, **overrides})
        app.instance_path = str(tmp_path / "instance")
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def api(app):
    """An anonymous API client that sends the CSRF token."""
    return ApiClient(app)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


@pytest.fixture
def two_partners(app):
    """Two linked partners, each with a logged-in API client: (alex, sam)."""
    with app.app_context():
        alex = make_user(email="alex@example.com", display_name="Alex", timezone="America/New_York")
        sam = make_user(email="sam@example.com", display_name="Sam", timezone="Europe/London")
        make_couple(alex, sam)
    return ApiClient(app).login("alex@example.com"), ApiClient(app).login("sam@example.com")


@pytest.fixture
def outsider(app):
    """A logged-in user who belongs to no couple of the test."""
    with app.app_context():
        make_user(email="olive@example.com", display_name="Olive", timezone="UTC")
    return ApiClient(app).login("olive@example.com")


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 that keeps what it receives."""
    import email
    import re
    import socket

    from aiosmtpd.controller import Controller

    class Keep:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            self.messages.append(email.message_from_bytes(envelope.content))
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Keep()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()

    class Server:
        messages = handler.messages

        def last_link(self):
            body = self.messages[-1].get_payload(decode=True).decode()
            return re.search(r"https?://\S+/reset/\S+", body).group(0)

    Server.port = port
    yield Server()
    controller.stop()


@pytest.fixture
def redis_url():
    """This worker's Redis database, empty before and after the test."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


@pytest.fixture
def fake_push():
    """A running fake push service on 127.0.0.1 (see tests/fakepush.py)."""
    from tests.fakepush import FakePushService

    service = FakePushService().start()
    yield service
    service.stop()


@pytest.fixture(scope="session")
def vapid_keys():
    from couples.notifications.webpush import generate_keys

    return generate_keys()


@pytest.fixture
def push_settings(fake_push, vapid_keys) -> dict:
    """The settings of an app that sends to the fake push service (and only there)."""
    return {
        "VAPID_PRIVATE_KEY": vapid_keys[0],
        "VAPID_PUBLIC_KEY": vapid_keys[1],
        "VAPID_SUBJECT": "mailto:ops@couples.test",
        "PUSH_ALLOWED_ENDPOINTS": [fake_push.origin],
        "PUSH_TIMEOUT": 2,
    }


@pytest.fixture
def push_app(make_app, push_settings):
    """An app that sends to the fake push service (and only there)."""
    return make_app(**push_settings)


@pytest.fixture
def couple(make_app):
    """Alex and Sam, linked by ``link(alex_tz, sam_tz)``, whose clients work at any instant:
    a session cookie is only good after the moment it was made, so ``at(instant)`` travels
    there (time-machine) and yields both freshly logged in."""
    app = make_app(RATELIMIT_ENABLED=False)

    def link(alex_tz: str = "America/New_York", sam_tz: str = "Europe/London", when=None):
        """Link the two (at ``when``, a time-travelled instant, if given)."""
        travel = time_machine.travel(when, tick=False) if when else contextlib.nullcontext()
        with travel, app.app_context():
            alex = make_user(email="alex@example.com", display_name="Alex", timezone=alex_tz)
            sam = make_user(email="sam@example.com", display_name="Sam", timezone=sam_tz)
            make_couple(alex, sam, now=when)
        return couple

    @contextmanager
    def at(instant):
        with time_machine.travel(instant, tick=False):
            yield (
                ApiClient(app).login("alex@example.com"),
                ApiClient(app).login("sam@example.com"),
            )

    couple = SimpleNamespace(app=app, link=link, at=at)
    return couple
