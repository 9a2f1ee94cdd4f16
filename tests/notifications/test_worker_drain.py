"""A delivery lane stops only after a claim made once the tick is over: a claim that began
before the tick's last commit cannot see it, and what that commit queued would wait for
the next round."""

import threading
import time
from datetime import UTC, datetime

import time_machine

from couples.accounts.models import User
from couples.extensions import db
from couples.notifications import delivery, worker
from couples.notifications.services import notify, subscribe
from tests.factories import make_user

NOON = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


class TickEndingDuringAClaim:
    """Stands in for the tick's event: the tick commits one last notification while the
    lane's claim is under way (just before the lane looks), and is over when it looks."""

    def __init__(self, app, user_id: int):
        self.app, self.user_id, self.looks = app, user_id, 0

    def is_set(self) -> bool:
        self.looks += 1
        if self.looks == 1:
            with self.app.app_context():
                notify(
                    user=db.session.get(User, self.user_id),
                    kind="bid_received",
                    dedupe_key="last",
                    title="Sam sent you a bid",
                    body="Sam would like a moment with you.",
                    url="/bids",
                    now=NOON,
                )
        return False

    def wait(self, timeout=None) -> bool:
        return False


def test_a_lane_claims_once_more_after_the_tick_is_over(push_app, fake_push):
    with time_machine.travel(NOON, tick=False):
        with push_app.app_context():
            user = make_user(email="alex@example.com", display_name="Alex", timezone="UTC")
            info = fake_push.subscribe()
            subscribe(
                user=user,
                endpoint=info["endpoint"],
                p256dh=info["keys"]["p256dh"],
                auth=info["keys"]["auth"],
            )
            user_id = user.id
        tick = TickEndingDuringAClaim(push_app, user_id)
        claimed, sent = worker._drain(push_app, tick)
    assert tick.looks == 1
    assert (claimed, sent) == (1, 1)
    (received,) = fake_push.for_endpoint(info["endpoint"])
    assert received.message["notification"]["title"] == "Sam sent you a bid"


def test_a_lane_waits_between_claims_while_the_tick_runs(push_app, monkeypatch):
    """While the tick is making notifications and nothing is due yet, a lane claims now
    and then, not in a loop: spinning took the CPU and the write lock the tick needs."""
    claims = []
    real = delivery.deliver_due

    def counted(**kwargs):
        claims.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(delivery, "deliver_due", counted)
    ticking = threading.Event()
    ticking.set()
    lane = threading.Thread(target=worker._drain, args=(push_app, ticking))
    lane.start()
    time.sleep(0.5)  # a slow machine claims less often in this time, never more
    ticking.clear()
    lane.join(timeout=30)
    assert not lane.is_alive()
    # At most one claim per pause, and the last claim after the tick is over.
    assert 1 <= len(claims) <= 0.5 / worker.DRAIN_PAUSE + 2
