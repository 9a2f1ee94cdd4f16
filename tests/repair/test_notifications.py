"""What a repair tells the partners, and when: ``repair_started`` on opening, "your turn"
when the turn passes, one gentle nudge after a day of waiting (one per turn, one a day,
after quiet hours), "your pause is over" to both at the return time (even in quiet hours,
urgently), follow-up reminders to both on each date — and never any repair text."""

import json
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import time_machine

from couples.accounts.models import User
from couples.extensions import db
from couples.notifications import delivery, reminders
from couples.notifications.models import Notification
from tests.factories import make_couple, make_user
from tests.repair.helpers import (
    APOLOGY,
    CHOICE,
    HEARING,
    PLAN_HURT,
    PLAN_SORRY,
    REFLECTION,
    START,
    THATS_IT,
    call,
    follow_ups,
    login,
    open_repair,
    sides,
    step,
    walk,
)

ALEX, SAM = "alex@example.com", "sam@example.com"


def outbox(app, email: str, kind: str | None = None) -> list[SimpleNamespace]:
    """The user's notifications (of one kind), oldest first, with their delivery plan."""
    with app.app_context():
        query = (
            db.select(Notification)
            .join(User, User.id == Notification.user_id)
            .where(User.email == email)
            .order_by(Notification.id)
        )
        if kind is not None:
            query = query.where(Notification.kind == kind)
        rows = [
            SimpleNamespace(**{c.name: getattr(n, c.name) for c in Notification.__table__.columns})
            for n in db.session.execute(query).scalars()
        ]
        db.session.remove()
    return rows


def nudges(app, email: str) -> list[SimpleNamespace]:
    return [
        n for n in outbox(app, email, "repair_your_turn") if n.dedupe_key.startswith("repair-nudge")
    ]


def turns(app, email: str) -> list[SimpleNamespace]:
    return [
        n
        for n in outbox(app, email, "repair_your_turn")
        if not n.dedupe_key.startswith("repair-nudge")
    ]


def tick(app, now: datetime) -> None:
    with app.app_context():
        reminders.tick(now=now)
        db.session.remove()


# ------------------------------------------------------------------------ started


@pytest.mark.parametrize("role", ["apologizing", "hurt"])
def test_the_partner_hears_that_a_repair_was_started_and_nothing_of_it(couple, role):
    couple.link()
    with couple.at(START) as (alex, _):
        rid = open_repair(alex, role, title="The quokka incident")
    (started,) = outbox(couple.app, SAM, "repair_started")
    assert outbox(couple.app, ALEX, "repair_started") == []
    assert "Alex" in started.title and "quokka" not in f"{started.title} {started.body}"
    assert (started.url, started.data) == (f"/repairs/{rid}", {"repair": rid})
    assert (started.status, started.push, started.next_attempt_at) == ("pending", True, START)
    assert started.expires_at == START + timedelta(hours=24)


# ---------------------------------------------------------------------- your turn


@pytest.mark.parametrize("opener_role", ["apologizing", "hurt"])
def test_your_turn_goes_to_the_partner_who_now_has_a_move(couple, opener_role):
    couple.link()
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex, opener_role)
        hurt, sorry = sides(alex, sam, opener_role)
        email = {hurt: SAM if hurt is sam else ALEX, sorry: SAM if sorry is sam else ALEX}
        # (who acts, step, body, who is told it is their turn)
        moves = [
            (sorry, "ready", {"view": "apologizing"}, None),  # the hurt could act already
            (hurt, "ready", {"view": "hurt"}, None),  # the hurt partner acts next: no news
            (hurt, "hearing", HEARING, sorry),
            (sorry, "reflect", REFLECTION, hurt),
            (hurt, "reflect", {"thats_it": False, "missed": "The phone too."}, sorry),
            (sorry, "reflect", REFLECTION, hurt),
            (hurt, "reflect", THATS_IT, sorry),
            (sorry, "apology", APOLOGY, hurt),
            (hurt, "response", {"heard": False, "missing": "More."}, sorry),
            (sorry, "apology", APOLOGY, hurt),
            (hurt, "response", {"heard": True}, sorry),
            (hurt, "plan", PLAN_HURT, None),
            (sorry, "plan", PLAN_SORRY, None),  # the apologizing partner chooses next
            (sorry, "reconnect", CHOICE, hurt),
            (hurt, "reconnect", {"confirmed": False}, sorry),
            (sorry, "reconnect", CHOICE, hurt),
            (hurt, "reconnect", {"confirmed": True}, None),
        ]  # nothing due yet
        if opener_role == "hurt":
            # The hurt partner said ready first: the apologizing partner's ready hands
            # them the hearing.
            moves[0] = (hurt, "ready", {"view": "hurt"}, None)
            moves[1] = (sorry, "ready", {"view": "apologizing"}, hurt)
        for who, name, body, told in moves:
            before = {e: len(turns(couple.app, e)) for e in (ALEX, SAM)}
            step(who, rid, name, body)
            after = {e: len(turns(couple.app, e)) for e in (ALEX, SAM)}
            expected = {
                e: before[e] + (1 if told is not None and email[told] == e else 0)
                for e in (ALEX, SAM)
            }
            assert after == expected, (name, told is hurt)
        partner_name = {ALEX: "Sam", SAM: "Alex"}
        for e in (ALEX, SAM):
            for note in turns(couple.app, e):
                assert partner_name[e] in note.title
                assert (note.url, note.data) == (f"/repairs/{rid}", {"repair": rid})
                assert note.topic  # a reminder kind: the latest replaces the older one


