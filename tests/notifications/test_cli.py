"""The commands: `push keys`, `reminders tick --now`, `reminders deliver`, and `serve`'s
embedded worker delivering a push end to end."""

import json
import os
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime

import time_machine

from couples import ROOT
from couples.extensions import db
from couples.notifications.models import Notification
from couples.notifications.webpush import load_private_key, public_key_of
from tests.conftest import run_flask
from tests.factories import make_couple, make_user


def _env(database_url, tmp_path, **extra):
    return {
        "COUPLES_SQLALCHEMY_DATABASE_URI": database_url,
        "COUPLES_INSTANCE_PATH": str(tmp_path),
        "COUPLES_BASE_URL": "http://localhost",
        **extra,
    }


def test_push_keys_prints_a_matching_pair(tmp_path):
    result = run_flask(["push", "keys"], {"COUPLES_INSTANCE_PATH": str(tmp_path)})
    lines = dict(line.split("=", 1) for line in result.stdout.split())
    private, public = lines["COUPLES_VAPID_PRIVATE_KEY"], lines["COUPLES_VAPID_PUBLIC_KEY"]
    assert public_key_of(load_private_key(private)) == public
    assert "=" not in public and len(public) == 87


def test_reminders_tick_at_a_given_instant(app, database_url, tmp_path):
    with app.app_context():
        a = make_user(email="a@example.com", timezone="Pacific/Honolulu")
        b = make_user(email="b@example.com", timezone="Pacific/Tongatapu")
        make_couple(a, b)
        due = a.next_checkin_reminder_at
    result = run_flask(
        ["reminders", "tick", "--now", due.isoformat()], _env(database_url, tmp_path)
    )
    assert result.returncode == 0, result.stderr
    assert "created 1 notification" in result.stdout
    again = run_flask(["reminders", "tick", "--now", due.isoformat()], _env(database_url, tmp_path))
    assert "created 0 notification" in again.stdout
    bad = run_flask(["reminders", "tick", "--now", "yesterday"], _env(database_url, tmp_path))
    assert bad.returncode != 0 and "ISO 8601" in bad.stderr


def test_reminders_deliver_sends_what_is_due(
    push_app, database_url, fake_push, vapid_keys, tmp_path
):
    from couples.clock import utcnow
    from couples.notifications.services import notify, subscribe

    with push_app.app_context():
        user = make_user(email="a@example.com")
        user.quiet_start_minute = user.quiet_end_minute = 0
        db.session.commit()
        info = fake_push.subscribe()
        subscribe(
            user=user,
            endpoint=info["endpoint"],
            p256dh=info["keys"]["p256dh"],
            auth=info["keys"]["auth"],
        )
        notify(
            user=user,
            kind="bid_received",
            dedupe_key="1",
            title="Sam sent you a bid",
            body="Hug?",
            now=utcnow(),
        )
    result = run_flask(
        ["reminders", "deliver", "--limit", "10"],
        _env(
            database_url,
            tmp_path,
            COUPLES_VAPID_PRIVATE_KEY=vapid_keys[0],
            COUPLES_PUSH_ALLOWED_ENDPOINTS=json.dumps([fake_push.origin]),
        ),
    )
    assert result.returncode == 0, result.stderr
    assert "'sent': 1" in result.stdout
    assert fake_push.for_endpoint(info["endpoint"])[0].message["notification"]["body"] == "Hug?"


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_makes_vapid_keys_and_its_background_thread_delivers(tmp_path, fake_push):
    """`serve` alone: a user subscribes and asks for a test push; the push arrives."""
    instance = tmp_path / "instance"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUPLES_")}
    env.update(
        {
            "COUPLES_INSTANCE_PATH": str(instance),
            "COUPLES_RATELIMIT_ENABLED": "false",
            "COUPLES_PUSH_ALLOWED_ENDPOINTS": json.dumps([fake_push.origin]),
            "COUPLES_PASSWORD_HASH_TIME_COST": "1",
            "COUPLES_PASSWORD_HASH_MEMORY_COST": "1024",
            "COUPLES_PASSWORD_HASH_PARALLELISM": "1",
        }
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "couples", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        key = instance / "vapid_private_key"
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        served = json.load(urllib.request.urlopen(f"{base}/api/v1/push/vapid-public-key"))
        assert served["key"] == public_key_of(load_private_key(key.read_text()))

        import http.cookiejar

        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

        def post(path, body):
            # A fresh token each time, as the PWA does: registering starts a new session.
            csrf = json.load(opener.open(f"{base}/api/v1/auth/csrf"))["csrf_token"]
            request = urllib.request.Request(
                base + path,
                data=json.dumps(body).encode(),
                method="POST",
                headers={"Content-Type": "application/json", "X-CSRF-Token": csrf},
            )
            return opener.open(request)

        post(
            "/api/v1/auth/register",
            {
                "email": "kim@example.com",
                "display_name": "Kim",
                "password": "velvet hamster orbit lamp",
                "timezone": "UTC",
            },
        )
        info = fake_push.subscribe()
        post("/api/v1/push/subscriptions", info)
        assert json.load(post("/api/v1/push/test", {}))["queued"] == 1
        for _ in range(100):
            if fake_push.for_endpoint(info["endpoint"]):
                break
            time.sleep(0.1)
        (received,) = fake_push.for_endpoint(info["endpoint"])
        assert received.message["notification"]["navigate"] == f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait(timeout=20)


# A Wednesday morning: the next reminder is that evening's nightly check-in (on the eve of
# the weekly day, Sunday, it would be the weekly one).
WEDNESDAY = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


def test_the_same_notification_from_two_ticks_at_once_is_one_row(app, database_url, tmp_path):
    with time_machine.travel(WEDNESDAY, tick=False), app.app_context():
        a = make_user(email="a@example.com")
        b = make_user(email="b@example.com")
        make_couple(a, b)
        due = a.next_checkin_reminder_at.isoformat()
    env = {**os.environ, **_env(database_url, tmp_path)}
    ticks = [
        subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "couples", "reminders", "tick", "--now", due],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outputs = [t.communicate(timeout=60) for t in ticks]
    assert all(t.returncode == 0 for t in ticks), outputs
    with app.app_context():
        assert db.session.query(Notification).filter_by(kind="checkin_reminder").count() == 2
