"""The same deliveries, end to end, through the background path each database runs with:
the embedded thread on SQLite (as `serve` runs it), a real Celery worker on a real Redis
broker on PostgreSQL. Every outcome of the push service is in the mix."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from couples import ROOT
from couples.accounts.models import User
from couples.clock import utcnow
from couples.extensions import db
from couples.notifications.models import Notification, PushSubscription
from couples.notifications.services import notify, subscribe
from tests.conftest import PG_URL, WORKER
from tests.factories import make_user

SCRIPTS = {
    "ok": (),
    "gone": ("gone",),
    "notfound": ("notfound",),
    "ratelimit": ("ratelimit:1",),
    "error": ("error",),
    "timeout": ("hang",),
    "badrequest": ("badrequest",),
}
# Only the hanging request may time out: the timeout is long enough that no other send
# reaches it, however busy the machine (the hang waits for it, whatever its length).
SETTINGS = {
    "PUSH_TIMEOUT": 5,
    "PUSH_BACKOFF_SECONDS": 1,
    "SCHEDULER_INTERVAL_SECONDS": 0.5,
    "PUSH_LEASE_SECONDS": 30,
}


@pytest.fixture
def path_app(make_app, fake_push, vapid_keys):
    return make_app(
        VAPID_PRIVATE_KEY=vapid_keys[0], PUSH_ALLOWED_ENDPOINTS=[fake_push.origin], **SETTINGS
    )


def _seed(fake_push):
    endpoints = {}
    for name, script in SCRIPTS.items():
        user = make_user(email=f"{name}@example.com", display_name=name)
        user.quiet_start_minute = user.quiet_end_minute = 0
        db.session.commit()
        info = fake_push.subscribe(*script)
        subscribe(
            user=user,
            endpoint=info["endpoint"],
            p256dh=info["keys"]["p256dh"],
            auth=info["keys"]["auth"],
        )
        notify(
            user=user,
            kind="bid_received",
            dedupe_key="paths",
            title="Sam sent you a bid",
            body="Tea later?",
            now=utcnow(),
            commit=False,
        )
        endpoints[name] = info["endpoint"]
    db.session.commit()
    return endpoints


def _unfinished():
    db.session.rollback()
    count = (
        db.session.query(Notification)
        .filter(Notification.status.in_(("pending", "sending")))
        .count()
    )
    db.session.rollback()
    return count


def _run_until_done(app, database_url, fake_push, vapid_keys, tmp_path, broker):
    deadline = time.monotonic() + 60
    if not PG_URL:
        from couples.notifications import worker

        stop = worker.start_thread(app)  # what `serve` starts
        try:
            while _unfinished() and time.monotonic() < deadline:
                worker.wake()
                time.sleep(0.2)
        finally:
            stop.set()
            worker.wake()
        return
    from celery import Celery

    env = {k: v for k, v in os.environ.items() if not k.startswith("COUPLES_")}
    env.update({f"COUPLES_{k}": str(v) for k, v in SETTINGS.items()})
    env.update(
        {
            "COUPLES_SQLALCHEMY_DATABASE_URI": database_url,
            "COUPLES_VAPID_PRIVATE_KEY": vapid_keys[0],
            "COUPLES_PUSH_ALLOWED_ENDPOINTS": json.dumps([fake_push.origin]),
            "COUPLES_CELERY_BROKER_URL": broker,
            "COUPLES_INSTANCE_PATH": str(tmp_path),
            "COUPLES_BASE_URL": "http://localhost",
        }
    )
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [
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
            f"paths-{WORKER or 'main'}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    beat = Celery("couples", broker=broker)
    try:
        while _unfinished() and time.monotonic() < deadline:
            beat.send_task("couples.sweep")  # what `celery beat` does each minute
            time.sleep(0.5)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


def test_every_outcome_through_the_background_path(
    path_app, database_url, fake_push, vapid_keys, tmp_path, redis_url
):
    with path_app.app_context():
        endpoints = _seed(fake_push)
        _run_until_done(path_app, database_url, fake_push, vapid_keys, tmp_path, redis_url)
        assert _unfinished() == 0
        status = {
            u.display_name: n
            for u, n in db.session.query(User, Notification).join(
                Notification, Notification.user_id == User.id
            )
        }
        devices = {s.user_id for s in db.session.query(PushSubscription)}
        received = {name: len(fake_push.for_endpoint(e)) for name, e in endpoints.items()}

    # delivered at once
    assert status["ok"].status == "sent" and received["ok"] == 1
    # the device is gone: forgotten, nothing to retry; no device had it, so it is in
    # the inbox only
    for name in ("gone", "notfound"):
        assert status[name].status == "inbox" and status[name].user_id not in devices
        assert received[name] == 0
    # retried after Retry-After, after a 500, after a timeout: then delivered once
    for name in ("ratelimit", "error", "timeout"):
        assert status[name].status == "sent", (name, status[name].last_error)
        assert status[name].attempts == 2 and received[name] == 1, name
    assert (status["ratelimit"].sent_at - status["ratelimit"].created_at).total_seconds() >= 1
    # refused for a reason on our side: no retry, the device stays until three in a row
    assert status["badrequest"].status == "failed" and status["badrequest"].attempts == 1
    assert status["badrequest"].user_id in devices
    assert fake_push.rejected == []
