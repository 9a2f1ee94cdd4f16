"""Two partners (or two tabs) acting on one repair at the same moment are taken one
after the other: the state moves once, every action is recorded once, commitments are
made once, and the record reads as one unbroken chain of states.

Many rounds on PostgreSQL (``COUPLES_TEST_DATABASE_URL``), a few on SQLite, which
serialises writers anyway. Each round uses a fresh repair."""

import threading
from datetime import timedelta
from types import SimpleNamespace

import pytest
import time_machine

from couples.extensions import db
from couples.notifications import reminders
from couples.notifications.models import Notification
from couples.repair.models import Commitment, FollowUp, FollowUpAnswer, Repair, RepairStep
from tests.conftest import PG_URL
from tests.repair.helpers import (
    HEARING,
    PLAN_HURT,
    START,
    follow_ups,
    login,
    open_repair,
    step,
    walk,
)

ROUNDS = 20 if PG_URL else 5
COMMITTED_HURT = {
    "my_part": "I went quiet.",
    "commitments": [{"text": "Next time, I will say it the same evening.", "owner": "me"}],
}
COMMITTED_SORRY = {
    "my_part": "I kept scrolling.",
    "commitments": [
        {"text": "Next time we eat, I will leave my phone in the hall.", "owner": "me"},
        {"text": "Next time, you remind me kindly.", "owner": "partner", "follow_up_days": [5]},
    ],
}