# -------------------------------------------------------------------------- nudge


def test_one_nudge_after_a_day_of_waiting_and_one_per_turn(couple):
    couple.link()
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        walk(sam, alex, rid, "hearing")  # Sam's turn from START
    tick(couple.app, START + timedelta(hours=24) - timedelta(minutes=1))
    assert nudges(couple.app, SAM) == []
    tick(couple.app, START + timedelta(hours=24))
    (nudge,) = nudges(couple.app, SAM)
    assert nudge.created_at == START + timedelta(hours=24)
    assert (nudge.status, nudge.next_attempt_at) == ("pending", START + timedelta(hours=24))
    assert "Alex" in nudge.title and nudge.url == f"/repairs/{rid}"
    for hours in (25, 48, 72, 24 * 6):
        tick(couple.app, START + timedelta(hours=hours))
    assert len(nudges(couple.app, SAM)) == 1  # one per turn
    assert nudges(couple.app, ALEX) == []
    # Sam acts on day 7: now Alex waits, and a day later is nudged once.
    acted = START + timedelta(days=7)
    with couple.at(acted) as (alex, sam):
        step(sam, rid, "hearing", HEARING)
    tick(couple.app, acted + timedelta(hours=23))
    assert nudges(couple.app, ALEX) == []
    tick(couple.app, acted + timedelta(hours=24))
    tick(couple.app, acted + timedelta(hours=30))
    assert len(nudges(couple.app, ALEX)) == 1
    assert len(nudges(couple.app, SAM)) == 1


def test_a_nudge_comes_at_most_once_a_day_even_with_two_repairs_waiting(couple):
    couple.link()
    with couple.at(START) as (alex, sam):
        first = open_repair(alex)
        walk(sam, alex, first, "hearing")
    with couple.at(START + timedelta(hours=4)) as (alex, sam):
        second = open_repair(alex)
        walk(sam, alex, second, "hearing")
    tick(couple.app, START + timedelta(hours=24))  # the first repair's day: 18:00 London
    tick(couple.app, START + timedelta(hours=28))  # the second's: 22:00, the same day
    assert len(nudges(couple.app, SAM)) == 1
    # The next day brings a new turn of the first repair (back to Sam after "not yet").
    with couple.at(START + timedelta(hours=29)) as (alex, sam):
        step(sam, first, "hearing", HEARING)
        step(alex, first, "reflect", REFLECTION)
    tick(couple.app, START + timedelta(hours=29 + 24))
    assert [n.created_at for n in nudges(couple.app, SAM)] == [
        START + timedelta(hours=24),
        START + timedelta(hours=29 + 24),
    ]


def test_a_nudge_that_falls_in_quiet_hours_waits_for_their_end(couple):
    couple.link()
    late = datetime(2026, 6, 15, 22, 0, tzinfo=UTC)  # 23:00 in London, 18:00 in New York
    with couple.at(late) as (alex, sam):
        rid = open_repair(alex)
        walk(sam, alex, rid, "hearing")
    tick(couple.app, late + timedelta(hours=24))
    (nudge,) = nudges(couple.app, SAM)
    assert nudge.created_at == late + timedelta(hours=24)
    assert nudge.status == "pending"
    # 07:30 in London (BST) the next morning
    assert nudge.next_attempt_at == datetime(2026, 6, 17, 6, 30, tzinfo=UTC)
    assert nudge.expires_at == nudge.next_attempt_at + timedelta(hours=24)


