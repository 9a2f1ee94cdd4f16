"""A worker killed with SIGKILL mid-batch loses nothing and sends nothing twice in the
database. On PostgreSQL the workers are real Celery workers on a real Redis broker; on
SQLite they are the embedded loop (`flask reminders run`). The same delivery functions run
in both."""

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from sqlalchemy import func

from couples import ROOT
from couples.clock import utcnow
from couples.extensions import db
from couples.notifications.models import Notification
from tests.conftest import PG_URL, WORKER
from tests.factories import pending_pushes
from tests.fakepush import FakePushService

COUNT = 2000


@pytest.fixture
def slow_push():
    service = FakePushService(latency=0.05).start()
    yield service
    service.stop()


def _seed(service, now):
    pending_pushes(service, COUNT, now)


def _env(database_url, service, vapid_keys, log_name, broker):
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUPLES_")}
    env.update(
        {
            "COUPLES_SQLALCHEMY_DATABASE_URI": database_url,
            "COUPLES_VAPID_PRIVATE_KEY": vapid_keys[0],
            "COUPLES_PUSH_ALLOWED_ENDPOINTS": json.dumps([service.origin]),
            "COUPLES_PUSH_LEASE_SECONDS": "5",
            "COUPLES_PUSH_TIMEOUT": "2",
            "COUPLES_PUSH_BATCH": "50",
            "COUPLES_PUSH_THREADS": "8",
            "COUPLES_SCHEDULER_INTERVAL_SECONDS": "1",
            "COUPLES_CELERY_BROKER_URL": broker,
            "COUPLES_BASE_URL": "http://localhost",
            "COUPLES_INSTANCE_PATH": os.path.dirname(log_name),
        }
    )
    return env


def _start(database_url, service, vapid_keys, log_path, name, broker):
    if PG_URL:
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "couples.tasks",
            "worker",
            "--pool=threads",
            "-c",
            "4",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"{name}-{WORKER or 'main'}@%h",
            "--loglevel=INFO",
        ]
    else:
        command = [sys.executable, "-m", "flask", "--app", "couples", "reminders", "run"]
    log = open(log_path, "w")  # noqa: SIM115 (closed by the caller through the process)
    return subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=_env(database_url, service, vapid_keys, str(log_path), broker),
        start_new_session=True,
    )


def _beat(broker):
    """What `celery beat` does every minute, sooner: queue delivery for what is due."""
    if PG_URL:
        from celery import Celery

        Celery("couples", broker=broker).send_task("couples.sweep")


def _status_counts():
    db.session.rollback()
    counts = dict(
        db.session.execute(
            db.select(Notification.status, func.count()).group_by(Notification.status)
        ).all()
    )
    db.session.rollback()
    return counts


def test_sigkill_mid_batch_loses_nothing_and_sends_each_at_most_twice(
    push_app, database_url, slow_push, vapid_keys, tmp_path, redis_url
):
    with push_app.app_context():
        _seed(slow_push, utcnow())
        first = _start(database_url, slow_push, vapid_keys, tmp_path / "w1.log", "w1", redis_url)
        try:
            deadline = time.monotonic() + 90
            while len(slow_push.received) < 300 and time.monotonic() < deadline:
                _beat(redis_url)
                time.sleep(0.3)
            assert len(slow_push.received) >= 300, (tmp_path / "w1.log").read_text()[-3000:]
            os.killpg(first.pid, signal.SIGKILL)  # mid-batch: requests are in flight
            first.wait(timeout=10)
            at_kill = _status_counts()
            assert at_kill.get("sent", 0) < COUNT, "the kill came too late to test anything"

            second = _start(
                database_url, slow_push, vapid_keys, tmp_path / "w2.log", "w2", redis_url
            )
            try:
                deadline = time.monotonic() + 180
                while _status_counts().get("sent", 0) < COUNT and time.monotonic() < deadline:
                    _beat(redis_url)
                    time.sleep(1)
            finally:
                os.killpg(second.pid, signal.SIGTERM)
                second.wait(timeout=30)
        finally:
            if first.poll() is None:
                os.killpg(first.pid, signal.SIGKILL)

        counts = _status_counts()
        assert counts == {"sent": COUNT}, (counts, (tmp_path / "w2.log").read_text()[-3000:])
        per_endpoint = Counter(r.path for r in slow_push.received)
        assert len(per_endpoint) == COUNT  # every one arrived
        assert max(per_endpoint.values()) <= 2  # duplicates only for sends in flight at the kill
        duplicates = sum(1 for n in per_endpoint.values() if n == 2)
        assert duplicates <= 4 * 50  # at most the batches that were in flight
        assert slow_push.rejected == []