def race(*jobs):
    """Run each job (a function of no arguments) in its own thread, all released at once;
    returns their results in order."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        barrier.wait(timeout=30)
        try:
            results[index] = job()
        except Exception as error:  # noqa: BLE001 (reported as the result)
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), "a request hung"
    return results


def posting(client, path, body=None):
    return lambda: client.post(f"/api/v1/repairs/{path}", json=body if body is not None else {})


def statuses(results):
    assert not [r for r in results if isinstance(r, Exception)], results
    return [r.status_code for r in results]


def stored(app, rid: str) -> SimpleNamespace:
    """The repair ``rid`` as the database holds it."""
    with app.app_context():
        repair = db.session.execute(db.select(Repair).filter_by(public_id=rid)).scalar_one()
        steps = [
            (s.action, s.user_id, s.state_before, s.state_after)
            for s in db.session.execute(
                db.select(RepairStep).filter_by(repair_id=repair.id).order_by(RepairStep.id)
            ).scalars()
        ]
        count = {
            model.__tablename__: len(
                db.session.execute(db.select(model.id).filter_by(repair_id=repair.id)).all()
            )
            for model in (Commitment, FollowUp)
        }
        answers = len(
            db.session.execute(
                db.select(FollowUpAnswer.id).join(FollowUp).where(FollowUp.repair_id == repair.id)
            ).all()
        )
        told = [
            (n.user_id, n.kind, n.dedupe_key)
            for n in db.session.execute(db.select(Notification).order_by(Notification.id)).scalars()
            if (n.data or {}).get("repair") == rid
        ]
        out = SimpleNamespace(
            state=repair.state,
            paused=repair.paused_until is not None,
            ready=sorted(repair.ready_roles or []),
            plan_parts=dict(repair.plan_parts or {}),
            steps=steps,
            commitments=count["repair_commitments"],
            follow_ups=count["repair_follow_ups"],
            answers=answers,
            told=told,
            apologizing=repair.apologizing_id,
            hurt=repair.hurt_id,
        )
        db.session.remove()
    return out


def assert_one_chain(record) -> None:
    """Each step starts in the state the one before it left."""
    for earlier, later in zip(record.steps, record.steps[1:], strict=False):
        assert later[2] == earlier[3], record.steps


@pytest.fixture
def partners(couple):
    """Alex (apologizing) and Sam (hurt), logged in at START, with the clock held there."""
    couple.link()
    with couple.at(START) as (alex, sam), time_machine.travel(START, tick=False) as clock:
        alex.csrf(), sam.csrf()
        yield SimpleNamespace(app=couple.app, sorry=alex, hurt=sam, clock=clock)


def test_both_saying_ready_at_once_move_to_hearing_once(partners):
    p = partners
    for _ in range(ROUNDS):
        rid = open_repair(p.sorry)
        results = race(
            posting(p.sorry, f"{rid}/steps/ready"),
            posting(p.hurt, f"{rid}/steps/ready", {"view": "hurt"}),
        )
        assert statuses(results) == [200, 200], [r.get_json() for r in results]
        record = stored(p.app, rid)
        assert record.state == "hearing" and record.ready == ["apologizing", "hurt"]
        readies = [s for s in record.steps if s[0] == "ready"]
        assert sorted(s[1] for s in readies) == sorted([record.apologizing, record.hurt])
        assert [s[3] for s in readies] == ["ready", "hearing"]
        assert_one_chain(record)
        # the hurt partner is told it is their turn at most once (when the other was last)
        turns = [t for t in record.told if t[1] == "repair_your_turn"]
        assert len(turns) <= 1 and all(t[0] == record.hurt for t in turns)


def test_the_same_step_from_two_tabs_at_once_is_taken_once(partners):
    p = partners
    tab = login(p.app, "sam@example.com")
    tab.csrf()
    for _ in range(ROUNDS):
        rid = open_repair(p.sorry)
        walk(p.hurt, p.sorry, rid, "hearing")
        results = race(
            posting(p.hurt, f"{rid}/steps/hearing", HEARING),
            posting(tab, f"{rid}/steps/hearing", HEARING),
        )
        assert sorted(statuses(results)) == [200, 409]
        record = stored(p.app, rid)
        assert record.state == "reflect"
        assert [s[0] for s in record.steps].count("hearing") == 1
        turns = [
            t for t in record.told if t[1] == "repair_your_turn" and t[0] == record.apologizing
        ]
        assert len(turns) == 1  # told once that saying back what they heard is theirs
        assert_one_chain(record)


def test_both_plan_parts_at_once_complete_the_plan_once(partners):
    p = partners
    for _ in range(ROUNDS):
        rid = open_repair(p.sorry)
        walk(p.hurt, p.sorry, rid, "plan")
        results = race(
            posting(p.sorry, f"{rid}/steps/plan", COMMITTED_SORRY),
            posting(p.hurt, f"{rid}/steps/plan", COMMITTED_HURT),
        )
        assert statuses(results) == [200, 200], [r.get_json() for r in results]
        record = stored(p.app, rid)
        assert record.state == "reconnect"
        plans = [s for s in record.steps if s[0] == "plan"]
        assert len(plans) == 2 and [s[3] for s in plans] == ["plan", "reconnect"]
        assert record.commitments == 3 and record.follow_ups == 2 + 1 + 2
        assert record.plan_parts == {"apologizing": 2, "hurt": 1}
        assert_one_chain(record)


def test_two_plan_parts_without_a_commitment_at_once_cannot_both_pass(partners):
    p = partners
    bare_sorry = {"my_part": "I kept scrolling."}
    for _ in range(ROUNDS):
        rid = open_repair(p.sorry)
        walk(p.hurt, p.sorry, rid, "plan")
        results = race(
            posting(p.sorry, f"{rid}/steps/plan", bare_sorry),
            posting(p.hurt, f"{rid}/steps/plan", PLAN_HURT),
        )
        assert sorted(statuses(results)) == [200, 422]
        record = stored(p.app, rid)
        assert record.state == "plan" and record.commitments == 0
        assert len([s for s in record.steps if s[0] == "plan"]) == 1


def test_both_answering_the_last_follow_up_at_once_resolve_the_repair_once(partners):
    p = partners
    one_follow_up = {
        "my_part": "I kept scrolling.",
        "commitments": [
            {"text": "Next time, I will leave my phone.", "owner": "me", "follow_up_days": [1]}
        ],
    }
    repairs = []
    for _ in range(ROUNDS):
        rid = open_repair(p.sorry)
        walk(p.hurt, p.sorry, rid, "plan")
        step(p.hurt, rid, "plan", PLAN_HURT)
        step(p.sorry, rid, "plan", one_follow_up)
        data = walk(p.hurt, p.sorry, rid, "following_through", start="reconnect")
        (follow_up,) = follow_ups(data)
        repairs.append((rid, follow_up["id"]))
    p.clock.move_to(START + timedelta(days=1))
    for rid, follow_up in repairs:
        results = race(
            posting(p.sorry, f"{rid}/follow-ups/{follow_up}", {"outcome": "kept"}),
            posting(p.hurt, f"{rid}/follow-ups/{follow_up}", {"outcome": "partly"}),
        )
        assert statuses(results) == [200, 200], [r.get_json() for r in results]
        record = stored(p.app, rid)
        assert record.state == "resolved" and record.answers == 2
        answered = [s for s in record.steps if s[0] == "follow_up"]
        assert [s[3] for s in answered] == ["following_through", "resolved"]
        assert_one_chain(record)
        # the one who answered last sees it resolved (the other may, too, by then)
        assert "resolved" in [r.get_json()["state"] for r in results]


def test_a_pause_and_a_step_at_once_never_mix(partners):
    p = partners
    for _ in range(ROUNDS):
        rid = open_repair(p.sorry)
        walk(p.hurt, p.sorry, rid, "hearing")
        results = race(
            posting(p.sorry, f"{rid}/pause", {"minutes": 30}),
            posting(p.hurt, f"{rid}/steps/hearing", HEARING),
        )
        paused, heard = statuses(results)
        record = stored(p.app, rid)
        assert paused == 200 and record.paused
        if heard == 200:  # the hearing first, then the pause while it is said back
            assert record.state == "reflect"
            assert [s[0] for s in record.steps][-2:] == ["hearing", "pause"]
        else:  # the pause first: the hearing waits
            assert heard == 409
            assert results[1].get_json()["type"] == "/problems/repair-paused"
            assert record.state == "hearing"
            assert [s[0] for s in record.steps][-1] == "pause"
            assert "hearing" not in [s[0] for s in record.steps]
        assert_one_chain(record)


def test_both_pausing_at_once_pause_once(partners):
    p = partners
    for _ in range(ROUNDS):
        rid = open_repair(p.sorry)
        walk(p.hurt, p.sorry, rid, "apology")
        results = race(
            posting(p.sorry, f"{rid}/pause", {"minutes": 30}),
            posting(p.hurt, f"{rid}/pause", {"minutes": 60}),
        )
        assert sorted(statuses(results)) == [200, 409]
        record = stored(p.app, rid)
        assert record.paused and [s[0] for s in record.steps].count("pause") == 1
        assert_one_chain(record)


def test_closing_and_a_step_at_once_never_mix(partners):
    p = partners
    for _ in range(ROUNDS):
        rid = open_repair(p.sorry)
        walk(p.hurt, p.sorry, rid, "response")
        results = race(
            posting(p.sorry, f"{rid}/close", {"note": "Later."}),
            posting(p.hurt, f"{rid}/steps/response", {"heard": True}),
        )
        closed, answered = statuses(results)
        record = stored(p.app, rid)
        assert closed == 200 and record.state == "closed"
        assert record.steps[-1][0] == "close"
        if answered == 200:
            assert [s[0] for s in record.steps][-2:] == ["response", "close"]
            assert record.steps[-1][2] == "plan"
        else:
            assert answered == 409
            assert results[1].get_json()["type"] == "/problems/repair-ended"
            assert "response" not in [s[0] for s in record.steps]
        assert_one_chain(record)


def test_the_clock_and_a_step_at_the_return_time_end_the_pause_once(partners):
    p = partners

    def ticking(now):
        def job():
            with p.app.app_context():
                try:
                    return reminders.tick(now=now)
                finally:
                    db.session.remove()

        return job

    for n in range(ROUNDS):
        p.clock.move_to(START + timedelta(hours=n))
        rid = open_repair(p.sorry)
        walk(p.hurt, p.sorry, rid, "hearing")
        step(p.sorry, rid, "ready", status=409)
        assert p.sorry.post(f"/api/v1/repairs/{rid}/pause", json={"minutes": 20}).status_code == 200
        back = START + timedelta(hours=n, minutes=20)
        p.clock.move_to(back)
        ticked, heard = race(ticking(back), posting(p.hurt, f"{rid}/steps/hearing", HEARING))
        assert not isinstance(ticked, Exception), ticked
        assert statuses([heard]) == [200], heard.get_json()
        record = stored(p.app, rid)
        assert record.state == "reflect" and not record.paused
        assert [s[0] for s in record.steps][-3:] == ["pause", "resume", "hearing"]
        assert [s[1] for s in record.steps].count(None) == 1  # the clock resumed it, once
        over = sorted(t[0] for t in record.told if t[1] == "repair_timeout_over")
        assert over == sorted([record.apologizing, record.hurt])
        assert_one_chain(record)
