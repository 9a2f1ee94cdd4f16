"""The tick deletes notifications past their retention, a small batch at a time."""

from datetime import UTC, datetime, timedelta

import time_machine

from couples.clock import utcnow
from couples.extensions import db
from couples.notifications import reminders
from couples.notifications.models import Notification
from couples.notifications.services import inbox, notify, prune
from tests.factories import make_user

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _note(user, key, *, status="sent", read=False, in_inbox=True):
    """A notification made now (as time-machine has it), then brought to ``status``."""
    notify(
        user=user,
        kind="bid_received",
        dedupe_key=key,
        title="A bid",
        body="Your partner reached out.",
        now=utcnow(),
        in_inbox=in_inbox,
    )
    note = db.session.execute(db.select(Notification).filter_by(dedupe_key=key)).scalar_one()
    note.status = status
    note.read_at = utcnow() if read else None
    db.session.commit()
    return note.id


def _keys():
    return sorted(db.session.execute(db.select(Notification.dedupe_key)).scalars())


def test_the_tick_deletes_notifications_past_ninety_days_read_or_not(ctx):
    with time_machine.travel(START, tick=False):
        user = make_user(email="kim@example.com")
        _note(user, "old-read", read=True)
        _note(user, "old-unread")
        _note(user, "old-inbox-only", status="inbox")
        _note(user, "old-capped", status="capped")
        _note(user, "old-dead", status="dead")
        _note(user, "old-expired", status="expired")
        _note(user, "old-not-in-inbox", in_inbox=False)
    with time_machine.travel(START + timedelta(days=10), tick=False):
        _note(user, "recent")
    with time_machine.travel(START + timedelta(days=90) - timedelta(minutes=1), tick=False):
        reminders.tick(now=utcnow())
        assert len(_keys()) == 8  # 90 days are not over yet
    with time_machine.travel(START + timedelta(days=90, minutes=1), tick=False):
        reminders.tick(now=utcnow())
    assert _keys() == ["recent"]
    assert [n.dedupe_key for n in inbox(user_id=user.id)[0]] == ["recent"]


def test_what_is_still_to_be_sent_stays_however_old(ctx):
    with time_machine.travel(START, tick=False):
        user = make_user(email="kim@example.com")
        _note(user, "pending", status="pending")
        _note(user, "sending", status="sending")
        _note(user, "sent")
    with time_machine.travel(START + timedelta(days=200), tick=False):
        reminders.tick(now=utcnow())
    assert _keys() == ["pending", "sending"]


def test_the_retention_is_a_setting_of_a_week_at_least(make_app):
    # made on days 0, 20 and 26; the tick runs on day 31
    for days, kept in ((30, ["day-20", "day-26"]), (1, ["day-26"])):  # 1 counts as 7
        app = make_app(NOTIFICATION_RETENTION_DAYS=days)
        with app.app_context():
            db.session.execute(db.delete(Notification))
            db.session.commit()
            user = make_user(email=f"kim{days}@example.com")
            for day in (0, 20, 26):
                with time_machine.travel(START + timedelta(days=day), tick=False):
                    _note(user, f"day-{day}")
            with time_machine.travel(START + timedelta(days=31), tick=False):
                reminders.tick(now=utcnow())
            assert _keys() == kept


def test_a_backlog_goes_a_small_batch_at_a_time(ctx):
    with time_machine.travel(START, tick=False):
        user = make_user(email="kim@example.com")
        for n in range(5):
            _note(user, f"old-{n}")
    later = START + timedelta(days=100)
    assert prune(now=later, batch=2, rounds=2) == 4  # two statements of two rows
    assert len(_keys()) == 1
    assert prune(now=later, batch=2, rounds=2) == 1
    assert prune(now=later, batch=2, rounds=2) == 0
    assert _keys() == []
