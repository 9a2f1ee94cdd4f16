"""The background loop: the tick on its interval, delivery alone when woken, and claims
that take SQLite's write lock only when something is due."""

import sqlite3
import threading
from datetime import UTC, datetime

import time_machine

from couples.extensions import db
from couples.notifications import delivery, worker
from couples.notifications.models import Notification
from couples.notifications.services import notify, subscribe
from tests.factories import make_couple, make_user

# 21:00 in London: Sam's check-in reminder is due.
EVENING = datetime(2026, 6, 15, 20, 0, tzinfo=UTC)


def _kinds(user_id: int) -> list[tuple[str, str]]:
    db.session.rollback()
    rows = db.session.execute(
        db.select(Notification.kind, Notification.status)
        .where(Notification.user_id == user_id)
        .order_by(Notification.id)
    ).all()
    db.session.rollback()
    return [tuple(row) for row in rows]


def test_a_round_without_the_tick_delivers_and_creates_no_reminder(push_app, fake_push):
    with time_machine.travel(EVENING, tick=False), push_app.app_context():
        alex = make_user(email="alex@example.com", display_name="Alex", timezone="UTC")
        sam = make_user(email="sam@example.com", display_name="Sam", timezone="Europe/London")
        make_couple(alex, sam, now=datetime(2026, 6, 15, 9, 0, tzinfo=UTC))
        info = fake_push.subscribe()
        subscribe(
            user=sam,
            endpoint=info["endpoint"],
            p256dh=info["keys"]["p256dh"],
            auth=info["keys"]["auth"],
        )
        notify(
            user=sam,
            kind="bid_received",
            dedupe_key="tea",
            title="Alex sent you a bid",
            body="Tea later?",
            url="/bids",
            now=EVENING,
        )
        sam_id = sam.id

        woken = worker.run_once(push_app, tick=False)
        assert (woken["created"], woken["sent"]) == (0, 1)
        assert _kinds(sam_id) == [("bid_received", "sent")]

        ticked = worker.run_once(push_app)
        assert ticked["created"] == 1
        assert _kinds(sam_id) == [("bid_received", "sent"), ("checkin_reminder", "sent")]
    assert len(fake_push.for_endpoint(info["endpoint"])) == 2


def test_the_loop_ticks_on_its_interval_and_only_delivers_when_woken(app, monkeypatch):
    rounds: list[bool] = []
    ran = threading.Semaphore(0)

    def run_once(_app, *, tick=True):
        rounds.append(tick)
        ran.release()
        return {}

    monkeypatch.setattr(worker, "run_once", run_once)
    app.config["SCHEDULER_INTERVAL_SECONDS"] = 3600
    stop = threading.Event()
    thread = threading.Thread(target=worker.loop, args=(app, stop), daemon=True)
    thread.start()
    try:
        assert ran.acquire(timeout=10)  # the first round ticks at once
        for _ in range(2):
            worker.wake()
            assert ran.acquire(timeout=10)
    finally:
        stop.set()
        worker.wake()
        thread.join(10)
    assert rounds[:3] == [True, False, False]
    assert not thread.is_alive()


def test_a_claim_with_nothing_due_leaves_the_write_lock_alone(make_app, tmp_path):
    """Another writer holds SQLite's write lock: a claim with nothing due answers at once
    instead of waiting for it (whichever database the suite runs on, this is SQLite's)."""
    path = tmp_path / "claim.sqlite3"
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    with app.app_context():
        db.create_all()
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            assert delivery.claim(now=EVENING, limit=10, lease_seconds=60).ids == []
            assert not db.session().in_transaction()  # the read is over
        finally:
            holder.execute("ROLLBACK")
            holder.close()
