"""Prometheus metrics: who may scrape them, and that each number says what it names. Every
scrape is read with the Prometheus client's own parser."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from prometheus_client.parser import text_string_to_metric_families

from couples import ROOT
from couples.extensions import db
from couples.notifications import delivery, reminders
from couples.notifications.models import Notification
from couples.notifications.services import notify
from tests.factories import make_user, push_device

TOKEN = "a-long-scrape-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
NOON = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def parse(text: str) -> dict[tuple[str, tuple], float]:
    """Every sample of a scrape: (name, sorted labels) -> value."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def scrape(client) -> dict:
    answer = client.get("/metrics", headers=AUTH)
    assert answer.status_code == 200, answer.status_code
    assert answer.content_type.startswith("text/plain; version=")
    return parse(answer.get_data(as_text=True))


@pytest.fixture
def metrics_app(make_app):
    return make_app(METRICS_TOKEN=TOKEN)


def test_a_token_with_any_characters_is_read_whole(make_app):
    token = "abc=def==/+x"
    client = make_app(METRICS_TOKEN=token).test_client()
    assert client.get("/metrics", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.get("/metrics", headers={"Authorization": "Bearer abc"}).status_code == 401


def test_metrics_are_not_served_without_a_token_set(make_app):
    client = make_app().test_client()
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers=AUTH).status_code == 404


@pytest.mark.parametrize(
    "header",
    [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer"],
)
def test_a_scraper_without_the_right_bearer_token_is_refused(metrics_app, header):
    headers = {"Authorization": header} if header else {}
    answer = metrics_app.test_client().get("/metrics", headers=headers)
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert "couples_" not in answer.get_data(as_text=True)


def test_requests_are_counted_and_timed_by_endpoint_method_and_status(metrics_app):
    client = metrics_app.test_client()
    before = scrape(client)
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    client.get("/no/such/page/42")
    client.get("/no/such/page/43")
    after = scrape(client)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("couples_http_requests_total", endpoint="healthz", method="GET", status="200") == 3
    assert delta("couples_http_request_duration_seconds_count", endpoint="healthz") == 3
    # what matched no route is one series, whatever was asked for
    assert (
        delta("couples_http_requests_total", endpoint="unmatched", method="GET", status="404") == 2
    )
    assert not any("no/such" in str(labels) for _name, labels in after)
    # the scrape before this one was counted too
    assert delta("couples_http_requests_total", endpoint="metrics", method="GET", status="200") == 1


def test_an_unknown_method_does_not_make_a_series_of_its_own(metrics_app):
    client = metrics_app.test_client()
    client.open("/healthz", method="BREW")
    samples = scrape(client)
    labels = {"endpoint": "unmatched", "method": "other", "status": "405"}
    assert value(samples, "couples_http_requests_total", **labels) >= 1
    assert not any(dict(labels).get("method") == "BREW" for _name, labels in samples)


def _note(user, key, due_at, status="pending", lease_until=None):
    notify(
        user=user,
        kind="bid_received",
        dedupe_key=key,
        title="Sam sent you a bid",
        body="Tea later?",
        now=NOON - timedelta(hours=2),
    )
    note = db.session.execute(
        db.select(Notification).filter_by(user_id=user.id, dedupe_key=key)
    ).scalar_one()
    note.next_attempt_at, note.status, note.lease_until = due_at, status, lease_until
    db.session.commit()


def test_the_outbox_depth_and_the_age_of_its_oldest_due_notification(metrics_app):
    client = metrics_app.test_client()
    with time_machine.travel(NOON, tick=False):
        empty = scrape(client)
        assert value(empty, "couples_outbox_due_notifications") == 0
        assert value(empty, "couples_outbox_oldest_due_age_seconds") == 0
        assert value(empty, "couples_database_up") == 1
        with metrics_app.app_context():
            alex = make_user(email="alex@example.com")
            _note(alex, "due-10-min", NOON - timedelta(minutes=10))
            _note(alex, "due-now", NOON)
            _note(alex, "later", NOON + timedelta(minutes=5))
            _note(alex, "sent", NOON - timedelta(hours=1), status="sent")
            # a sender died holding this one: its lease ran out, so it is due again
            _note(
                alex,
                "lease-over",
                NOON - timedelta(minutes=30),
                status="sending",
                lease_until=NOON - timedelta(minutes=29),
            )
            # another is sending it right now
            _note(
                alex,
                "leased",
                NOON - timedelta(hours=3),
                status="sending",
                lease_until=NOON + timedelta(minutes=1),
            )
        samples = scrape(client)
    assert value(samples, "couples_outbox_due_notifications") == 3
    assert value(samples, "couples_outbox_oldest_due_age_seconds") == 30 * 60


def test_a_scrape_with_the_database_down_still_answers(make_app, tmp_path):
    broken = make_app(
        METRICS_TOKEN=TOKEN, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/x.sqlite3"
    )
    samples = scrape(broken.test_client())
    assert value(samples, "couples_database_up") == 0
    assert ("couples_outbox_due_notifications", ()) not in samples


def test_deliveries_are_counted_by_outcome(make_app, fake_push, vapid_keys):
    app = make_app(
        METRICS_TOKEN=TOKEN,
        VAPID_PRIVATE_KEY=vapid_keys[0],
        PUSH_ALLOWED_ENDPOINTS=[fake_push.origin],
    )
    client = app.test_client()
    before = scrape(client)
    with app.app_context():
        scripts = {
            "ok": (),
            "gone": ("gone",),
            "later": ("ratelimit:1",),
            "refused": ("badrequest",),
            "again": ("error",),
        }
        user = make_user(email="alex@example.com")
        user.quiet_start_minute = user.quiet_end_minute = 0
        db.session.commit()
        for script in scripts.values():
            push_device(user, fake_push, *script)
        notify(
            user=user,
            kind="bid_received",
            dedupe_key="m",
            title="Sam sent you a bid",
            body="Tea later?",
            now=NOON,
        )
        result = delivery.deliver_due(now_fn=lambda: NOON)
        assert result["claimed"] == 1
    after = scrape(client)

    def delta(outcome):
        return value(after, "couples_push_deliveries_total", outcome=outcome) - value(
            before, "couples_push_deliveries_total", outcome=outcome
        )

    assert {o: delta(o) for o in ("sent", "gone", "retried", "failed")} == {
        "sent": 1,
        "gone": 1,
        "retried": 2,
        "failed": 1,
    }


def test_each_tick_is_timed(metrics_app):
    client = metrics_app.test_client()
    before = scrape(client)
    with metrics_app.app_context():
        reminders.tick(now=NOON)
        reminders.tick(now=NOON + timedelta(minutes=1))
    after = scrape(client)
    name = "couples_tick_duration_seconds_count"
    assert value(after, name) - value(before, name) == 2
    assert value(after, "couples_tick_duration_seconds_sum") > value(
        before, "couples_tick_duration_seconds_sum"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, headers: dict | None = None) -> str | None:
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, headers=headers or {}), timeout=60
        ) as answer:
            return answer.read().decode()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def _env(database_url, tmp_path, **settings) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUPLES_")}
    env.update(
        {
            "COUPLES_SQLALCHEMY_DATABASE_URI": database_url,
            "COUPLES_INSTANCE_PATH": str(tmp_path),
            "COUPLES_BASE_URL": "http://localhost",
            "COUPLES_SECRET_KEY": "metrics-test-secret",
        }
    )
    env.update({f"COUPLES_{k}": str(v) for k, v in settings.items()})
    return env


