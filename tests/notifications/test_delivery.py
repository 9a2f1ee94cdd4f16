"""Delivery through a push service that really checks VAPID and decrypts the message."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from couples.extensions import db
from couples.notifications import delivery, payload
from couples.notifications.models import Notification, PushSubscription
from couples.notifications.services import notify
from tests.factories import make_user, push_device

NOON = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def _user(email="alex@example.com", **settings):
    user = make_user(email=email, display_name="Alex", timezone="UTC")
    for name, value in settings.items():
        setattr(user, name, value)
    db.session.commit()
    return user


def _notify(user, kind="bid_received", key="1", now=NOON, **extra):
    notify(
        user=user,
        kind=kind,
        dedupe_key=key,
        title="Sam sent you a bid",
        body="Sam would like a moment with you.",
        url="/bids",
        now=now,
        **extra,
    )
    return db.session.execute(
        db.select(Notification).filter_by(dedupe_key=key, kind=kind)
    ).scalar_one()


def _deliver(at):
    return delivery.deliver_due(now_fn=lambda: at)


@pytest.fixture
def ctx(push_app):
    with push_app.app_context():
        yield push_app


def test_the_push_service_decrypts_exactly_our_payload(ctx, fake_push):
    user = _user()
    sub_id, endpoint = push_device(user, fake_push)
    note = _notify(user)
    assert _deliver(NOON)["sent"] == 1
    (received,) = fake_push.for_endpoint(endpoint)
    expected = payload.build(
        title="Sam sent you a bid",
        body="Sam would like a moment with you.",
        url="/bids",
        base_url="http://localhost",
        kind="bid_received",
        tag=f"bid_received-{note.id}",
    )
    assert received.plaintext == expected
    assert received.message["notification"]["navigate"] == "http://localhost/bids"
    assert received.claims["aud"] == fake_push.origin
    assert received.claims["sub"] == "mailto:ops@couples.test"
    assert received.headers["content-encoding"] == "aes128gcm"
    assert received.headers["urgency"] == "normal"
    assert int(received.headers["ttl"]) > 0
    assert "topic" not in received.headers  # a message with content of its own
    db.session.refresh(note)
    assert (note.status, note.delivered_to) == ("sent", [sub_id])
    assert fake_push.rejected == []


def test_reminders_carry_a_topic_and_live_until_the_end_of_the_evening(ctx, fake_push):
    user = _user()
    _, endpoint = push_device(user, fake_push)
    evening = datetime(2026, 6, 15, 21, 0, tzinfo=UTC)
    _notify(
        user, kind="checkin_reminder", key="checkin:2026-06-15", now=evening, topic_key="2026-06-15"
    )
    _deliver(evening)
    (received,) = fake_push.for_endpoint(endpoint)
    assert received.headers["topic"] == payload.topic_for("checkin_reminder", "2026-06-15")
    assert int(received.headers["ttl"]) == 3 * 3600  # until local midnight


def test_gone_and_not_found_delete_the_subscription(ctx, fake_push):
    user = _user()
    push_device(user, fake_push, "gone")
    push_device(user, fake_push, "notfound")
    _notify(user)
    _deliver(NOON)
    assert db.session.query(PushSubscription).count() == 0


def test_429_is_retried_no_sooner_than_retry_after(ctx, fake_push):
    user = _user()
    _, endpoint = push_device(user, fake_push, "ratelimit:600")
    note = _notify(user)
    assert _deliver(NOON)["retry"] == 1
    db.session.refresh(note)
    assert note.status == "pending"
    assert note.next_attempt_at >= NOON + timedelta(seconds=600)
    assert _deliver(NOON + timedelta(seconds=599)) == {"claimed": 0}
    assert _deliver(NOON + timedelta(seconds=601))["sent"] == 1
    assert len(fake_push.for_endpoint(endpoint)) == 1


def test_500_is_retried_with_backoff_then_dead(make_app, fake_push, vapid_keys):
    app = make_app(
        VAPID_PRIVATE_KEY=vapid_keys[0],
        PUSH_ALLOWED_ENDPOINTS=[fake_push.origin],
        PUSH_MAX_ATTEMPTS=3,
    )
    with app.app_context():
        user = _user()
        push_device(user, fake_push, "error", "error", "error", "error")
        note = _notify(user)
        at, waits = NOON, []
        for _ in range(3):
            _deliver(at)
            db.session.refresh(note)
            if note.status != "pending":
                break
            waits.append((note.next_attempt_at - at).total_seconds())
            at = note.next_attempt_at
        assert note.status == "dead" and note.attempts == 3
        assert "500" in note.last_error
        assert len(waits) == 2 and waits[0] >= 15 and waits[1] > waits[0] / 2


def test_a_timeout_counts_as_a_retryable_failure(make_app, fake_push, vapid_keys):
    app = make_app(
        VAPID_PRIVATE_KEY=vapid_keys[0], PUSH_ALLOWED_ENDPOINTS=[fake_push.origin], PUSH_TIMEOUT=0.5
    )
    with app.app_context():
        user = _user()
        push_device(user, fake_push, "hang")
        note = _notify(user)
        assert _deliver(NOON)["retry"] == 1
        db.session.refresh(note)
        assert note.status == "pending" and note.last_error == "timeout"


def test_other_4xx_fails_without_retry_and_three_in_a_row_remove_thepush_device(ctx, fake_push):
    user = _user()
    sub_id, endpoint = push_device(user, fake_push, "badrequest", "badrequest", "badrequest")
    for n in range(3):
        note = _notify(user, key=str(n))
        _deliver(NOON)
        db.session.refresh(note)
        assert note.status == "failed"
        remaining = db.session.get(PushSubscription, sub_id)
        if n < 2:
            assert remaining.failures == n + 1
    assert db.session.get(PushSubscription, sub_id) is None
    assert len(fake_push.for_endpoint(endpoint)) == 0


def test_a_retry_goes_only_to_the_device_that_failed(ctx, fake_push):
    user = _user()
    _, steady = push_device(user, fake_push)
    _, flaky = push_device(user, fake_push, "error")
    note = _notify(user)
    _deliver(NOON)
    db.session.refresh(note)
    assert note.status == "pending" and len(note.delivered_to) == 1
    _deliver(note.next_attempt_at)
    assert len(fake_push.for_endpoint(steady)) == 1
    assert len(fake_push.for_endpoint(flaky)) == 1
    db.session.refresh(note)
    assert note.status == "sent" and len(note.delivered_to) == 2


def test_redirects_are_never_followed(ctx, fake_push):
    user = _user()
    push_device(user, fake_push, "redirect")
    note = _notify(user)
    _deliver(NOON)
    assert not any(path == "/elsewhere" for path in fake_push.attempts)
    db.session.refresh(note)
    assert note.status == "failed"


def test_nothing_goes_to_an_endpoint_outside_the_allow_list(ctx, fake_push):
    user = _user()
    _, endpoint = push_device(user, fake_push)
    ctx.config["PUSH_ALLOWED_ENDPOINTS"] = ["https://fcm.googleapis.com"]
    _notify(user)
    _deliver(NOON)
    assert fake_push.attempts == {}


def test_the_vapid_header_is_reused_per_origin(ctx, fake_push):
    user = _user()
    _, first = push_device(user, fake_push)
    _, second = push_device(user, fake_push)
    _notify(user, key="a")
    _notify(user, key="b")
    _deliver(NOON)
    tokens = {r.headers["authorization"] for r in fake_push.received}
    assert len(fake_push.received) == 4 and len(tokens) == 1


def test_discreet_pushes_say_nothing_of_who_or_what(ctx, fake_push):
    user = _user(discreet=True)
    _, endpoint = push_device(user, fake_push)
    _notify(user)
    _deliver(NOON)
    (received,) = fake_push.for_endpoint(endpoint)
    assert received.message["notification"]["title"] == "Couples"
    assert b"Sam" not in received.plaintext


def test_an_expired_notification_is_not_pushed(ctx, fake_push):
    user = _user()
    push_device(user, fake_push)
    note = _notify(user)
    _deliver(NOON + timedelta(days=2))
    db.session.refresh(note)
    assert note.status == "expired" and fake_push.received == []


def test_quiet_hours_defer_delivery_to_their_end(ctx, fake_push):
    user = _user()
    push_device(user, fake_push)
    late = datetime(2026, 6, 15, 23, 0, tzinfo=UTC)
    note = _notify(user, now=late)
    assert note.next_attempt_at == datetime(2026, 6, 16, 7, 30, tzinfo=UTC)
    assert _deliver(late + timedelta(minutes=5)) == {"claimed": 0}
    assert _deliver(note.next_attempt_at)["sent"] == 1


def test_a_paused_repair_that_is_over_may_wake_someone(ctx, fake_push):
    user = _user()
    late = datetime(2026, 6, 15, 23, 0, tzinfo=UTC)
    note = _notify(user, kind="repair_timeout_over", now=late)
    assert note.next_attempt_at == late


def test_the_daily_cap_holds(ctx, fake_push):
    user = _user()
    push_device(user, fake_push)
    statuses = [
        _notify(user, kind="appreciation_nudge", key=str(n), now=NOON + timedelta(minutes=n)).status
        for n in range(8)
    ]
    assert statuses == ["pending"] * 6 + ["capped"] * 2
    # a new local day starts a new count
    nudge = _notify(user, kind="appreciation_nudge", key="next", now=NOON + timedelta(days=1))
    assert nudge.status == "pending"


def test_the_cap_never_holds_what_the_partner_did_or_a_repair(ctx, fake_push):
    """One short repair and a few nudges must not silence the next step of the repair,
    the pause's end, a bid or an appreciation."""
    user = _user()
    push_device(user, fake_push)
    for n in range(6):
        _notify(user, kind="appreciation_nudge", key=str(n), now=NOON)
    assert _notify(user, kind="partner_checked_in", key="x", now=NOON).status == "capped"
    for kind in (
        "repair_started",
        "repair_your_turn",
        "repair_timeout_over",
        "repair_follow_up",
        "bid_received",
        "bid_answered",
        "appreciation_received",
    ):
        assert _notify(user, kind=kind, key="after the cap", now=NOON).status == "pending", kind
    # ...and they leave room for the day's reminders.
    fresh = _user(email="sam@example.com")
    for n, kind in enumerate(("repair_started", "bid_received", "appreciation_received")):
        _notify(fresh, kind=kind, key=str(n), now=NOON)
    nudges = [_notify(fresh, kind="appreciation_nudge", key=f"n{n}", now=NOON) for n in range(6)]
    assert [n.status for n in nudges] == ["pending"] * 6