def test_no_nudge_while_paused_and_a_day_after_the_pause_ends(couple):
    couple.link()
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        walk(sam, alex, rid, "hearing")
    pause_at = START + timedelta(hours=23)
    with couple.at(pause_at) as (alex, sam):
        call(sam, f"{rid}/pause", {"minutes": 1440})
    back = pause_at + timedelta(minutes=1440)
    tick(couple.app, START + timedelta(hours=24))
    tick(couple.app, back - timedelta(minutes=1))
    assert nudges(couple.app, SAM) == []
    tick(couple.app, back)  # the pause ends; the turn starts again from here
    tick(couple.app, back + timedelta(hours=23))
    assert nudges(couple.app, SAM) == []
    tick(couple.app, back + timedelta(hours=24))
    assert len(nudges(couple.app, SAM)) == 1


# ------------------------------------------------------------------------ pauses


def test_both_hear_the_pause_is_over_at_the_return_time_even_in_quiet_hours(couple):
    couple.link()
    paused = datetime(2026, 6, 15, 21, 30, tzinfo=UTC)
    back = paused + timedelta(minutes=60)  # 23:30 in London: quiet hours
    with couple.at(paused) as (alex, sam):
        rid = open_repair(alex)
        walk(sam, alex, rid, "apology")
        data = call(alex, f"{rid}/pause", {"minutes": 60})
        assert data["paused_until"] == back.isoformat()
    tick(couple.app, back - timedelta(minutes=1))
    assert outbox(couple.app, SAM, "repair_timeout_over") == []
    tick(couple.app, back)
    tick(couple.app, back + timedelta(minutes=1))
    for email in (ALEX, SAM):
        (over,) = outbox(couple.app, email, "repair_timeout_over")
        assert (over.status, over.next_attempt_at, over.created_at) == ("pending", back, back)
        assert over.url == f"/repairs/{rid}"
    with couple.at(back) as (alex, sam):
        data = step(alex, rid, "apology", APOLOGY)
        assert [s["action"] for s in data["steps"]][-3:] == ["pause", "resume", "apology"]
        resumed = data["steps"][-2]
        assert (resumed["by"], resumed["at"]) == (None, back.isoformat())


def test_coming_back_early_tells_the_partner_and_nothing_comes_at_the_old_time(couple):
    couple.link()
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        walk(sam, alex, rid, "hearing")
        call(sam, f"{rid}/pause", {"minutes": 120})
    early = START + timedelta(minutes=30)
    with couple.at(early) as (alex, sam):
        data = call(sam, f"{rid}/resume")
        assert data["paused_until"] is None and data["next_actor"] == "me"
    # An ordinary message, not the urgent one that may come through quiet hours.
    (back,) = [n for n in outbox(couple.app, ALEX, "repair_your_turn") if "is back" in n.title]
    assert "Sam" in back.title and back.created_at == early
    tick(couple.app, START + timedelta(minutes=120))
    for email in (ALEX, SAM):
        assert outbox(couple.app, email, "repair_timeout_over") == []


# -------------------------------------------------------------------- follow-ups


def test_both_are_reminded_of_each_follow_up_on_its_date_once(couple):
    couple.link()
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        data = walk(sam, alex, rid, "following_through")
    dues = [datetime.fromisoformat(f["due_at"]) for f in follow_ups(data)]
    assert dues == [START + timedelta(days=3), START + timedelta(days=7)]
    tick(couple.app, dues[0] - timedelta(minutes=1))
    assert outbox(couple.app, SAM, "repair_follow_up") == []
    for n, due in enumerate(dues, start=1):
        tick(couple.app, due)
        tick(couple.app, due + timedelta(hours=1))
        for email, partner in ((ALEX, "Sam"), (SAM, "Alex")):
            rows = outbox(couple.app, email, "repair_follow_up")
            assert [r.created_at for r in rows] == dues[:n]
            assert partner in rows[-1].title and rows[-1].url == f"/repairs/{rid}"
            assert rows[-1].status == "pending" and rows[-1].topic
    # no nudges in the follow-through: the follow-up reminders are enough
    tick(couple.app, START + timedelta(days=20))
    assert nudges(couple.app, ALEX) == [] and nudges(couple.app, SAM) == []


