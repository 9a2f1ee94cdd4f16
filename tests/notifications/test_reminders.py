"""The tick: check-in reminders on each partner's own clock."""

from datetime import UTC, date, datetime, timedelta

import time_machine
from sqlalchemy import event, insert

from couples.accounts.models import User
from couples.clock import utcnow
from couples.extensions import db
from couples.notifications import reminders
from couples.notifications.models import Notification
from couples.pairing.models import CoupleMember
from tests.factories import make_couple, make_user


def utc(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _couple(tz_a, tz_b, now):
    with time_machine.travel(now, tick=False):
        a = make_user(email="a@example.com", display_name="Ana", timezone=tz_a)
        b = make_user(email="b@example.com", display_name="Ben", timezone=tz_b)
        make_couple(a, b, now=now)
    return a, b


def _reminders_for(user):
    return list(
        db.session.execute(
            db.select(Notification)
            .where(
                Notification.user_id == user.id,
                Notification.kind.in_(["checkin_reminder", "weekly_checkin"]),
            )
            .order_by(Notification.id)
        ).scalars()
    )


def _tick_every_minute(start, end):
    at = start
    while at <= end:
        reminders.tick(now=at)
        at += timedelta(minutes=1)


def test_new_york_gets_its_nine_pm_reminder_across_both_dst_changes(ctx):
    a, _ = _couple("America/New_York", "UTC", utc("2026-03-07 12:00"))
    # The night before spring forward: 21:00 EST is 02:00Z.
    _tick_every_minute(utc("2026-03-08 01:55"), utc("2026-03-08 02:05"))
    # The night after: 21:00 EDT is 01:00Z.
    db.session.execute(
        db.update(User)
        .where(User.id == a.id)
        .values(next_checkin_reminder_at=utc("2026-03-09 01:00"))
    )
    _tick_every_minute(utc("2026-03-09 00:55"), utc("2026-03-09 01:05"))
    created = [(n.dedupe_key, n.created_at) for n in _reminders_for(a)]
    assert created == [
        ("checkin:2026-03-07", utc("2026-03-08 02:00")),
        ("checkin:2026-03-08", utc("2026-03-09 01:00")),
    ]


def test_new_york_reminder_when_autumn_falls_back(ctx):
    a, _ = _couple("America/New_York", "UTC", utc("2026-10-31 12:00"))
    assert a.next_checkin_reminder_at == utc("2026-11-01 01:00")  # 31 Oct, still EDT
    reminders.tick(now=utc("2026-11-01 01:00"))
    db.session.refresh(a)
    assert a.next_checkin_reminder_at == utc("2026-11-02 02:00")  # 1 Nov, EST
    reminders.tick(now=utc("2026-11-02 02:00"))
    assert [n.dedupe_key for n in _reminders_for(a)] == ["checkin:2026-10-31", "checkin:2026-11-01"]


def test_a_reminder_time_the_clocks_skip_comes_once_an_hour_later(ctx):
    from couples.notifications.services import update_preferences

    a, _ = _couple("America/New_York", "UTC", utc("2026-03-07 12:00"))
    update_preferences(
        user=a,
        now=utc("2026-03-08 05:00"),  # midnight in New York, the 8th begins
        reminder_minute=2 * 60 + 30,  # 02:30, which the 8th skips
        quiet_start_minute=23 * 60,
        quiet_end_minute=60,
    )
    assert a.next_checkin_reminder_at == utc("2026-03-08 07:30")
    _tick_every_minute(utc("2026-03-08 06:55"), utc("2026-03-08 07:35"))
    reminder = _reminders_for(a)
    assert [(n.dedupe_key, n.created_at) for n in reminder] == [
        ("checkin:2026-03-08", utc("2026-03-08 07:30"))  # 03:30 EDT
    ]
    assert reminder[0].status == "pending"
    db.session.refresh(a)
    assert a.next_checkin_reminder_at == utc("2026-03-09 06:30")  # 02:30 EDT on the 9th


def test_partners_at_utc_minus_10_and_plus_13_each_get_their_own_nine_pm(ctx):
    honolulu, tonga = _couple("Pacific/Honolulu", "Pacific/Tongatapu", utc("2026-06-15 00:00"))
    _tick_every_minute(utc("2026-06-15 06:58"), utc("2026-06-15 08:02"))
    assert [(n.dedupe_key, n.created_at) for n in _reminders_for(honolulu)] == [
        ("checkin:2026-06-14", utc("2026-06-15 07:00"))
    ]
    assert [(n.dedupe_key, n.created_at) for n in _reminders_for(tonga)] == [
        ("checkin:2026-06-15", utc("2026-06-15 08:00"))
    ]
    assert "Ben" in _reminders_for(honolulu)[0].body and "Ana" in _reminders_for(tonga)[0].body


def test_running_the_tick_twice_creates_nothing_twice(ctx):
    a, b = _couple("UTC", "UTC", utc("2026-06-15 12:00"))
    reminders.tick(now=utc("2026-06-15 21:00"))
    # a second process that read the same due rows before the first one moved them on
    for user in (a, b):
        user.next_checkin_reminder_at = utc("2026-06-15 21:00")
    db.session.commit()
    assert reminders.tick(now=utc("2026-06-15 21:00")) == 0
    assert db.session.query(Notification).filter_by(kind="checkin_reminder").count() == 2


def test_the_tick_counts_only_the_reminders_it_made(ctx):
    from couples.notifications.services import notify

    a, b = _couple("UTC", "UTC", utc("2026-06-15 12:00"))
    # a's reminder for the 15th exists already (made by another process a moment ago)
    notify(
        user=a,
        kind="checkin_reminder",
        dedupe_key="checkin:2026-06-15",
        title="Tonight's check-in",
        body="Two quiet minutes for you and Ben.",
        now=utc("2026-06-15 21:00"),
    )
    assert reminders.tick(now=utc("2026-06-15 21:00")) == 1  # b's, in the same batch
    assert [n.dedupe_key for n in _reminders_for(a)] == ["checkin:2026-06-15"]
    assert [n.dedupe_key for n in _reminders_for(b)] == ["checkin:2026-06-15"]


def test_the_reminder_time_is_each_partners_choice(ctx, app):
    from couples.notifications.services import update_preferences

    a, b = _couple("UTC", "UTC", utc("2026-06-15 12:00"))
    update_preferences(user=a, now=utc("2026-06-15 12:00"), reminder_minute=19 * 60 + 15)
    assert a.next_checkin_reminder_at == utc("2026-06-15 19:15")
    assert b.next_checkin_reminder_at == utc("2026-06-15 21:00")


def test_no_reminder_without_a_partner_or_when_turned_off(ctx):
    from couples.notifications.services import update_preferences

    solo = make_user(email="solo@example.com")
    assert solo.next_checkin_reminder_at is None
    a, _ = _couple("UTC", "UTC", utc("2026-06-15 12:00"))
    update_preferences(user=a, now=utc("2026-06-15 12:00"), kinds_off=["checkin_reminder"])
    # Monday: the nightly reminder is off; the weekly one (Sunday) still has its slot.
    assert a.next_checkin_reminder_at == utc("2026-06-15 21:00")
    reminders.tick(now=utc("2026-06-15 21:00"))
    assert _reminders_for(a) == []
    update_preferences(
        user=a,
        now=utc("2026-06-15 22:00"),
        kinds_off=["checkin_reminder", "weekly_checkin", "appreciation_nudge", "practice_week"],
    )
    assert a.next_checkin_reminder_at is None
    reminders.tick(now=utc("2026-06-16 21:00"))
    assert _reminders_for(a) == []


def test_the_weekly_day_sends_the_weekly_reminder_and_days_off_send_none(ctx):
    a, b = _couple("UTC", "UTC", utc("2026-06-12 12:00"))  # a Friday
    couple_of_a = db.session.execute(db.select(CoupleMember).filter_by(user_id=a.id)).scalar_one()
    couple_of_a.couple.nightly_days = 0b0011111  # Monday to Friday; Sunday is weekly
    db.session.commit()
    _tick_every_minute(utc("2026-06-12 20:59"), utc("2026-06-12 21:01"))  # Friday
    _tick_every_minute(utc("2026-06-13 20:59"), utc("2026-06-13 21:01"))  # Saturday: off
    _tick_every_minute(utc("2026-06-14 20:59"), utc("2026-06-14 21:01"))  # Sunday: weekly
    assert [(n.kind, n.dedupe_key) for n in _reminders_for(a)] == [
        ("checkin_reminder", "checkin:2026-06-12"),
        ("weekly_checkin", "checkin:2026-06-14"),
    ]
    db.session.refresh(a)
    assert a.next_checkin_reminder_at == utc("2026-06-15 21:00")


def test_no_reminder_for_a_partner_who_answered_tonight_already(ctx):
    from couples.checkins import services as checkins
    from couples.pairing.services import require_pairing

    a, b = _couple("UTC", "Pacific/Auckland", utc("2026-06-15 12:00"))
    # 20:30 in UTC on Monday the 15th: a answers; b is already on Tuesday the 16th.
    checkins.submit(
        pairing=require_pairing(a),
        day=date(2026, 6, 15),
        answers={"needs_met": 4, "mood": 4},
        now=utc("2026-06-15 20:30"),
    )
    b.next_checkin_reminder_at = utc("2026-06-15 20:30")  # b's reminder for the 16th, early
    db.session.commit()
    reminders.tick(now=utc("2026-06-15 21:00"))
    assert _reminders_for(a) == []
    assert [n.dedupe_key for n in _reminders_for(b)] == ["checkin:2026-06-16"]


def test_unlinking_stops_the_reminders(ctx):
    from couples.pairing.services import unlink

    a, b = _couple("UTC", "UTC", utc("2026-06-15 12:00"))
    unlink(user=a, now=utc("2026-06-15 13:00"))
    assert a.next_checkin_reminder_at is None and b.next_checkin_reminder_at is None


def test_a_stale_reminder_is_skipped_and_the_next_one_scheduled(ctx):
    a, _ = _couple("UTC", "UTC", utc("2026-06-15 12:00"))
    # the scheduler was down from 20:00 to 09:00 the next morning
    reminders.tick(now=utc("2026-06-16 09:00"))
    assert _reminders_for(a) == []
    db.session.refresh(a)
    assert a.next_checkin_reminder_at == utc("2026-06-16 21:00")


def test_a_tick_reads_only_the_due_rows(ctx, app):
    """20,000 users, 50 due: the statements and rows a tick touches follow the 50."""
    now = utcnow()
    far = now + timedelta(days=1)
    base = {
        "password_hash": "x",
        "display_name": "P",
        "timezone": "UTC",
        "reminder_minute": 21 * 60,
        "quiet_start_minute": 0,
        "quiet_end_minute": 0,
        "discreet": False,
        "kinds_off": [],
        "created_at": now,
        "updated_at": now,
    }
    db.session.execute(
        insert(User),
        [
            {**base, "email": f"u{n}@example.com", "next_checkin_reminder_at": far}
            for n in range(20_000)
        ],
    )
    due = [make_user(email=f"due{n}@example.com") for n in range(50)]
    partners = [make_user(email=f"partner{n}@example.com") for n in range(50)]
    for a, b in zip(due, partners, strict=True):
        make_couple(a, b)
    for user in due:
        user.next_checkin_reminder_at = now - timedelta(minutes=1)
    for user in partners:
        user.next_checkin_reminder_at = far
    db.session.commit()

    statements, fetched = [], []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    original = reminders._due_checkin_reminders

    def spy(*args, **kwargs):
        rows = original(*args, **kwargs)
        fetched.append(len(rows))
        return rows

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    reminders._due_checkin_reminders = spy
    try:
        created = reminders.tick(now=now)
    finally:
        reminders._due_checkin_reminders = original
        event.remove(engine, "before_cursor_execute", count)
    assert created == 50
    assert sum(fetched) == 50  # the due rows, and only those, came back
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    # one batched SELECT of the due users (with their partners), then a few per due user
    assert len(selects) <= 1 + 2 * 50
    assert len(statements) <= 4 * 50 + 5
    # ... and the database finds them through the index, not by reading every user
    if engine.dialect.name == "postgresql":
        db.session.execute(db.text("ANALYZE users"))
        explain = "EXPLAIN SELECT id FROM users WHERE next_checkin_reminder_at <= :now"
    else:
        explain = "EXPLAIN QUERY PLAN SELECT id FROM users WHERE next_checkin_reminder_at <= :now"
    plan = " ".join(str(row) for row in db.session.execute(db.text(explain), {"now": now}))
    assert "ix_users_next_checkin_reminder_at" in plan, plan