def _stop(process):
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def test_a_celery_worker_counts_task_outcomes_on_its_own_address(database_url, tmp_path, redis_url):
    from celery import Celery

    port = _free_port()
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "couples.tasks",
            "worker",
            "--pool=threads",
            "-c",
            "2",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"metrics-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=_env(
            database_url, tmp_path, CELERY_BROKER_URL=redis_url, METRICS_ADDRESS=f"127.0.0.1:{port}"
        ),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    broker = Celery("couples", broker=redis_url)
    try:
        broker.send_task("couples.sweep")
        broker.send_task("couples.sweep", args=["not", "taken"])  # fails in the worker
        deadline = time.monotonic() + 90
        samples = {}
        while time.monotonic() < deadline:
            text = _get(f"http://127.0.0.1:{port}/metrics")
            samples = parse(text) if text else {}
            if value(
                samples, "couples_celery_tasks_total", task="couples.sweep", outcome="failure"
            ) and value(
                samples, "couples_celery_tasks_total", task="couples.sweep", outcome="success"
            ):
                break
            time.sleep(0.3)
    finally:
        _stop(worker)
        log.close()
    assert (
        value(samples, "couples_celery_tasks_total", task="couples.sweep", outcome="failure") == 1
    ), (tmp_path / "worker.log").read_text()[-3000:]
    assert (
        value(samples, "couples_celery_tasks_total", task="couples.sweep", outcome="success") == 1
    )
    # the worker's address serves the outbox as well
    assert value(samples, "couples_database_up") == 1


def _healthz_count(base: str, headers: dict) -> float:
    samples = parse(_get(f"{base}/metrics", {**headers, **AUTH}))
    return value(
        samples, "couples_http_requests_total", endpoint="healthz", method="GET", status="200"
    )


def test_gunicorn_workers_are_summed_in_multiprocess_mode(database_url, tmp_path):
    """Each gunicorn worker is replaced after 3 requests, so 20 requests are answered by
    at least 5 processes: every scrape, whichever process answers it, counts all 20."""
    port = _free_port()
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = _env(database_url, tmp_path, METRICS_TOKEN=TOKEN)
    env["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "2",
            "--max-requests",
            "3",
            "-b",
            f"127.0.0.1:{port}",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    host = {"Host": "localhost"}
    try:
        deadline = time.monotonic() + 120
        while _get(f"{base}/metrics", {**host, **AUTH}) is None:
            assert server.poll() is None and time.monotonic() < deadline, (
                tmp_path / "gunicorn.log"
            ).read_text()
            time.sleep(0.2)
        before = _healthz_count(base, host)
        for _ in range(20):
            assert _get(f"{base}/healthz", host) is not None
        counted = [_healthz_count(base, host) - before for _ in range(6)]
        answered_by = {path.name.rsplit("_", 1)[-1] for path in folder.glob("counter_*.db")}
    finally:
        _stop(server)
        log.close()
    assert len(answered_by) >= 5, answered_by  # counts of processes long gone included
    assert counted == [20] * 6
