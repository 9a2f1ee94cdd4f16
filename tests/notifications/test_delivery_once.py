"""Each push exactly once, with no crash at all: a batch that would outlive its lease
stops starting pushes in time, so a worker that claims its rows next never sends one a
second time; and a push service that answers a byte at a time cannot hold a batch past
the push's deadline."""

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest

from couples.clock import utcnow
from couples.config import ConfigError
from couples.extensions import db
from couples.notifications import delivery
from couples.notifications.models import Notification
from couples.notifications.services import notify, subscribe
from tests.factories import make_user
from tests.fakepush import FakePushService

pytestmark = pytest.mark.slow

NOTES = 200


@pytest.fixture
def slow_push():
    service = FakePushService(latency=0.1).start()
    yield service
    service.stop()


def _awake_user(email="alex@example.com"):
    """A user with no quiet hours: pushes go at once, whatever the time of day."""
    user = make_user(email=email, display_name="Alex", timezone="UTC")
    user.quiet_start_minute = user.quiet_end_minute = 0
    db.session.commit()
    return user


def _one_device(service, *script):
    """A user with no quiet hours and one device, answering as ``script`` says."""
    user = _awake_user()
    info = service.subscribe(*script)
    subscribe(
        user=user,
        endpoint=info["endpoint"],
        p256dh=info["keys"]["p256dh"],
        auth=info["keys"]["auth"],
    )
    return user


def test_two_workers_send_each_push_once_when_a_batch_outlives_its_lease(
    make_app, slow_push, vapid_keys
):
    """200 pushes at 0.1 s on 2 threads take 10 s, longer than the 8 s lease of the one
    batch that claims them all. The batch starts pushes only while its lease can cover
    them; what it could not start goes back to the queue, and the second worker (or the
    first, again) sends it. No push is sent twice."""
    app = make_app(
        VAPID_PRIVATE_KEY=vapid_keys[0],
        PUSH_ALLOWED_ENDPOINTS=[slow_push.origin],
        PUSH_TIMEOUT=3,
        PUSH_LEASE_SECONDS=8,
        PUSH_THREADS=2,
        PUSH_BATCH=NOTES,
    )
    with app.app_context():
        user = _one_device(slow_push)
        now = utcnow()
        for n in range(NOTES):
            notify(
                user=user,
                kind="bid_received",
                dedupe_key=f"bid:{n}",
                title="Sam sent you a bid",
                body="A moment together?",
                url="/bids",
                now=now,
                commit=False,
            )
        db.session.commit()
        db.session.remove()

    done = threading.Event()
    errors = []

    def worker():
        with app.app_context():
            try:
                while not done.is_set():
                    if not delivery.deliver_due()["claimed"]:
                        time.sleep(0.05)
            except Exception as error:  # noqa: BLE001 (reported below)
                errors.append(error)
            finally:
                db.session.remove()

    workers = [threading.Thread(target=worker) for _ in range(2)]
    for thread in workers:
        thread.start()
    try:
        with app.app_context():
            bound = time.monotonic() + 120  # a stuck run fails here; a slow one does not
            while time.monotonic() < bound:
                statuses = Counter(db.session.execute(db.select(Notification.status)).scalars())
                db.session.rollback()
                if statuses == {"sent": NOTES}:
                    break
                time.sleep(0.2)
    finally:
        done.set()
        for thread in workers:
            thread.join(timeout=60)
    assert errors == []
    assert statuses == {"sent": NOTES}
    tags = Counter(r.message["notification"]["tag"] for r in slow_push.received)
    assert len(tags) == NOTES
    assert max(tags.values()) == 1, [tag for tag, n in tags.items() if n > 1]
    with app.app_context():
        # Rows that went back to the queue untried did not use up an attempt.
        attempts = db.session.execute(db.select(Notification.attempts)).scalars().all()
        assert max(attempts) <= 2


def test_a_push_service_that_trickles_its_answer_hits_the_deadline(make_app, fake_push, vapid_keys):
    """Each read gets a byte within half a second, so a per-read timeout never fires; the
    whole push still ends at its deadline and is retried later."""
    app = make_app(
        VAPID_PRIVATE_KEY=vapid_keys[0], PUSH_ALLOWED_ENDPOINTS=[fake_push.origin], PUSH_TIMEOUT=1
    )
    with app.app_context():
        user = _one_device(fake_push, "trickle")
        now = utcnow()
        notify(
            user=user,
            kind="bid_received",
            dedupe_key="bid:1",
            title="Sam sent you a bid",
            body="A moment together?",
            url="/bids",
            now=now,
        )
        result = delivery.deliver_due(now_fn=lambda: now)
        assert result["retry"] == 1, result
        note = db.session.execute(db.select(Notification)).scalar_one()
        assert note.status == "pending" and note.last_error == "timeout"
        assert note.next_attempt_at > now + timedelta(seconds=1)
    # The service saw the sender hang up before its answer was complete.
    bound = time.monotonic() + 30
    while fake_push.hung_up == 0 and time.monotonic() < bound:
        time.sleep(0.1)
    assert (fake_push.hung_up, fake_push.trickled) == (1, 0)


@pytest.mark.parametrize(("lease", "timeout"), [(20, 10), (5, 3), (60, 0)])
def test_a_lease_too_short_for_the_push_deadline_is_refused_at_start(make_app, lease, timeout):
    with pytest.raises(ConfigError, match="PUSH_LEASE_SECONDS"):
        make_app(PUSH_LEASE_SECONDS=lease, PUSH_TIMEOUT=timeout)


def test_what_a_short_lease_could_not_start_keeps_its_place_in_the_queue(
    make_app, fake_push, vapid_keys
):
    """A row put back untried is due when it was due before: behind it, what fell due
    later waits its turn, instead of the row sliding to the back claim after claim."""
    app = make_app(
        VAPID_PRIVATE_KEY=vapid_keys[0],
        PUSH_ALLOWED_ENDPOINTS=[fake_push.origin],
        PUSH_TIMEOUT=3,
    )
    with app.app_context():
        user = _one_device(fake_push)
        start = utcnow()
        for n, minutes in enumerate((30, 10)):
            notify(
                user=user,
                kind="bid_received",
                dedupe_key=f"bid:{n}",
                title="Sam sent you a bid",
                body="A moment together?",
                url="/bids",
                now=start - timedelta(minutes=minutes),
                commit=False,
            )
        db.session.commit()
        before = dict(
            db.session.execute(
                db.select(Notification.dedupe_key, Notification.next_attempt_at)
            ).all()
        )
        # A lease too short for any push to start: the oldest goes back untried.
        leased = delivery.claim(now=utcnow(), limit=1, lease_seconds=1)
        result = delivery.deliver(leased)
        assert result["requeued"] == 1 and fake_push.received == []
        after = dict(
            db.session.execute(
                db.select(Notification.dedupe_key, Notification.next_attempt_at)
            ).all()
        )
        assert after == before
        # The oldest is still first in line.
        again = delivery.claim(now=utcnow(), limit=1, lease_seconds=60)
        first = db.session.get(Notification, again.ids[0])
        assert first.dedupe_key == "bid:0"
        db.session.remove()