def test_one_follow_up_reminder_per_date_however_many_commitments(couple):
    couple.link()
    three = {
        "my_part": "Mine.",
        "commitments": [
            {"text": "Next time we eat, I will leave my phone.", "owner": "me"},
            {"text": "Next time, I will say so kindly.", "owner": "partner"},
            {"text": "Next time, I will ask first.", "owner": "me", "follow_up_days": [3]},
        ],
    }
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        walk(sam, alex, rid, "plan")
        step(sam, rid, "plan", PLAN_HURT)
        step(alex, rid, "plan", three)
        data = walk(sam, alex, rid, "following_through", start="reconnect")
    assert sorted(f["days"] for f in follow_ups(data)) == [3, 3, 3, 7, 7]
    for due in (START + timedelta(days=3), START + timedelta(days=7)):
        tick(couple.app, due)
        tick(couple.app, due + timedelta(minutes=1))
    for email in (ALEX, SAM):
        assert [n.created_at for n in outbox(couple.app, email, "repair_follow_up")] == [
            START + timedelta(days=3),
            START + timedelta(days=7),
        ]


def test_a_closed_repair_is_in_the_partners_inbox_only(couple):
    couple.link()
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        call(alex, f"{rid}/close", {"note": "Let's talk about the wombat instead."})
    (closed,) = outbox(couple.app, SAM, "repair_closed")
    assert (closed.push, closed.status, closed.in_inbox) == (False, "inbox", True)
    assert "wombat" not in f"{closed.title} {closed.body} {closed.data}"
    assert outbox(couple.app, ALEX, "repair_closed") == []


# ------------------------------------------------------------------ no repair text

MARK = "zqmark"  # planted in every word the partners write; it must never leave the app


def marked(name: str) -> str:
    return f"{MARK}{name}"


MARKED_HEARING = {
    "feelings": ["hurt", f"{MARK}feeling"],
    "i_feel": marked("ifeel"),
    "when": marked("when"),
    "because": marked("because"),
    "i_need": marked("ineed"),
    "need_now": "talk",
}
MARKED_APOLOGY = {
    "acknowledgement": f"I'm sorry I {marked('ack')}.",
    "empathy": f"You felt hurt, {marked('empathy')}.",
    "restitution": f"I will {marked('restitution')}.",
}


@pytest.fixture
def pushing(make_app, push_settings, fake_push):
    """Alex (New York) and Sam (London), linked, each with a device on the fake push
    service; ``at(instant)`` yields both logged in there."""
    app = make_app(RATELIMIT_ENABLED=False, **push_settings)
    with app.app_context():
        make_couple(
            make_user(email=ALEX, display_name="Alex", timezone="America/New_York"),
            make_user(email=SAM, display_name="Sam", timezone="Europe/London"),
        )

    @contextmanager
    def at(instant):
        with time_machine.travel(instant, tick=False) as clock:
            yield login(app, ALEX), login(app, SAM), clock

    return SimpleNamespace(app=app, at=at)


def deliver(app, now: datetime) -> None:
    with app.app_context():
        while delivery.deliver_due(now_fn=lambda: now)["claimed"]:
            pass
        db.session.remove()


