"""The background loop: the tick on its interval, delivery alone when woken, and claims
that take SQLite's write lock only when something is due."""

import sqlite3
import threading
import time
from datetime import UTC, datetime

import time_machine

from couples.accounts.models import User
from couples.clock import utcnow
from couples.db import begin_write
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


def test_the_loop_ticks_on_its_interval_and_delivers_when_woken(app, monkeypatch):
    ticks = threading.Semaphore(0)
    rounds = threading.Semaphore(0)
    counts = {"ticks": 0, "rounds": 0}

    def tick(_app, _ticking):
        counts["ticks"] += 1
        ticks.release()
        return 0

    def deliver_round(_app):
        counts["rounds"] += 1
        rounds.release()

    monkeypatch.setattr(worker, "_tick", tick)
    monkeypatch.setattr(worker, "_deliver_round", deliver_round)
    app.config["SCHEDULER_INTERVAL_SECONDS"] = 3600
    stop = threading.Event()
    thread = threading.Thread(target=worker.loop, args=(app, stop), daemon=True)
    thread.start()
    try:
        assert ticks.acquire(timeout=10)  # the first tick runs at once
        assert rounds.acquire(timeout=10)  # and delivery runs
        for _ in range(2):
            worker.wake()
            assert rounds.acquire(timeout=10)
    finally:
        stop.set()
        worker.wake()
        thread.join(10)
    assert counts["ticks"] == 1  # a wake delivers; the next tick is an hour away
    assert counts["rounds"] >= 3
    assert not thread.is_alive()


def test_a_push_service_that_hangs_does_not_hold_the_tick(make_app, fake_push, vapid_keys):
    """Delivery waits on a push that never gets an answer; meanwhile a reminder falls
    due, and the tick creates it, on its own interval."""
    app = make_app(
        VAPID_PRIVATE_KEY=vapid_keys[0],
        PUSH_ALLOWED_ENDPOINTS=[fake_push.origin],
        PUSH_TIMEOUT=60,
        PUSH_LEASE_SECONDS=180,
        SCHEDULER_INTERVAL_SECONDS=0.2,
    )
    with app.app_context():
        alex = make_user(email="alex@example.com", display_name="Alex", timezone="UTC")
        sam = make_user(email="sam@example.com", display_name="Sam", timezone="Europe/London")
        pairing = make_couple(alex, sam)
        # This test runs on the real clock: no weekly check-in, so whatever the day,
        # the reminder that falls due is the nightly one.
        pairing.couple.weekly_day = None
        alex.quiet_start_minute = alex.quiet_end_minute = 0  # pushed at once, at any hour
        db.session.commit()
        info = fake_push.subscribe("hang")
        subscribe(
            user=alex,
            endpoint=info["endpoint"],
            p256dh=info["keys"]["p256dh"],
            auth=info["keys"]["auth"],
        )
        notify(
            user=alex,
            kind="bid_received",
            dedupe_key="tea",
            title="Sam sent you a bid",
            body="Tea later?",
            url="/bids",
            now=utcnow(),
        )
        sam_id = sam.id
        db.session.remove()
    stop = worker.start_thread(app)
    try:
        bound = time.monotonic() + 60  # bounds for a stuck loop, not a speed
        while not fake_push.attempts and time.monotonic() < bound:
            time.sleep(0.05)
        assert fake_push.attempts  # the push is out, and hangs
        with app.app_context():
            # A writer, as the app's commands are: the tick writes meanwhile, and a read
            # snapshot its commit made stale could not be written from.
            begin_write(db.session)
            sam = db.session.get(User, sam_id)
            sam.next_checkin_reminder_at = utcnow()  # Sam's reminder falls due now
            db.session.commit()
            while not _kinds(sam_id) and time.monotonic() < bound:
                time.sleep(0.05)
            assert [kind for kind, _ in _kinds(sam_id)] == ["checkin_reminder"]
        assert fake_push.hung_up == 0  # still waiting on the push all along
    finally:
        stop.set()
        worker.wake()


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