def test_a_kind_turned_off_stays_in_the_inbox_without_a_push(ctx, fake_push):
    user = _user(kinds_off=["bid_received"])
    push_device(user, fake_push)
    note = _notify(user)
    assert (note.status, note.push) == ("inbox", False)
    assert _deliver(NOON) == {"claimed": 0}


def test_a_lease_that_runs_out_makes_the_row_due_again(ctx, fake_push):
    user = _user()
    push_device(user, fake_push)
    note = _notify(user)
    assert delivery.claim(now=NOON, limit=10, lease_seconds=60).ids == [note.id]
    # the worker died here: nothing is claimed again while the lease holds
    assert delivery.claim(now=NOON + timedelta(seconds=59), limit=10, lease_seconds=60).ids == []
    assert delivery.claim(now=NOON + timedelta(seconds=61), limit=10, lease_seconds=60).ids == [
        note.id
    ]


def test_creating_the_same_notification_twice_is_a_no_op(ctx):
    user = _user()
    assert notify(user=user, kind="bid_received", dedupe_key="x", title="t", body="b", now=NOON)
    assert not notify(user=user, kind="bid_received", dedupe_key="x", title="t", body="b", now=NOON)
    assert db.session.query(Notification).count() == 1


def test_payload_json_is_valid_in_every_delivered_message(ctx, fake_push):
    user = _user()
    push_device(user, fake_push)
    for n in range(3):
        _notify(user, key=str(n))
    _deliver(NOON)
    assert all(json.loads(r.plaintext)["web_push"] == 8030 for r in fake_push.received)