def test_no_push_and_no_notification_ever_carries_what_the_partners_wrote(pushing, fake_push):
    app = pushing.app
    with pushing.at(START) as (alex, sam, clock):
        devices = {}
        for email, who in ((ALEX, alex), (SAM, sam)):
            devices[email] = fake_push.subscribe()
            assert who.post("/api/v1/push/subscriptions", json=devices[email]).status_code == 201

        def at(instant):
            clock.move_to(instant)
            tick(app, instant)
            deliver(app, instant)

        rid = open_repair(alex, title=marked("title"))
        step(alex, rid, "ready")
        step(sam, rid, "ready", {"view": "hurt"})
        call(sam, f"{rid}/pause", {"minutes": 20})
        at(START + timedelta(minutes=20))  # the pause is over
        step(sam, rid, "hearing", MARKED_HEARING)
        step(alex, rid, "reflect", {"what_i_heard": f"You felt {marked('heard')}."})
        step(sam, rid, "reflect", {"thats_it": False, "missed": marked("missed")})
        step(alex, rid, "reflect", {"what_i_heard": f"And {marked('again heard')}."})
        step(sam, rid, "reflect", THATS_IT)
        at(START + timedelta(hours=25))  # Alex is nudged
        step(alex, rid, "apology", MARKED_APOLOGY)
        step(sam, rid, "response", {"heard": False, "missing": marked("missing")})
        step(alex, rid, "apology", {**MARKED_APOLOGY, "empathy": f"Hurt {marked('again')}."})
        step(sam, rid, "response", {"heard": True, "forgive": True})
        step(
            sam,
            rid,
            "plan",
            {
                "my_part": marked("hurtpart"),
                "commitments": [
                    {"text": marked("hurtcommitment"), "owner": "me", "follow_up_days": [1]}
                ],
            },
        )
        data = step(
            alex,
            rid,
            "plan",
            {
                "my_part": marked("sorrypart"),
                "commitments": [
                    {"text": marked("sorrycommitment"), "owner": "partner", "follow_up_days": [2]}
                ],
            },
        )
        step(alex, rid, "reconnect", {"choice": marked("choice")})
        step(sam, rid, "reconnect", {"confirmed": False})
        step(alex, rid, "reconnect", {"choice": marked("choice2")})
        data = step(sam, rid, "reconnect", {"confirmed": True})
        planned = clock_now = START + timedelta(hours=25)
        at(planned)  # each "your turn" goes out
        for n, follow_up in enumerate(follow_ups(data), start=1):
            clock_now = planned + timedelta(days=n)
            at(clock_now)  # both are reminded
            for who, name in ((alex, "a"), (sam, "s")):
                call(
                    who,
                    f"{rid}/follow-ups/{follow_up['id']}",
                    {"outcome": "partly", "note": marked(f"note{n}{name}")},
                )
        other = open_repair(sam, "hurt", title=marked("title2"))
        call(sam, f"{other}/close", {"note": marked("closing")})
        at(clock_now + timedelta(minutes=1))

    everything_sent = []
    for email in (ALEX, SAM):
        for note in outbox(app, email):
            everything_sent.append(
                json.dumps(
                    [note.title, note.body, note.url, note.data, note.topic, note.dedupe_key]
                )
            )
        for received in fake_push.for_endpoint(devices[email]["endpoint"]):
            everything_sent.append(received.plaintext.decode())
            everything_sent.append(json.dumps(received.headers))
    assert not [text for text in everything_sent if MARK in text.lower()]
    kinds = {(email, n.kind) for email in (ALEX, SAM) for n in outbox(app, email)}
    assert {
        (SAM, "repair_started"),
        (SAM, "repair_your_turn"),
        (ALEX, "repair_your_turn"),
        (ALEX, "repair_timeout_over"),
        (SAM, "repair_timeout_over"),
        (ALEX, "repair_follow_up"),
        (SAM, "repair_follow_up"),
        (ALEX, "repair_closed"),
    } <= kinds
    assert any(n.dedupe_key.startswith("repair-nudge") for n in outbox(app, ALEX))
    pushed = {
        email: [
            r.message["notification"]["data"]["kind"]
            for r in fake_push.for_endpoint(devices[email]["endpoint"])
        ]
        for email in (ALEX, SAM)
    }
    assert {"repair_started", "repair_your_turn", "repair_timeout_over", "repair_follow_up"} <= set(
        pushed[SAM]
    )
    assert {"repair_your_turn", "repair_timeout_over", "repair_follow_up"} <= set(pushed[ALEX])
    assert "repair_closed" not in pushed[ALEX]  # inbox only


def test_the_pause_is_over_push_is_urgent_and_every_repair_push_lives_a_day(pushing, fake_push):
    app = pushing.app
    paused = datetime(2026, 6, 15, 21, 30, tzinfo=UTC)
    back = paused + timedelta(minutes=30)  # 23:00 in London
    with pushing.at(paused) as (alex, sam, clock):
        device = fake_push.subscribe()
        assert sam.post("/api/v1/push/subscriptions", json=device).status_code == 201
        rid = open_repair(alex)
        deliver(app, paused)  # 22:30 London: already quiet hours, so it waits
        assert fake_push.for_endpoint(device["endpoint"]) == []
        walk(sam, alex, rid, "hearing")
        call(alex, f"{rid}/pause", {"minutes": 30})
        clock.move_to(back)
        tick(app, back)
        deliver(app, back)
        (over,) = fake_push.for_endpoint(device["endpoint"])
        assert over.message["notification"]["data"]["kind"] == "repair_timeout_over"
        assert over.headers["urgency"] == "high"
        assert 0 < int(over.headers["ttl"]) <= 24 * 3600
        morning = datetime(2026, 6, 16, 6, 30, tzinfo=UTC)
        clock.move_to(morning)
        deliver(app, morning)
        kinds = {
            r.message["notification"]["data"]["kind"]: r.headers
            for r in fake_push.for_endpoint(device["endpoint"])
        }
        assert kinds["repair_started"]["urgency"] == "normal"
        assert 0 < int(kinds["repair_started"]["ttl"]) <= 24 * 3600
