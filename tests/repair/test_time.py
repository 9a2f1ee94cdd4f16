"""Time in a repair: follow-up days are whole days of elapsed time from the moment the
plan was complete, and a pause lasts exactly the minutes chosen, across daylight-saving
changes on either partner's side. Instants travel as UTC with an offset."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from couples.notifications import reminders
from tests.factories import notifications_of
from tests.repair.helpers import (
    HEARING,
    PLAN_HURT,
    assert_problem,
    call,
    follow_ups,
    open_repair,
    sides,
    step,
    view,
    walk,
)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# New York springs forward on 8 March 2026 and falls back on 1 November; London on
# 29 March and 25 October.
@pytest.mark.parametrize(
    "planned, days",
    [
        (utc("2026-03-06 17:00"), 3),  # across New York's spring forward
        (utc("2026-03-27 23:30"), 3),  # across London's, late in the evening
        (utc("2026-10-22 17:00"), 7),  # across London's and then New York's fall back
    ],
)
def test_follow_ups_fall_whole_days_after_the_plan_across_a_dst_change(couple, planned, days):
    couple.link()
    with couple.at(planned) as (alex, sam):
        rid = open_repair(alex)
        hurt, sorry = sides(alex, sam, "apologizing")
        walk(hurt, sorry, rid, "plan")
        step(hurt, rid, "plan", PLAN_HURT)
        step(
            sorry,
            rid,
            "plan",
            {
                "my_part": "Mine.",
                "commitments": [
                    {"text": "Next time, I will ask.", "owner": "me", "follow_up_days": [days]}
                ],
            },
        )
        (follow_up,) = follow_ups(walk(hurt, sorry, rid, "following_through", start="reconnect"))
    due = planned + timedelta(days=days)
    assert follow_up["due_at"] == due.isoformat() and follow_up["due_at"].endswith("+00:00")
    url = f"{rid}/follow-ups/{follow_up['id']}"
    with couple.at(due - timedelta(seconds=1)) as (alex, sam):
        hurt, sorry = sides(alex, sam, "apologizing")
        (seen,) = follow_ups(view(hurt, rid))
        assert seen["open"] is False and view(hurt, rid)["next_actor"] is None
        assert_problem(hurt.post(f"/api/v1/repairs/{url}", json={"outcome": "kept"}), 409)
    with couple.app.app_context():
        reminders.tick(now=due - timedelta(seconds=1))
    assert notifications_of(couple.app, "alex@example.com", "repair_follow_up") == []
    with couple.app.app_context():
        reminders.tick(now=due)
    for email in ("alex@example.com", "sam@example.com"):
        (reminder,) = notifications_of(couple.app, email, "repair_follow_up")
        assert reminder.created_at == due
    with couple.at(due) as (alex, sam):
        hurt, sorry = sides(alex, sam, "apologizing")
        assert view(hurt, rid)["next_actor"] == "both"
        call(hurt, url, {"outcome": "kept"})
        assert call(sorry, url, {"outcome": "kept"})["state"] == "resolved"


@pytest.mark.parametrize(
    "paused, minutes",
    [
        (utc("2026-03-08 06:50"), 20),  # 01:50 in New York: back at 03:10, 20 minutes later
        (utc("2026-11-01 05:30"), 60),  # 01:30 EDT in New York: back at 01:30 EST
        (utc("2026-10-24 12:00"), 1440),  # a whole day across London's fall back
    ],
)
def test_a_pause_lasts_the_minutes_chosen_across_a_dst_change(couple, paused, minutes):
    couple.link()
    back = paused + timedelta(minutes=minutes)
    with couple.at(paused) as (alex, sam):
        rid = open_repair(alex)
        hurt, sorry = sides(alex, sam, "apologizing")
        walk(hurt, sorry, rid, "hearing")
        data = call(sorry, f"{rid}/pause", {"minutes": minutes})
        assert data["paused_until"] == back.isoformat()
        assert data["steps"][-1]["written"] == {"minutes": minutes, "until": back.isoformat()}
    with couple.at(back - timedelta(seconds=1)) as (alex, sam):
        hurt, sorry = sides(alex, sam, "apologizing")
        for who in (hurt, sorry):
            data = view(who, rid)
            assert (data["paused_until"], data["next_actor"]) == (back.isoformat(), None)
        assert_problem(
            hurt.post(f"/api/v1/repairs/{rid}/steps/hearing", json=HEARING), 409, "repair-paused"
        )
    with couple.at(back) as (alex, sam):
        hurt, sorry = sides(alex, sam, "apologizing")
        # Over at the return time, whether or not the clock has come round yet.
        assert (view(hurt, rid)["paused_until"], view(hurt, rid)["next_actor"]) == (None, "me")
        assert view(sorry, rid)["next_actor"] == "partner"
        data = step(hurt, rid, "hearing", HEARING)
        assert data["state"] == "reflect"
        resumed = [s for s in data["steps"] if s["action"] == "resume"]
        assert [(s["by"], s["at"]) for s in resumed] == [(None, back.isoformat())]


def test_a_pause_ends_with_the_clock_at_its_return_time_when_nobody_acts(couple):
    couple.link()
    paused = utc("2026-03-08 06:50")
    back = paused + timedelta(minutes=20)
    with couple.at(paused) as (alex, sam):
        rid = open_repair(alex)
        walk(sam, alex, rid, "apology")
        call(alex, f"{rid}/pause", {"minutes": 20})
    for at in (back - timedelta(minutes=1), back, back + timedelta(minutes=1)):
        with time_machine.travel(at, tick=False), couple.app.app_context():
            reminders.tick(now=at)
    with couple.at(back + timedelta(minutes=2)) as (alex, sam):
        data = view(alex, rid)
        resumed = [s for s in data["steps"] if s["action"] == "resume"]
        assert [(s["by"], s["at"], s["state_before"], s["state_after"]) for s in resumed] == [
            (None, back.isoformat(), "apology", "apology")
        ]
        assert (data["paused_until"], data["next_actor"]) == (None, "me")
    for email in ("alex@example.com", "sam@example.com"):
        (over,) = notifications_of(couple.app, email, "repair_timeout_over")
        assert over.created_at == back