def test_a_device_removed_before_its_push_went_out_is_not_counted_as_sent(ctx, fake_push):
    """The only device was removed after the notification was made: nothing reaches it,
    and the notification stays in the inbox, not counted among the day's pushes."""
    user = _user()
    sub_id, endpoint = push_device(user, fake_push)
    note = _notify(user)
    db.session.delete(db.session.get(PushSubscription, sub_id))
    db.session.commit()
    assert _deliver(NOON)["inbox"] == 1
    db.session.refresh(note)
    assert (note.status, note.sent_at, note.delivered_to) == ("inbox", None, [])
    assert fake_push.for_endpoint(endpoint) == []


def test_a_push_to_a_device_removed_meanwhile_does_not_count(ctx, fake_push, monkeypatch):
    """Removed while its push was on the way: what went to it is not the user's any
    more, so the notification is not recorded as sent to them."""
    user = _user()
    sub_id, _ = push_device(user, fake_push)
    note = _notify(user)
    send = delivery._send

    def removed_meanwhile(job, vapid, timeout):
        result = send(job, vapid, timeout)
        with ctx.app_context():
            db.session.execute(db.delete(PushSubscription).where(PushSubscription.id == sub_id))
            db.session.commit()
        return result

    monkeypatch.setattr(delivery, "_send", removed_meanwhile)
    assert _deliver(NOON)["inbox"] == 1
    db.session.refresh(note)
    assert (note.status, note.delivered_to) == ("inbox", [])
